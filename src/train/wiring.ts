// The joins between the trainer and the other parts: experiment configs (src/models), the engine
// (src/engine/engine.ts) and the data pipeline (src/data/prepare.ts, ensureDataset).
import type { EngineLike, EngineOptions } from '../engine/api.js';
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { progressBar, type Progress } from '../util/progress.js';
import { Engine } from '../engine/engine.js';
import { ensureDataset } from '../data/prepare.js';
import type { DatasetName as DataDatasetName } from '../data/datasets.js';
import { defaultExperiment, loadExperiment, modelFn, type ExperimentConfig } from '../models/index.js';
import type { DatasetName, Paradigm } from '../models/config.js';

export const DATASETS = ['criteo_x1', 'avazu_x4', 'synthetic-criteo', 'synthetic-avazu'] as const;
export type DatasetArg = (typeof DATASETS)[number];
export const TABLE_MODELS = ['FM', 'FmFM', 'CrossNetV2', 'DeepFM', 'xDeepFM', 'IPNN', 'DCNv2'] as const;
export const ALL_MODELS = [...TABLE_MODELS, 'FwFM'] as const;

/** Synthetic data are trained with the hyper-parameters of the real dataset they imitate. */
export function templateDataset(dataset: string): DatasetName {
  if (dataset === 'criteo_x1' || dataset === 'synthetic-criteo') return 'criteo_x1';
  if (dataset === 'avazu_x4' || dataset === 'synthetic-avazu') return 'avazu_x4';
  throw new UserError(`--dataset: unknown dataset '${dataset}' (expected one of ${DATASETS.join(', ')})`);
}

export function resolveExperiment(o: { model?: string; dataset: string; paradigm?: Paradigm; configFile?: string; expid?: string }): ExperimentConfig {
  if (o.configFile) {
    if (!o.expid) throw new UserError('--config needs --expid (the experiment id inside the file)');
    return loadExperiment(o.configFile, o.expid);
  }
  if (!o.model || !o.paradigm) throw new UserError('--model and --paradigm are required without --config');
  return defaultExperiment(o.model, templateDataset(o.dataset), o.paradigm);
}

export interface EngineChoice {
  device: 'cpu' | 'cuda';
  embeddingOptimizer: 'dense' | 'lazy';
  threads?: number;
}

export function engineOptions(exp: ExperimentConfig, fields: FieldInfo[], seed: number, choice: EngineChoice): EngineOptions {
  return {
    model: modelFn(exp.modelConfig),
    fields,
    embeddingDim: exp.embeddingDim,
    learningRate: exp.learningRate,
    embeddingRegularizer: exp.embeddingRegularizer,
    netRegularizer: exp.netRegularizer,
    clipNorm: 10, // FuxiCTR fit(max_gradient_norm=10.)
    embeddingOptimizer: choice.embeddingOptimizer,
    seed,
    device: choice.device,
    threads: choice.threads,
  };
}

export function createEngine(opts: EngineOptions): Promise<EngineLike> {
  return Engine.create(opts);
}

export interface OpenedData {
  dir: string;
  fields: FieldInfo[];
  splits: Record<Split, SplitSource>;
}

export interface DataOptions {
  dataDir: string;
  rows?: number;
  seed?: number;
  /** Show progress bars while a synthetic dataset is generated and encoded. */
  progress?: boolean;
}

/** The dataset's fields and splits; for real datasets that are not prepared it throws the UserError naming `ge4rec prepare`. */
export async function openData(dataset: string, opts: DataOptions): Promise<OpenedData> {
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new UserError(`--dataset: unknown dataset '${dataset}' (expected one of ${DATASETS.join(', ')})`);
  let bar: Progress | null = null;
  let phase = '';
  const onProgress = (ph: string, done: number, total: number) => {
    if (ph !== phase) {
      bar?.stop();
      phase = ph;
      bar = progressBar(ph, total, { enabled: opts.progress });
    }
    bar?.update(done);
  };
  try {
    return await ensureDataset(dataset as DataDatasetName, { dataDir: opts.dataDir, rows: opts.rows, seed: opts.seed, onProgress });
  } finally {
    (bar as Progress | null)?.stop();
  }
}
