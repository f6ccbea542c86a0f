// xDeepFM, GE4Rec model_zoo/xDeepFM (facts §2.6): LR (no bias) + CIN + MLP(vec(E)) with one output unit.
// Each CIN layer k has its own GEN_k applied to the raw E; the DNN sees the raw E; no DNN when dnn_hidden_units is [].
// The unused top-level Linear(F·D → F·D) of the @2054a src is not built.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { UserError } from '../util/errors.js';
import { embed, recordInteraction, toLogits } from './common.js';
import { genEncoder } from './layers/gen.js';
import { cinLogit } from './layers/cin.js';
import { mlpBlock } from './layers/mlp.js';
import { key, mlpFlops, type ModelDescriptor } from './descriptor.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { E, e, B, F, D, n } = embed(ctx);
  if (cfg.cinHiddenUnits.length === 0) throw new UserError('xDeepFM: cin_hidden_units is empty');
  let y = ctx.logisticRegression(false);
  y = y.add(
    cinLogit(ctx, E, F, D, cfg.cinHiddenUnits, (k) => {
      const g = genEncoder(ctx, `cin.gen.${k}`, e, n, cfg);
      recordInteraction(ctx, g, e, k);
      return g.reshape([B, F, D]);
    }),
  );
  if (cfg.dnnHiddenUnits.length > 0)
    y = y.add(
      mlpBlock(ctx, 'dnn', e, {
        inputDim: n, hidden: cfg.dnnHiddenUnits, activations: cfg.dnnActivations,
        dropout: cfg.netDropout, batchNorm: cfg.batchNorm, outputDim: 1,
      }),
    );
  return toLogits(y);
}

export const descriptor: ModelDescriptor = {
  name: 'xDeepFM',
  table1Order: 4,
  paperKey: 'xDeepFM',
  experiments: 'xDeepFM.yaml',
  keys: [
    key('cin_hidden_units', 'cinHiddenUnits', 'units', []),
    key('dnn_hidden_units', 'dnnHiddenUnits', 'units', []),
    key('dnn_activations', 'dnnActivations', 'activations', 'relu'),
    key('net_dropout', 'netDropout', 'number', 0),
    key('batch_norm', 'batchNorm', 'bool', false),
  ],
  // GE4Rec's xDeepFM_*_fs_debug configs set use_gen_rst, which its xDeepFM never reads; its DNN takes
  // dnn_activations, so hidden_activations is ignored.
  inertKeys: ['use_gen_rst', 'hidden_activations'],
  build,
  flops: (cfg, F, D) => {
    let body = 0;
    let h = F;
    let pooled = 0;
    for (const hk of cfg.cinHiddenUnits) {
      body += F * h * D + 2 * F * h * hk * D + hk * D;
      pooled += hk;
      h = hk;
    }
    body += 2 * pooled + mlpFlops(F * D, cfg.dnnHiddenUnits, 1).flops + F;
    return { body, encoderCount: cfg.cinHiddenUnits.length };
  },
};
