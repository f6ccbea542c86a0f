// Plain-loop reference arithmetic for the model tests: no graph code, only arrays and for-loops, written from
// the GE4Rec / FuxiCTR formulas (docs in /work/shared/reference/ge4rec-facts.md §2–§4).

/** A batch of row vectors: rows[b][i]. */
export type Rows = number[][];

/** Parameter values by name, row-major, with the shapes the model declared. */
export type Params = Map<string, { data: Float64Array; shape: number[] }>;

export interface RefInput {
  B: number;
  F: number;
  D: number;
  /** Raw embeddings E[b][f][d]. */
  E: number[][][];
  /** FuxiCTR LogisticRegression output without its bias. */
  lr: number[];
  params: Params;
  /** BatchNorm in training mode (batch statistics, biased variance) instead of running statistics. */
  bnTraining: boolean;
  /** Per field: vocabulary size (numeric fields 0), for the cardinality-ordered ablations. */
  vocab: number[];
  /** The training graph (masked targets): `trainFields` are the step's drawn fields. */
  training?: boolean;
  trainFields?: number[];
}

export function p(params: Params, name: string): Float64Array {
  const v = params.get(name);
  if (!v) throw new Error(`reference: parameter '${name}' was not created by the model`);
  return v.data;
}

export function flatten(E: number[][][]): Rows {
  return E.map((fields) => fields.flat());
}

export function unflatten(x: Rows, F: number, D: number): number[][][] {
  return x.map((row) => Array.from({ length: F }, (_, f) => row.slice(f * D, (f + 1) * D)));
}

/** y = x·W (+ b) with W stored [in, out]. */
export function linear(x: Rows, W: Float64Array, nIn: number, nOut: number, bias?: Float64Array): Rows {
  if (W.length !== nIn * nOut) throw new Error(`reference linear: weight has ${W.length} values, expected ${nIn}×${nOut}`);
  return x.map((row) => {
    const y = new Array<number>(nOut).fill(0);
    for (let o = 0; o < nOut; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < nIn; i++) s += row[i] * W[i * nOut + o];
      y[o] = s;
    }
    return y;
  });
}

export function act(name: string, v: number): number {
  switch (name.toLowerCase()) {
    case 'linear':
      return v;
    case 'relu':
      return v > 0 ? v : 0;
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'silu':
      return v / (1 + Math.exp(-v));
    case 'elu':
      return v > 0 ? v : Math.exp(v) - 1;
    default:
      throw new Error(`reference: unknown activation ${name}`);
  }
}

export function mapRows(x: Rows, f: (v: number) => number): Rows {
  return x.map((r) => r.map(f));
}

/** PyTorch BatchNorm1d over [B, C]: eps 1e-5; train mode uses the biased batch variance. */
export function batchNorm(x: Rows, name: string, inp: RefInput): Rows {
  const C = x[0].length;
  const w = p(inp.params, `${name}.weight`);
  const b = p(inp.params, `${name}.bias`);
  let mean: number[];
  let varc: number[];
  if (inp.bnTraining) {
    mean = Array.from({ length: C }, (_, c) => x.reduce((s, r) => s + r[c], 0) / x.length);
    varc = Array.from({ length: C }, (_, c) => x.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / x.length);
  } else {
    mean = Array.from(p(inp.params, `${name}.running_mean`));
    varc = Array.from(p(inp.params, `${name}.running_var`));
  }
  return x.map((r) => r.map((v, c) => ((v - mean[c]) / Math.sqrt(varc[c] + 1e-5)) * w[c] + b[c]));
}

/** FuxiCTR MLP_Block: per hidden layer Linear, [BatchNorm1d], activation, [Dropout = identity here]; optional output Linear. */
export function mlp(
  x: Rows,
  name: string,
  inp: RefInput,
  o: { hidden: number[]; activations: string | string[]; batchNorm: boolean; outputDim?: number },
): Rows {
  let h = x;
  let nIn = x[0].length;
  o.hidden.forEach((units, i) => {
    h = linear(h, p(inp.params, `${name}.hidden.${i}.weight`), nIn, units, p(inp.params, `${name}.hidden.${i}.bias`));
    if (o.batchNorm) h = batchNorm(h, `${name}.bn.${i}`, inp);
    const a = Array.isArray(o.activations) ? o.activations[i] : o.activations;
    h = mapRows(h, (v) => act(a, v));
    nIn = units;
  });
  if (o.outputDim !== undefined)
    h = linear(h, p(inp.params, `${name}.out.weight`), nIn, o.outputDim, p(inp.params, `${name}.out.bias`));
  return h;
}

export interface GenSettings {
  embActivation: string;
  concatEmb: boolean;
  gamma: number;
  genResidual: boolean;
  smallTransformation?: boolean;
  expGroupIdx?: number | null;
  fieldShare?: boolean;
  moreLayers?: boolean;
  useAtt?: boolean;
}

