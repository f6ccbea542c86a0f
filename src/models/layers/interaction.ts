// Pairwise field interactions over (i<j) pairs in torch.triu_indices(F, F, 1) order (row-major).
// Cost matters at Criteo size (F = 39, P = 741): gathering both sides as [B, P, D] tensors materialises 2·B·P·D
// values (and as many in the backward pass), so the sums and products below avoid that layout where they can.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';

export function triuPairs(F: number): { left: number[]; right: number[] } {
  const left: number[] = [];
  const right: number[] = [];
  for (let i = 0; i < F; i++)
    for (let j = i + 1; j < F; j++) {
      left.push(i);
      right.push(j);
    }
  return { left, right };
}

/** Fields at the i-side of `left` and the j-side of `right` for every pair: two [B, P, D] tensors (memory-heavy). */
export function gatherPairs(ctx: ModelContext, left: Tensor, right: Tensor, F: number): { li: Tensor; rj: Tensor; P: number } {
  const { left: iIdx, right: jIdx } = triuPairs(F);
  const P = iIdx.length;
  const li = left.gather(ctx.g.constant(iIdx, [P], 'int64'), 1);
  const rj = right.gather(ctx.g.constant(jIdx, [P], 'int64'), 1);
  return { li, rj, P };
}

/** ⟨left_i, right_j⟩ for every pair i<j: [B, P], read off the [B, F, F] Gram matrix left·rightᵀ. */
export function pairwiseInner(ctx: ModelContext, left: Tensor, right: Tensor, F: number): Tensor {
  const B = left.shape[0];
  const gram = left.matmul(right.transpose([0, 2, 1])).reshape([B, F * F]);
  const { left: iIdx, right: jIdx } = triuPairs(F);
  return gram.gather(ctx.g.constant(iIdx.map((i, k) => i * F + jIdx[k]), [iIdx.length], 'int64'), 1);
}

/**
 * Σ_{i<j} ⟨left_i, right_j⟩ per row: [B]. Computed as Σ_i ⟨left_i, Σ_{j>i} right_j⟩, the suffix sums coming from one
 * matmul with a constant strictly-upper-triangular F×F matrix (O(B·F²·D), no [B, P, D] intermediates).
 */
export function pairwiseSum(ctx: ModelContext, left: Tensor, right: Tensor, F: number): Tensor {
  const U = new Array<number>(F * F).fill(0);
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) U[i * F + j] = 1;
  const suffix = ctx.g.constant(U, [F, F]).matmul(right); // [B, F, D]
  return left.mul(suffix).sum([1, 2]);
}
