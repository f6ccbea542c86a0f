// FmFM (field-matrixed), GE4Rec model_zoo/FmFM (facts §2.3): LR (bias) + Σ_{i<j} ⟨e_i·M_ij, g_j⟩; the raw e_i (row
// side) goes through M_ij and the generated g_j is on the column side. M (P×D×D) is a raw Parameter: xavier-normal
// with torch's 3-D fans (fan_in D·D, fan_out P·D) and never regularised. `vectorized` uses a P×D weight instead.
// GEN as in the third-party cleaned copy (GEN module with the config's kwargs, bias-free Linear); GE4Rec @1474189d
// calls GEN without kwargs (a KeyError) and @2054a inlines a biased Linear.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { concat } from '../engine/ops.js';
import { embed, recordInteraction } from './common.js';
import { genEncoder } from './layers/gen.js';
import { triuPairs } from './layers/interaction.js';
import { key, type ModelDescriptor } from './descriptor.js';

/**
 * Index of the (F·D)×(F·D) block matrix K with K[(j,c), (i,r)] = M_ij[r, c] for i<j (0 elsewhere) into
 * [vec(M); 0], so that Σ_{i<j} (e_i·M_ij)·g_j = Σ e ⊙ (g·K): one dense matmul, no [B, P, D] intermediates.
 */
function blockIndex(F: number, D: number, vectorized: boolean): number[] {
  const n = F * D;
  const { left, right } = triuPairs(F);
  const per = vectorized ? D : D * D;
  const idx = new Array<number>(n * n).fill(left.length * per); // the trailing zero
  left.forEach((i, k) => {
    const j = right[k];
    for (let r = 0; r < D; r++)
      for (let c = 0; c < D; c++) {
        if (vectorized && r !== c) continue;
        idx[(j * D + c) * n + (i * D + r)] = vectorized ? k * D + r : k * D * D + r * D + c;
      }
  });
  return idx;
}

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { e, F, D, n } = embed(ctx);
  const lr = ctx.logisticRegression(true);
  const g = genEncoder(ctx, 'gen', e, n, cfg);
  recordInteraction(ctx, g, e);
  const P = (F * (F - 1)) / 2;
  const vectorized = cfg.fieldInteractionType === 'vectorized';
  const M = vectorized
    ? ctx.param('interaction_weight', [P, D], { kind: 'xavier_normal', fanIn: D, fanOut: P }, 'none') // torch 2-D fans
    : ctx.param('interaction_weight', [P, D, D], { kind: 'xavier_normal', fanIn: D * D, fanOut: P * D }, 'none');
  const size = vectorized ? P * D : P * D * D;
  const padded = concat([M.reshape([size]), ctx.g.constant([0], [1])], 0);
  const K = padded.gather(ctx.g.constant(blockIndex(F, D, vectorized), [n, n], 'int64'), 0); // [n, n]
  return e.mul(g.matmul(K)).sum([1]).add(lr.squeeze([1]));
}

export const descriptor: ModelDescriptor = {
  name: 'FmFM',
  explicit: true,
  table1Order: 1,
  paperKey: 'FmFM',
  experiments: 'FmFM.yaml',
  keys: [key('field_interaction_type', 'fieldInteractionType', { oneOf: ['matrixed', 'vectorized'] }, 'matrixed')],
  build,
  flops: (_cfg, F, D) => ({ body: ((F * (F - 1)) / 2) * (2 * D * D + 2 * D) + F, encoderCount: 1 }),
};
