// DeepFM, cleaned GE4Rec src @1474189d (facts §2.2): LR (bias) + Σ_{i<j} ⟨g_i, e_j⟩ + linear_out(MLP(vec(E))).
// The DNN sees the raw E; the MLP has no output layer and a separate linear_out Linear(H_last → 1, bias) follows.
// (The older @2054a src summed all F×F ordered pairs raw×gen including the diagonal; we follow the cleaned one.)
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { embed, recordInteraction, toLogits } from './common.js';
import { genEncoder } from './layers/gen.js';
import { pairwiseSum } from './layers/interaction.js';
import { mlpBlock, mlpOutputDim, type MlpOptions } from './layers/mlp.js';
import { linear } from './layers/linear.js';
import { DNN_KEYS, mlpFlops, type ModelDescriptor } from './descriptor.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  const lr = ctx.logisticRegression(true);
  const g = genEncoder(ctx, 'gen', e, n, cfg);
  recordInteraction(ctx, g, e);
  const G = g.reshape([B, F, D]);
  const fm = pairwiseSum(ctx, G, cfg.symmetric ? G : E, F);
  const o: MlpOptions = { inputDim: n, hidden: cfg.hiddenUnits, activations: cfg.hiddenActivations, dropout: cfg.netDropout, batchNorm: cfg.batchNorm };
  const dnn = linear(ctx, 'linear_out', mlpBlock(ctx, 'dnn', e, o), mlpOutputDim(o), 1);
  return fm.add(toLogits(lr.add(dnn)));
}

export const descriptor: ModelDescriptor = {
  name: 'DeepFM',
  table1Order: 3,
  paperKey: 'DeepFM',
  experiments: 'DeepFM.yaml',
  keys: DNN_KEYS,
  build,
  flops: (cfg, F, D) => ({ body: ((F * (F - 1)) / 2) * 2 * D + F + mlpFlops(F * D, cfg.hiddenUnits, 1).flops, encoderCount: 1 }),
};
