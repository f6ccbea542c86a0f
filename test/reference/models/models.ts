// Plain-loop reference forward passes of every model (GE4Rec semantics, facts §2), returning logits [B].
import type { ModelConfig } from '../../../src/models/config.js';
import {
  type RefInput, type Rows, p, flatten, unflatten, linear, act, mapRows, mlp, gen, pairs, dot, byCardinality,
} from './common.js';

export interface RefOutput {
  logits: number[];
  records: Record<string, Rows>;
}

function lrTerm(inp: RefInput, useBias: boolean): number[] {
  const bias = useBias ? p(inp.params, 'lr.bias')[0] : 0;
  return inp.lr.map((v) => v + bias);
}

/** Σ_{i<j} w_ij ⟨left_i, right_j⟩ per row. */
function pairSum(left: number[][][], right: number[][][], F: number, w?: Float64Array): number[] {
  const P = pairs(F);
  return left.map((l, b) => P.reduce((s, [i, j], k) => s + (w ? w[k] : 1) * dot(l[i], right[b][j]), 0));
}

export function refFM(inp: RefInput, c: ModelConfig): RefOutput {
  const e = flatten(inp.E);
  const g = gen(e, 'gen', inp, c);
  const G = unflatten(g, inp.F, inp.D);
  const fm = pairSum(G, c.symmetric ? G : inp.E, inp.F);
  const lr = lrTerm(inp, true);
  return { logits: fm.map((v, b) => v + lr[b]), records: { 'interaction.left': g, 'interaction.right': e } };
}

export function refDeepFM(inp: RefInput, c: ModelConfig): RefOutput {
  const e = flatten(inp.E);
  const g = gen(e, 'gen', inp, c);
  const G = unflatten(g, inp.F, inp.D);
  const fm = pairSum(G, c.symmetric ? G : inp.E, inp.F);
  const h = mlp(e, 'dnn', inp, { hidden: c.hiddenUnits, activations: c.hiddenActivations, batchNorm: c.batchNorm });
  const H = c.hiddenUnits.length ? c.hiddenUnits[c.hiddenUnits.length - 1] : e[0].length;
  const dnn = linear(h, p(inp.params, 'linear_out.weight'), H, 1, p(inp.params, 'linear_out.bias'));
  const lr = lrTerm(inp, true);
  return { logits: fm.map((v, b) => v + lr[b] + dnn[b][0]), records: { 'interaction.left': g, 'interaction.right': e } };
}

export function refIPNN(inp: RefInput, c: ModelConfig): RefOutput {
  const e = flatten(inp.E);
  const g = gen(e, 'gen', inp, c);
  const G = unflatten(g, inp.F, inp.D);
  const P = pairs(inp.F);
  const z = e.map((row, b) => [...row, ...P.map(([i, j]) => dot(G[b][i], inp.E[b][j]))]);
  // The MLP's sigmoid output activation is left to the trainer's BCE-with-logits.
  const out = mlp(z, 'dnn', inp, { hidden: c.hiddenUnits, activations: c.hiddenActivations, batchNorm: c.batchNorm, outputDim: 1 });
  return { logits: out.map((r) => r[0]), records: { 'interaction.left': g, 'interaction.right': e } };
}

export function refFmFM(inp: RefInput, c: ModelConfig): RefOutput {
  const { F, D } = inp;
  const e = flatten(inp.E);
  const g = gen(e, 'gen', inp, c);
  const G = unflatten(g, F, D);
  const M = p(inp.params, 'interaction_weight');
  const P = pairs(F);
  const pairTerm = inp.E.map((Eb, b) =>
    P.reduce((s, [i, j], k) => {
      let acc = 0;
      for (let col = 0; col < D; col++) {
        let v = 0; // (e_i · M_k)[col], or e_i[col]·w_k[col] when vectorized
        if (c.fieldInteractionType === 'vectorized') v = Eb[i][col] * M[k * D + col];
        else for (let r = 0; r < D; r++) v += Eb[i][r] * M[k * D * D + r * D + col];
        acc += v * G[b][j][col];
      }
      return s + acc;
    }, 0),
  );
  const lr = lrTerm(inp, true);
  return { logits: pairTerm.map((v, b) => v + lr[b]), records: { 'interaction.left': g, 'interaction.right': e } };
}

