// FM as in GE4Rec model_zoo/FM (src @2054a, facts §2.1): LR (with bias) + Σ_{i<j} ⟨g_i, e_j⟩, generated embedding on
// the earlier-field side and the raw one on the later side (⟨g_i, g_j⟩ with `symmetric`). DIS: the classic FM.
// The unused InnerProductInteraction module and the always-zero cov/infonce losses are not built.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { embed, recordInteraction } from './common.js';
import { genEncoder } from './layers/gen.js';
import { pairwiseSum } from './layers/interaction.js';
import { type ModelDescriptor } from './descriptor.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  const g = genEncoder(ctx, 'gen', e, n, cfg);
  recordInteraction(ctx, g, e);
  const G = g.reshape([B, F, D]);
  const fm = pairwiseSum(ctx, G, cfg.symmetric ? G : E, F);
  return fm.add(ctx.logisticRegression(true).squeeze([1]));
}

/** Table 1 row 1. Body: the pair sums (F(F−1)/2 dot products of D) and the LR term. */
export const descriptor: ModelDescriptor = {
  name: 'FM',
  explicit: true,
  table1Order: 0,
  paperKey: 'FM',
  experiments: 'FM.yaml',
  keys: [],
  build,
  flops: (_cfg, F, D) => ({ body: ((F * (F - 1)) / 2) * 2 * D + F, encoderCount: 1 }),
};
