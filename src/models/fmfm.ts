// FmFM (field-matrixed), GE4Rec model_zoo/FmFM (facts §2.3): LR (bias) + Σ_{i<j} ⟨e_i·M_ij, g_j⟩; the raw e_i (row
// side) goes through M_ij and the generated g_j is on the column side. M (P×D×D) is a raw Parameter: xavier-normal
// with torch's 3-D fans (fan_in D·D, fan_out P·D) and never regularised.
// GEN as in the third-party cleaned copy (GEN module with the config's kwargs, bias-free Linear); GE4Rec @1474189d
// calls GEN without kwargs (a KeyError) and @2054a inlines a biased Linear.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { embed, recordInteraction } from './common.js';
import { genEncoder } from './layers/gen.js';
import { gatherPairs } from './layers/interaction.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  const lr = ctx.logisticRegression(true);
  const g = genEncoder(ctx, 'gen', e, n, cfg);
  recordInteraction(ctx, g, e);
  const P = (F * (F - 1)) / 2;
  const { li, rj } = gatherPairs(ctx, E, g.reshape([B, F, D]), F);
  if (cfg.fieldInteractionType === 'vectorized') {
    // torch xavier on a 2-D [P, D] Parameter: fan_in D, fan_out P.
    const w = ctx.param('interaction_weight', [P, D], { kind: 'xavier_normal', fanIn: D, fanOut: P }, 'none');
    return li.mul(w).mul(rj).sum([1, 2]).add(lr.squeeze([1]));
  }
  const M = ctx.param('interaction_weight', [P, D, D], { kind: 'xavier_normal', fanIn: D * D, fanOut: P * D }, 'none');
  // Pair-major layout: P batched (B×D)·(D×D) products instead of B·P products of a 1×D row with a D×D matrix.
  const left = li.transpose([1, 0, 2]).matmul(M); // [P, B, D]: e_i·M_ij
  return left.mul(rj.transpose([1, 0, 2])).sum([0, 2]).add(lr.squeeze([1]));
}
