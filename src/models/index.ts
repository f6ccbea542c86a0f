// The model registry: name → build(ctx, cfg) returning logits [B].
import type { Tensor } from '../engine/graph.js';
import type { ModelContext, ModelFn } from '../engine/api.js';
import { UserError } from '../util/errors.js';
import type { ModelConfig } from './config.js';
import { build as fm } from './fm.js';
import { build as fmfm } from './fmfm.js';
import { build as fwfm } from './fwfm.js';
import { build as deepfm } from './deepfm.js';
import { build as ipnn } from './ipnn.js';
import { build as xdeepfm } from './xdeepfm.js';
import { build as dcnv2 } from './dcnv2.js';

export type ModelBuilder = (ctx: ModelContext, cfg: ModelConfig) => Tensor;

function crossNetV2(ctx: ModelContext, cfg: ModelConfig): Tensor {
  // GE4Rec's CrossNet_* ids are DCNv2 with model_structure crossnet_only.
  if (cfg.modelStructure !== 'crossnet_only') throw new UserError(`CrossNetV2 needs model_structure crossnet_only (got ${cfg.modelStructure})`);
  return dcnv2(ctx, cfg);
}

export const MODELS: Readonly<Record<string, ModelBuilder>> = {
  FM: fm,
  FmFM: fmfm,
  FwFM: fwfm,
  DeepFM: deepfm,
  IPNN: ipnn,
  PNN: ipnn,
  xDeepFM: xdeepfm,
  DCNv2: dcnv2,
  CrossNetV2: crossNetV2,
};

export function getModel(name: string): ModelBuilder {
  const hit = MODELS[name] ?? Object.entries(MODELS).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (!hit) throw new UserError(`unknown model '${name}' (expected one of ${Object.keys(MODELS).join(', ')})`);
  return hit;
}

/** The engine's ModelFn for a parsed config. */
export function modelFn(cfg: ModelConfig): ModelFn {
  const b = getModel(cfg.model);
  return (ctx) => b(ctx, cfg);
}

export { loadExperiment, defaultExperiment, listExperiments, type ExperimentConfig, type ModelConfig } from './config.js';