export function refFwFM(inp: RefInput, c: ModelConfig, Elin?: number[][][]): RefOutput {
  const { F, D } = inp;
  const e = flatten(inp.E);
  const g = gen(e, 'gen', inp, c, true);
  const G = unflatten(g, F, D);
  const r = p(inp.params, 'interaction_weight.weight');
  const pairTerm = pairSum(G, inp.E, F, r);
  let lin: number[];
  if (c.linearType === 'FiLV') lin = linear(e, p(inp.params, 'linear.weight'), F * D, 1).map((v) => v[0]);
  else if (c.linearType === 'FeLV') {
    if (!Elin) throw new Error('refFwFM: FeLV needs the second embedding');
    lin = inp.E.map((Eb, b) => Eb.reduce((s, ef, f) => s + dot(ef, Elin[b][f]), 0));
  } else lin = lrTerm(inp, false);
  return { logits: pairTerm.map((v, b) => v + lin[b]), records: { 'interaction.left': g, 'interaction.right': e } };
}

export function refXDeepFM(inp: RefInput, c: ModelConfig): RefOutput {
  const { B, F, D } = inp;
  const e = flatten(inp.E);
  const records: Record<string, Rows> = {};
  let X = inp.E; // X[b][m][d], H_0 = F
  let Hprev = F;
  const pooled: number[][] = Array.from({ length: B }, () => []);
  c.cinHiddenUnits.forEach((Hk, k) => {
    const g = gen(e, `cin.gen.${k}`, inp, c);
    const G = unflatten(g, F, D);
    records[k === 0 ? 'interaction.left' : `interaction.left.${k}`] = g;
    records[k === 0 ? 'interaction.right' : `interaction.right.${k}`] = e;
    const W = p(inp.params, `cin.${k}.weight`); // [F·Hprev, Hk], channel index h·Hprev + m
    const bias = p(inp.params, `cin.${k}.bias`);
    const next = Array.from({ length: B }, (_, b) =>
      Array.from({ length: Hk }, (_, o) =>
        Array.from({ length: D }, (_, d) => {
          let s = bias[o];
          for (let h = 0; h < F; h++) for (let m = 0; m < Hprev; m++) s += W[(h * Hprev + m) * Hk + o] * G[b][h][d] * X[b][m][d];
          return s;
        }),
      ),
    );
    for (let b = 0; b < B; b++) for (let o = 0; o < Hk; o++) pooled[b].push(next[b][o].reduce((a, v) => a + v, 0));
    X = next;
    Hprev = Hk;
  });
  const sumH = c.cinHiddenUnits.reduce((a, v) => a + v, 0);
  const cin = linear(pooled, p(inp.params, 'cin.fc.weight'), sumH, 1, p(inp.params, 'cin.fc.bias'));
  const dnn = c.dnnHiddenUnits.length
    ? mlp(e, 'dnn', inp, { hidden: c.dnnHiddenUnits, activations: c.dnnActivations, batchNorm: c.batchNorm, outputDim: 1 })
    : e.map(() => [0]);
  const lr = lrTerm(inp, false);
  return { logits: lr.map((v, b) => v + cin[b][0] + dnn[b][0]), records };
}