/** Field indices by vocabulary size, largest first, ties in field order. */
export function byCardinality(vocab: number[]): number[] {
  const idx = vocab.map((_, i) => i);
  // A plain insertion sort: stable by construction.
  for (let a = 1; a < idx.length; a++)
    for (let b = a; b > 0 && vocab[idx[b]] > vocab[idx[b - 1]]; b--) [idx[b], idx[b - 1]] = [idx[b - 1], idx[b]];
  return idx;
}

/** Multi-head self-attention over the F field vectors of each row (the GEN `use_att` encoder), then LayerNorm, ReLU. */
function attention(x: Rows, name: string, inp: RefInput): Rows {
  const { F, D } = inp;
  const H = D % 4 === 0 ? 4 : D % 2 === 0 ? 2 : 1;
  const hd = D / H;
  const Wq = p(inp.params, `${name}.W_q.weight`), Wk = p(inp.params, `${name}.W_k.weight`), Wv = p(inp.params, `${name}.W_v.weight`);
  const lnW = p(inp.params, `${name}.ln.weight`), lnB = p(inp.params, `${name}.ln.bias`);
  return x.map((row) => {
    const X = Array.from({ length: F }, (_, f) => row.slice(f * D, (f + 1) * D));
    const [Q, K, V] = [Wq, Wk, Wv].map((W) => linear(X, W, D, D));
    const out: number[] = [];
    for (let i = 0; i < F; i++) {
      const o = new Array<number>(D).fill(0);
      for (let h = 0; h < H; h++) {
        const s = Array.from({ length: F }, (_, j) => {
          let d = 0;
          for (let t = h * hd; t < (h + 1) * hd; t++) d += Q[i][t] * K[j][t];
          return d / Math.sqrt(hd);
        });
        const mx = Math.max(...s);
        const e = s.map((v) => Math.exp(v - mx));
        const z = e.reduce((a, v) => a + v, 0);
        for (let j = 0; j < F; j++) for (let t = h * hd; t < (h + 1) * hd; t++) o[t] += (e[j] / z) * V[j][t];
      }
      const mean = o.reduce((a, v) => a + v, 0) / D;
      const variance = o.reduce((a, v) => a + (v - mean) ** 2, 0) / D;
      for (let t = 0; t < D; t++) out.push(Math.max(0, ((o[t] - mean) / Math.sqrt(variance + 1e-5)) * lnW[t] + lnB[t]));
    }
    return out;
  });
}

/**
 * GEN on flattened rows: g = γ·act(h) [+ x], h = x·A [+ bias] (concat), or the ablation encoders; the identity in DIS
 * configs. exp_group_idx keeps the raw x outside the 10 highest- (0) / lowest- (1) cardinality fields.
 */
export function gen(x: Rows, name: string, inp: RefInput, s: GenSettings, withBias = false): Rows {
  const n = x[0].length;
  const { F, D } = inp;
  if (s.embActivation === 'linear' && !s.concatEmb && !s.smallTransformation && s.gamma === 1 && !s.genResidual) return x;
  let h: Rows;
  if (s.concatEmb) {
    if (s.useAtt && !s.fieldShare) h = attention(x, `${name}.att`, inp);
    else {
      if (s.moreLayers) {
        h = linear(x, p(inp.params, `${name}.A.weight`), n, n);
        h = mapRows(batchNorm(h, `${name}.bn`, inp), (v) => act('relu', v));
        h = linear(h, p(inp.params, `${name}.A2.weight`), n, n);
      } else h = linear(x, p(inp.params, `${name}.A`), n, n, withBias ? p(inp.params, `${name}.bias`) : undefined);
      if (s.fieldShare) h = h.map((row) => Array.from({ length: n }, (_, i) => row[i % D]));
    }
  } else if (s.smallTransformation) {
    const W = p(inp.params, `${name}.W`); // [F, D, D]
    h = x.map((row) => Array.from({ length: n }, (_, i) => {
      const f = Math.floor(i / D), e = i % D;
      let v = 0;
      for (let d = 0; d < D; d++) v += row[f * D + d] * W[(f * D + d) * D + e];
      return v;
    }));
  } else h = x;
  let g = h.map((row) => row.map((v) => s.gamma * act(s.embActivation, v)));
  if (s.expGroupIdx !== undefined && s.expGroupIdx !== null) {
    const order = byCardinality(inp.vocab);
    const k = Math.min(10, F);
    const group = new Set(s.expGroupIdx === 0 ? order.slice(0, k) : order.slice(F - k));
    g = g.map((row, b) => row.map((v, i) => (group.has(Math.floor(i / D)) ? v : x[b][i])));
  }
  return g.map((row, b) => row.map((v, i) => v + (s.genResidual ? x[b][i] : 0)));
}

/** Pairs (i<j) in row-major upper-triangular order, as torch.triu_indices(F, F, offset=1). */
export function pairs(F: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) out.push([i, j]);
  return out;
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
