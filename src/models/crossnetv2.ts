// CrossNetV2 = DCNv2 with model_structure crossnet_only (GE4Rec's CrossNet_* ids; FuxiCTR class DCNv2): the same
// graph as dcnv2.ts with no DNN beside the cross layers.
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { UserError } from '../util/errors.js';
import { build as dcnv2, dcnv2Flops, descriptor as dcnv2Descriptor } from './dcnv2.js';
import type { ModelDescriptor } from './descriptor.js';

export function build(ctx: ModelContext, cfg: ModelConfig): Tensor {
  if (cfg.modelStructure !== 'crossnet_only') throw new UserError(`CrossNetV2 needs model_structure crossnet_only (got ${cfg.modelStructure})`);
  return dcnv2(ctx, cfg);
}

export const descriptor: ModelDescriptor = {
  name: 'CrossNetV2',
  explicit: true,
  aliases: ['CrossNet'],
  table1Order: 2,
  paperKey: 'CrossNetV2',
  experiments: 'CrossNetV2.yaml',
  keys: dcnv2Descriptor.keys,
  inertKeys: dcnv2Descriptor.inertKeys,
  parsedKeys: dcnv2Descriptor.parsedKeys,
  build,
  flops: dcnv2Flops,
  analysisRight: dcnv2Descriptor.analysisRight,
  validate: (cfg) =>
    cfg.modelStructure === 'crossnet_only' ? null : { key: 'model_structure', message: `CrossNetV2 needs model_structure crossnet_only (got ${cfg.modelStructure}); use model DCNv2 for the other structures` },
};
