// The paper's GEN self-attention encoder (ablation b.4, `use_att`): multi-head self-attention over the F field
// vectors, D → D, bias-free W_q/W_k/W_v, scores scaled by √(head dim), dropout 0.2 on the attention weights, no
// residual, LayerNorm(D), then ReLU. The paper's code asks for 4 heads, which needs D divisible by 4 (its Avazu
// D = 16; with Criteo's D = 10 its constructor fails): we take 4 heads when D allows, else 2, else 1.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import { linear } from './linear.js';

export function attentionHeads(D: number): number {
  return D % 4 === 0 ? 4 : D % 2 === 0 ? 2 : 1;
}

/** X: [B, F, D] → [B, F, D]. */
export function fieldSelfAttention(ctx: ModelContext, name: string, X: Tensor, F: number, D: number): Tensor {
  const H = attentionHeads(D);
  const hd = D / H;
  const heads = (t: Tensor) => t.reshape(['B', F, H, hd]).transpose([0, 2, 1, 3]); // [B, H, F, hd]
  const q = heads(linear(ctx, `${name}.W_q`, X, D, D, false));
  const k = heads(linear(ctx, `${name}.W_k`, X, D, D, false));
  const v = heads(linear(ctx, `${name}.W_v`, X, D, D, false));
  let att = q.matmul(k.transpose([0, 1, 3, 2])).div(Math.sqrt(hd)).softmax(-1); // [B, H, F, F]
  att = ctx.dropout(att, 0.2);
  const out = att.matmul(v).transpose([0, 2, 1, 3]).reshape(['B', F, D]);
  return layerNorm(ctx, `${name}.ln`, out, D).relu();
}

/** PyTorch LayerNorm over the last axis (eps 1e-5, biased variance, affine weight 1 / bias 0 under net_regularizer). */
export function layerNorm(ctx: ModelContext, name: string, x: Tensor, C: number): Tensor {
  const w = ctx.param(`${name}.weight`, [C], { kind: 'ones' }, 'net');
  const b = ctx.param(`${name}.bias`, [C], { kind: 'zeros' }, 'net');
  const centered = x.sub(x.mean([-1], true));
  const variance = centered.square().mean([-1], true);
  return centered.div(variance.add(1e-5).sqrt()).mul(w).add(b);
}
