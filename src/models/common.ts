// What every model starts from: the raw embeddings E [B, F, D], their flattened form e [B, F·D], and sizes.
import type { Tensor, Dim } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';

export interface Embedded {
  E: Tensor;
  e: Tensor;
  B: Dim;
  F: number;
  D: number;
  n: number;
}

export function embed(ctx: ModelContext): Embedded {
  const E = ctx.featureEmbedding();
  const F = ctx.fields.length;
  const D = ctx.embeddingDim;
  const B = E.shape[0];
  return { E, e: E.reshape([B, F * D]), B, F, D, n: F * D };
}

/** [B, 1] → [B]. */
export function toLogits(x: Tensor): Tensor {
  return x.squeeze([1]);
}

/** The analysis hooks of the first interaction: generated/encoder side (left) and raw side (right), [B, F·D]. */
export function recordInteraction(ctx: ModelContext, left: Tensor, right: Tensor, k = 0): void {
  ctx.record(k === 0 ? 'interaction.left' : `interaction.left.${k}`, left);
  ctx.record(k === 0 ? 'interaction.right' : `interaction.right.${k}`, right);
}
