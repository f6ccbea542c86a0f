// Model lookup for the engine: a parsed config → its catalog descriptor's build(ctx, cfg), returning logits [B].
import type { ModelFn } from '../engine/api.js';
import type { ModelConfig } from './config.js';
import { getDescriptor } from './catalog.js';
import type { ModelBuilder } from './descriptor.js';

export type { ModelBuilder, ModelDescriptor } from './descriptor.js';

export function getModel(name: string): ModelBuilder {
  return getDescriptor(name).build;
}

/** The engine's ModelFn for a parsed config. */
export function modelFn(cfg: ModelConfig): ModelFn {
  const b = getModel(cfg.model);
  return (ctx) => b(ctx, cfg);
}

export { loadExperiment, defaultExperiment, listExperiments, type ExperimentConfig, type ModelConfig } from './config.js';
export { allModels, findModel, getDescriptor, modelNames, registerModel, table1Models, unregisterModel } from './catalog.js';
