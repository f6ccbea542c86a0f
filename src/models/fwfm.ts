// FwFM, GE4Rec model_zoo/FwFM (src @2054a, facts §2.4; not in Table 1): Σ_{i<j} r_ij ⟨g_i, e_j⟩ + linear part.
// The GEN is inlined there as nn.Linear(F·D → F·D) WITH bias. r is the weight of a Linear(P, 1) whose bias is never
// used (no global bias anywhere, unlike upstream FuxiCTR FwFM), so that bias is not allocated.
// Linear part: FiLV = vec(E)·w (raw E, no bias); FeLV = Σ_f ⟨e_f, v_f⟩ with v from a second embedding table;
// LW = a 1-dim FeatureEmbedding summed over fields, i.e. FuxiCTR's LogisticRegression without bias.
// The unused nn.Linear(D, D) that GE4Rec builds when concat_emb is false is not allocated.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { UserError } from '../util/errors.js';
import { embed, recordInteraction } from './common.js';
import { genEncoder } from './layers/gen.js';
import { pairwiseInner } from './layers/interaction.js';
import { linear } from './layers/linear.js';
import { key, type ModelDescriptor } from './descriptor.js';

/** FeLV needs a second per-field embedding table; contexts that can build one expose this optional method. */
export interface ModelContextWithExtraEmbedding extends ModelContext {
  /** [B, F, D] from an independent set of tables named `table` (same init and regulariser as featureEmbedding). */
  extraFeatureEmbedding?(table: string): Tensor;
}

export function build(ctx: ModelContextWithExtraEmbedding, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  const g = genEncoder(ctx, 'gen', e, n, cfg, true);
  recordInteraction(ctx, g, e);
  const P = (F * (F - 1)) / 2;
  const r = ctx.param('interaction_weight.weight', [P, 1], { kind: 'xavier_normal', fanIn: P, fanOut: 1 }, 'net');
  const pair = pairwiseInner(ctx, g.reshape([B, F, D]), E, F).matmul(r).squeeze([1]);
  let lin: Tensor;
  if (cfg.linearType === 'FiLV') lin = linear(ctx, 'linear', e, n, 1, false).squeeze([1]);
  else if (cfg.linearType === 'FeLV') {
    if (!ctx.extraFeatureEmbedding) throw new UserError('FwFM linear_type FeLV needs a second embedding table, which this engine context does not provide; use FiLV or LW');
    lin = E.mul(ctx.extraFeatureEmbedding('linear_embedding')).sum([1, 2]);
  } else lin = ctx.logisticRegression(false).squeeze([1]);
  return pair.add(lin);
}

/** Not a Table 1 row (the paper trains it for its analyses only). */
export const descriptor: ModelDescriptor = {
  name: 'FwFM',
  explicit: true,
  table1Order: null,
  paperKey: null,
  experiments: 'FwFM.yaml',
  keys: [key('linear_type', 'linearType', { oneOf: ['LW', 'FeLV', 'FiLV'] }, 'FiLV')],
  build: build as ModelDescriptor['build'],
  flops: (_cfg, F, D) => ({ body: ((F * (F - 1)) / 2) * (2 * D + 2) + 2 * F * D, encoderCount: 1 }),
};
