// IPNN = GE4Rec model_zoo/PNN with product_type inner (src @2054a, facts §2.5):
// MLP([vec(E); (⟨g_i, e_j⟩)_{i<j}]) with one output unit. PNN's MLP_Block has output_activation sigmoid; it is dropped
// here because models return logits and the trainer applies BCE-with-logits (same loss, numerically safer).
// The unused InnerProductInteraction module is not built.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { concat } from '../engine/ops.js';
import { embed, recordInteraction, toLogits } from './common.js';
import { genEncoder } from './layers/gen.js';
import { pairwiseInner } from './layers/interaction.js';
import { mlpBlock } from './layers/mlp.js';
import { DNN_KEYS, key, mlpFlops, type ModelDescriptor } from './descriptor.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  const g = genEncoder(ctx, 'gen', e, n, cfg);
  recordInteraction(ctx, g, e);
  const ip = pairwiseInner(ctx, g.reshape([B, F, D]), E, F);
  const P = (F * (F - 1)) / 2;
  const z = concat([e, ip], 1);
  const out = mlpBlock(ctx, 'dnn', z, {
    inputDim: n + P, hidden: cfg.hiddenUnits, activations: cfg.hiddenActivations,
    dropout: cfg.netDropout, batchNorm: cfg.batchNorm, outputDim: 1,
  });
  return toLogits(out);
}

export const descriptor: ModelDescriptor = {
  name: 'IPNN',
  aliases: ['PNN'],
  table1Order: 5,
  paperKey: 'IPNN',
  experiments: 'IPNN.yaml',
  keys: [
    ...DNN_KEYS,
    key('product_type', 'productType', { oneOf: ['inner'] }, 'inner'),
  ],
  build,
  flops: (cfg, F, D) => {
    const P = (F * (F - 1)) / 2;
    return { body: P * 2 * D + mlpFlops(F * D + P, cfg.hiddenUnits, 1).flops, encoderCount: 1 };
  },
};
