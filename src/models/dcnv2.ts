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
import { key, mlpFlops, type ModelDescriptor, type ModelKey } from './descriptor.js';

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

/**
 * DCNv2's own keys. The paper's ablation keys are read by config.ts's parseAblationKeys: the GEN ones
 * (exp_group_idx, field_share, more_layers, use_att) for every model, the target ones (DCNV2_TARGET_KEYS) here.
 */
export const DCNV2_KEYS: readonly ModelKey[] = [
  key('num_cross_layers', 'numCrossLayers', 'int', 3),
  key('model_structure', 'modelStructure', { oneOf: ['parallel', 'crossnet_only', 'stacked', 'stacked_parallel'] }, 'parallel'),
  key('parallel_dnn_hidden_units', 'parallelDnnHiddenUnits', 'units', []),
  key('stacked_dnn_hidden_units', 'stackedDnnHiddenUnits', 'units', []),
  key('dnn_activations', 'dnnActivations', 'activations', 'relu'),
  key('net_dropout', 'netDropout', 'number', 0),
  key('batch_norm', 'batchNorm', 'bool', false),
  key('use_gen_rst', 'useGenRst', 'bool', false),
  key('cross_drop', 'crossDrop', 'number', 0),
];

/** The target-selection keys of the paper's DCNv2, with the masked-target ones (c.2)-(c.4) (read by parseAblationKeys). */
export const DCNV2_TARGET_KEYS: readonly string[] = [
  'use_random_predict', 'use_high_cardinality_predict', 'use_low_cardinality_predict', 'num_target',
  'use_hard_mask_predict', 'use_mask_predict', 'use_masked_predict', 'use_field_mask_predict',
];

/** FuxiCTR's low-rank mixture options (inert while use_low_rank_mixture is false, all the engine builds) and GE4Rec's unused use_x0. */
export const DCNV2_INERT_KEYS: readonly string[] = ['low_rank', 'num_experts', 'use_x0'];

/** Cross layers (n×n bias-free W per layer), the DNN beside them, and the paper code's two-layer head. */
export function dcnv2Flops(cfg: ModelConfig, F: number, D: number): { body: number; encoderCount: number } {
  const n = F * D;
  let body = cfg.numCrossLayers * (2 * n * n + 3 * n);
  let d = n;
  if (cfg.modelStructure !== 'crossnet_only') {
    const m = mlpFlops(n, cfg.parallelDnnHiddenUnits);
    body += m.flops;
    d = n + m.last;
  }
  // the target-selection ablations replace the two-layer head by one Linear over the selected fields' terms
  if (cfg.predictTarget) body += 2 * (d - n + D * cfg.predictTarget.numTarget);
  else body += 2 * d * 2 * d + 2 * d + 2 * 2 * d;
  return { body, encoderCount: cfg.numCrossLayers };
}

export const descriptor: ModelDescriptor = {
  name: 'DCNv2',
  table1Order: 6,
  paperKey: 'DCNv2',
  experiments: 'DCNv2.yaml',
  keys: [...DCNV2_KEYS, key('use_low_rank_mixture', null, 'bool', false, (v) => (v === true ? 'the low-rank mixture of experts is not implemented (GE4Rec never uses it)' : null))],
  inertKeys: DCNV2_INERT_KEYS,
  parsedKeys: DCNV2_TARGET_KEYS,
  build,
  flops: dcnv2Flops,
  analysisRight: "the cross layer's transform W·x",
  // GE4Rec's CrossNet_* experiments are model DCNv2 with model_structure crossnet_only: that is CrossNetV2.
  trainedAs: (cfg) => (cfg.modelStructure === 'crossnet_only' ? 'CrossNetV2' : 'DCNv2'),
};
