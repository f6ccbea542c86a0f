// The GEN encoder (GE4Rec `GEN`, facts §3): g = γ·act(h) [+ x] with h = vec(x)·A, A a bias-free (F·D)×(F·D) Linear
// weight (the main configs). DIS configs (linear, γ = 1, no concat, no transform, no residual) make it the identity,
// and then no parameter is created.
// The paper's ablations (Sec. 4.4, Fig. 5) are further settings of the same module, as in the paper's GEN:
//   source  small_transformation (no concat): h_f = e_f·W_f, each field from its own embedding only;
//           exp_group_idx 0 / 1: only the 10 highest- / lowest-cardinality fields take γ·act(h), the others keep x;
//   encoder field_share: field 0's slice of vec(x)·A, repeated for every field; more_layers: Linear, BatchNorm,
//           ReLU, Linear; use_att: multi-head self-attention over the F field vectors (layers/attention.ts).
// PyTorch's GEN also allocates a BatchNorm1d(1) (used only with use_bn) and, under concat_emb, no per-field tensor;
// unused tensors only consume RNG draws, so we do not allocate them.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import type { ModelConfig } from '../config.js';
import { concat } from '../../engine/ops.js';
import { linear } from './linear.js';
import { activation } from './activation.js';
import { fieldSelfAttention } from './attention.js';

type Required_ = 'embActivation' | 'concatEmb' | 'gamma' | 'genResidual';
type Ablation = 'smallTransformation' | 'expGroupIdx' | 'fieldShare' | 'moreLayers' | 'useAtt';
export type GenSettings = Pick<ModelConfig, Required_> & Partial<Pick<ModelConfig, Ablation>>;

export function isIdentityGen(s: GenSettings): boolean {
  return s.embActivation === 'linear' && !s.concatEmb && !s.smallTransformation && s.gamma === 1 && !s.genResidual;
}

/** Field indices by vocabulary size, largest first (numeric fields count 0); ties keep the feature-map order. */
export function cardinalityOrder(ctx: ModelContext): number[] {
  return ctx.fields
    .map((f, i) => ({ i, v: f.type === 'categorical' ? (f.vocabSize ?? 0) : 0 }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .map((x) => x.i);
}

/** exp_group_idx: 0 = the 10 highest-cardinality fields, 1 = the 10 lowest (the paper's GEN: Avazu positions 0–10 and
 *  14–24, Criteo 0–10 and 29–39 of the cardinality order; with fewer than 10 fields, all of them). */
export function cardinalityGroup(ctx: ModelContext, idx: number): number[] {
  const order = cardinalityOrder(ctx);
  const k = Math.min(10, order.length);
  return idx === 0 ? order.slice(0, k) : order.slice(order.length - k);
}

/**
 * x: [B, n] flattened embeddings (n = F·D). Returns [B, n].
 * `bias`: FwFM/FmFM@2054a inline their GEN as an nn.Linear with bias; the GEN module's Linear has none.
 */
export function genEncoder(ctx: ModelContext, name: string, x: Tensor, n: number, s: GenSettings, bias = false): Tensor {
  if (isIdentityGen(s)) return x;
  const F = ctx.fields.length;
  const D = n / F;
  let h = x;
  if (s.concatEmb) {
    if (s.useAtt && !s.fieldShare) {
      h = fieldSelfAttention(ctx, `${name}.att`, x.reshape(['B', F, D]), F, D).reshape(['B', n]);
    } else {
      if (s.moreLayers) {
        h = linear(ctx, `${name}.A`, x, n, n, false);
        h = ctx.batchNorm(`${name}.bn`, h).relu();
        h = linear(ctx, `${name}.A2`, h, n, n, false);
      } else {
        const A = ctx.param(`${name}.A`, [n, n], { kind: 'xavier_normal', fanIn: n, fanOut: n }, 'net');
        h = x.matmul(A);
        if (bias) h = h.add(ctx.param(`${name}.bias`, [n], { kind: 'zeros' }, 'net'));
      }
      // field_share: every field gets field 0's output (the rest of the Linear's output is unused, as in the paper).
      if (s.fieldShare) h = concat(Array.from({ length: F }, () => h.slice(1, 0, D)), 1);
    }
  } else if (s.smallTransformation) {
    // One D×D matrix per field, a raw Parameter (so never regularised) with xavier-normal init of an F×D×D tensor:
    // PyTorch's fans for a 3-D tensor are fan_in = D·D, fan_out = F·D.
    const W = ctx.param(`${name}.W`, [F, D, D], { kind: 'xavier_normal', fanIn: D * D, fanOut: F * D }, 'none');
    h = x.reshape(['B', F, D]).transpose([1, 0, 2]).matmul(W).transpose([1, 0, 2]).reshape(['B', n]);
  }
  let g = activation(h, s.embActivation);
  if (s.gamma !== 1) g = g.mul(s.gamma);
  if (s.expGroupIdx !== undefined && s.expGroupIdx !== null) {
    // Only the group's fields take the generated embedding; the others keep their raw one (and, with the residual
    // below, the paper's code then gives them 2·x).
    const keep = new Float64Array(n);
    for (const f of cardinalityGroup(ctx, s.expGroupIdx)) keep.fill(1, f * D, (f + 1) * D);
    const m = ctx.g.constant(Array.from(keep), [n], x.dtype);
    const mx = ctx.g.constant(Array.from(keep, (v) => 1 - v), [n], x.dtype);
    g = g.mul(m).add(x.mul(mx));
  }
  return s.genResidual ? g.add(x) : g;
}
