// FuxiCTR CompressedInteractionNet with GE4Rec's change: layer k multiplies its own generated embeddings G^k (GEN_k
// of the raw E) with the previous maps X^{k-1} (X^0 = raw E), where upstream uses X^0 on that side (facts §2.6).
// Maps are kept as [B, D, H] so that the Conv1d(kernel 1) becomes one matmul over the channel axis.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import { concat } from '../../engine/ops.js';
import { linear, linearParams } from './linear.js';

/**
 * E: [B, F, D]; units: H_1..H_K; gen(k): G^k as [B, F, D]. Returns the CIN logit [B, 1]
 * (fc = Linear(ΣH_k → 1) with bias over the D-summed maps of every layer).
 */
export function cinLogit(ctx: ModelContext, E: Tensor, F: number, D: number, units: number[], gen: (k: number) => Tensor): Tensor {
  const B = E.shape[0];
  let X = E.transpose([0, 2, 1]); // [B, D, F]
  let hPrev = F;
  const pooled: Tensor[] = [];
  units.forEach((hk, k) => {
    const G = gen(k).transpose([0, 2, 1]); // [B, D, F]
    // Conv1d(kernel 1) over channels c = h·H_{k-1} + m of Z[b, d, c] = G[b, d, h] · X[b, d, m] (torch: einsum
    // "bhd,bmd->bhmd", view(B, F·H, D)); its weight [H_k, F·H_{k-1}, 1] has the fans of this [F·H_{k-1}, H_k] Linear.
    const { w, b } = linearParams(ctx, `cin.${k}`, F * hPrev, hk);
    if (hk < hPrev) {
      // Same sum without materialising Z ([B, D, F·H_{k-1}]): T[b, d, h, o] = Σ_m X[b, d, m]·W[h, m, o] is smaller.
      const Wm = w.reshape([F, hPrev, hk]).transpose([1, 0, 2]).reshape([hPrev, F * hk]);
      const T = X.matmul(Wm).reshape([B, D, F, hk]);
      X = G.unsqueeze(3).mul(T).sum([2]).add(b!);
    } else {
      const Z = G.unsqueeze(3).mul(X.unsqueeze(2)).reshape([B, D, F * hPrev]);
      X = Z.matmul(w).add(b!); // [B, D, H_k]
    }
    pooled.push(X.sum([1]));
    hPrev = hk;
  });
  const total = units.reduce((a, v) => a + v, 0);
  const p = pooled.length === 1 ? pooled[0] : concat(pooled, 1);
  return linear(ctx, 'cin.fc', p, total, 1);
}
