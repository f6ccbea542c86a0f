// Pairwise field interactions over (i<j) pairs in torch.triu_indices(F, F, 1) order (row-major).
// The i-side and j-side fields are gathered with two index constants ([B, P, D] each), then multiplied and summed
// over D: one Gather per side instead of P slices (P = 741 on Criteo).
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

/** Fields of x [B, F, D] at the i-side and j-side of every pair: two [B, P, D] tensors. */
export function gatherPairs(ctx: ModelContext, left: Tensor, right: Tensor, F: number): { li: Tensor; rj: Tensor; P: number } {
  const { left: iIdx, right: jIdx } = triuPairs(F);
  const P = iIdx.length;
  const li = left.gather(ctx.g.constant(iIdx, [P], 'int64'), 1);
  const rj = right.gather(ctx.g.constant(jIdx, [P], 'int64'), 1);
  return { li, rj, P };
}

/** ⟨left_i, right_j⟩ for every pair i<j: [B, P]. */
export function pairwiseInner(ctx: ModelContext, left: Tensor, right: Tensor, F: number): Tensor {
  const { li, rj } = gatherPairs(ctx, left, right, F);
  return li.mul(rj).sum([2]);
}
