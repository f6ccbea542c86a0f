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
