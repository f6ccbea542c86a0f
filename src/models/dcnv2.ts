// DCNv2 / CrossNetV2, GE4Rec model_zoo/DCNv2 (src @2054a, facts §2.7). Cross layers in layers/cross.ts (one GEN per
// layer, bias-free W). Structures: parallel [x_L; MLP(x_0)], crossnet_only x_L, stacked MLP(x_L), stacked_parallel
// [MLP_s(x_L); MLP_p(x_0)]. GE4Rec's head is Linear(d → 2d), ReLU, Linear(2d → 1) (upstream: one Linear), in DIS too.
// Unused modules of the src (transform_layers, batch_norm_layers, bn) are not built.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { concat } from '../engine/ops.js';
import { embed, toLogits } from './common.js';
import { crossNet } from './layers/cross.js';
import { mlpBlock, mlpOutputDim, type MlpOptions } from './layers/mlp.js';
import { linear } from './layers/linear.js';
import { UserError } from '../util/errors.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  const { e: x0, n } = embed(ctx);
  const xL = crossNet(ctx, x0, n, cfg);
  const dnn = (units: number[], inputDim: number): MlpOptions => ({
    inputDim, hidden: units, activations: cfg.dnnActivations, dropout: cfg.netDropout, batchNorm: cfg.batchNorm,
  });
  let h: Tensor;
  let d: number;
  switch (cfg.modelStructure) {
    case 'crossnet_only':
      h = xL;
      d = n;
      break;
    case 'parallel': {
      const o = dnn(cfg.parallelDnnHiddenUnits, n);
      h = concat([xL, mlpBlock(ctx, 'parallel_dnn', x0, o)], 1);
      d = n + mlpOutputDim(o);
      break;
    }
    case 'stacked': {
      const o = dnn(cfg.stackedDnnHiddenUnits, n);
      h = mlpBlock(ctx, 'stacked_dnn', xL, o);
      d = mlpOutputDim(o);
      break;
    }
    case 'stacked_parallel': {
      const s = dnn(cfg.stackedDnnHiddenUnits, n);
      const p = dnn(cfg.parallelDnnHiddenUnits, n);
      h = concat([mlpBlock(ctx, 'stacked_dnn', xL, s), mlpBlock(ctx, 'parallel_dnn', x0, p)], 1);
      d = mlpOutputDim(s) + mlpOutputDim(p);
      break;
    }
  }
  if (cfg.predictTarget) {
    // The paper's DCNv2 replaces its head by one Linear(D·num_target + last parallel DNN width, 1) when a target
    // selection is on; its shapes only fit the parallel structure.
    if (cfg.modelStructure !== 'parallel') throw new UserError(`the target-selection heads (use_*_predict) need model_structure parallel, got ${cfg.modelStructure}`);
    return toLogits(linear(ctx, 'fc', h, d - n + (n / ctx.fields.length) * cfg.predictTarget.numTarget, 1));
  }
  const hidden = linear(ctx, 'fc.0', h, d, 2 * d).relu();
  return toLogits(linear(ctx, 'fc.1', hidden, 2 * d, 1));
}