export function refDCNv2(inp: RefInput, c: ModelConfig): RefOutput {
  const x0 = flatten(inp.E);
  const n = x0[0].length;
  const records: Record<string, Rows> = {};
  let x = x0;
  const t = c.predictTarget;
  // Target ablation, evaluation mode: random, high and the masked modes use the k highest-cardinality fields, low the
  // k lowest. Masked modes in training: the drawn fields, replaced in every GEN input by the mask vector(s) or zeros.
  const order = byCardinality(inp.vocab);
  const masked = t !== null && ['masked', 'field_masked', 'hard_masked'].includes(t.mode) && inp.training === true;
  const chosen = !t ? [] : masked ? inp.trainFields! : t.mode === 'low_cardinality' ? order.slice(inp.F - t.numTarget) : order.slice(0, t.numTarget);
  const maskRows = masked && t.mode !== 'hard_masked' ? p(inp.params, 'mask_emb') : null;
  const maskOf = (rows: Rows): Rows =>
    rows.map((row) =>
      row.map((v, i) => {
        const f = Math.floor(i / inp.D);
        if (!chosen.includes(f)) return v;
        if (!maskRows) return 0;
        return t!.mode === 'masked' ? maskRows[i % inp.D] : maskRows[i];
      }),
    );
  let picked: Rows | null = null;
  for (let l = 0; l < c.numCrossLayers; l++) {
    const src = c.useGenRst ? x : x0;
    const cl = gen(masked ? maskOf(src) : src, `cross.gen.${l}`, inp, c);
    const wx = linear(x, p(inp.params, `cross.${l}.weight`), n, n);
    records[l === 0 ? 'interaction.left' : `interaction.left.${l}`] = cl;
    records[l === 0 ? 'interaction.right' : `interaction.right.${l}`] = wx;
    const term = cl.map((row, b) => row.map((v, i) => v * wx[b][i]));
    if (t) {
      const sel = term.map((row) => chosen.flatMap((f) => row.slice(f * inp.D, (f + 1) * inp.D)));
      picked = picked ? picked.map((row, b) => row.map((v, i) => v + sel[b][i])) : sel;
    }
    x = x.map((row, b) => row.map((v, i) => v + term[b][i]));
  }
  if (t) {
    const d = mlp(x0, 'parallel_dnn', inp, { hidden: c.parallelDnnHiddenUnits, activations: c.dnnActivations, batchNorm: c.batchNorm });
    const h = picked!.map((row, b) => [...row, ...d[b]]);
    const out = linear(h, p(inp.params, 'fc.weight'), h[0].length, 1, p(inp.params, 'fc.bias'));
    return { logits: out.map((r) => r[0]), records };
  }
  let h: Rows;
  const dnnOpts = (units: number[]) => ({ hidden: units, activations: c.dnnActivations, batchNorm: c.batchNorm });
  if (c.modelStructure === 'crossnet_only') h = x;
  else if (c.modelStructure === 'parallel') {
    const d = mlp(x0, 'parallel_dnn', inp, dnnOpts(c.parallelDnnHiddenUnits));
    h = x.map((row, b) => [...row, ...d[b]]);
  } else if (c.modelStructure === 'stacked') h = mlp(x, 'stacked_dnn', inp, dnnOpts(c.stackedDnnHiddenUnits));
  else {
    const s = mlp(x, 'stacked_dnn', inp, dnnOpts(c.stackedDnnHiddenUnits));
    const d = mlp(x0, 'parallel_dnn', inp, dnnOpts(c.parallelDnnHiddenUnits));
    h = s.map((row, b) => [...row, ...d[b]]);
  }
  const dIn = h[0].length;
  const h1 = mapRows(linear(h, p(inp.params, 'fc.0.weight'), dIn, 2 * dIn, p(inp.params, 'fc.0.bias')), (v) => act('relu', v));
  const out = linear(h1, p(inp.params, 'fc.1.weight'), 2 * dIn, 1, p(inp.params, 'fc.1.bias'));
  return { logits: out.map((r) => r[0]), records };
}

export const REFERENCES: Record<string, (inp: RefInput, c: ModelConfig, Elin?: number[][][]) => RefOutput> = {
  FM: refFM,
  DeepFM: refDeepFM,
  IPNN: refIPNN,
  FmFM: refFmFM,
  FwFM: refFwFM,
  xDeepFM: refXDeepFM,
  DCNv2: refDCNv2,
  CrossNetV2: refDCNv2,
};
