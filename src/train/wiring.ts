// The joins between the trainer and the other parts: experiment configs (src/models), the engine
// (src/engine/engine.ts) and the data pipeline (src/data/prepare.ts, ensureDataset).
import type { EngineLike, EngineOptions } from '../engine/api.js';
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { progressBar, type Progress } from '../util/progress.js';
import { Engine } from '../engine/engine.js';
import { ensureDataset } from '../data/prepare.js';
import { getDataset, resolveDataset, type ReleaseName } from '../data/catalog.js';
import { defaultExperiment, findModel, loadExperiment, modelFn, modelNames, table1Models, type ExperimentConfig } from '../models/index.js';
import type { LoadOptions, Paradigm } from '../models/config.js';

/**
 * The release whose experiment ids a dataset trains with: a built-in dataset's own (synthetic data: the release it
 * imitates); a dataset of yours: --hparams, criteo_x1 by default.
 */
export function templateDataset(dataset: string, hparams?: ReleaseName): ReleaseName {
  const own = getDataset(dataset).hparams;
  if (own && hparams && own !== hparams) throw new UserError(`--hparams ${hparams}: ${dataset} trains with its own release's hyper-parameters (${own}); --hparams is for datasets of yours`);
  return own ?? hparams ?? 'criteo_x1';
}

/**
 * A --model/--models list: comma-separated catalog names (aliases allowed, case-insensitive), or 'all' (or nothing
 * when `dflt` is given) for Table 1's models. Returns catalog names.
 */
export function parseModelList(arg: string | undefined, flag: string): string[] {
  if (arg === undefined || arg === 'all') return table1Models();
  const names = arg.split(',').map((m) => m.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError(`${flag}: no model given`);
  return names.map((m) => {
    const d = findModel(m);
    if (!d) throw new UserError(`${flag}: unknown model '${m}'; expected one of ${modelNames().join(', ')} or 'all'`);
    return d.name;
  });
}

export function resolveExperiment(o: {
  model?: string;
  dataset: string;
  paradigm?: Paradigm;
  configFile?: string;
  expid?: string;
  hparams?: ReleaseName;
  load?: LoadOptions;
}): ExperimentConfig {
  if (o.configFile) {
    if (!o.expid) throw new UserError('--config needs --expid (the experiment id inside the file)');
    return loadExperiment(o.configFile, o.expid, o.load);
  }
  if (!o.model || !o.paradigm) throw new UserError('--model and --paradigm are required without --config');
  return defaultExperiment(o.model, templateDataset(o.dataset, o.hparams), o.paradigm);
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
  resolveDataset(dataset, opts.dataDir); // a UserError listing the known datasets (a prepared one of yours is registered)
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
    return await ensureDataset(dataset, { dataDir: opts.dataDir, rows: opts.rows, seed: opts.seed, onProgress });
  } finally {
    (bar as Progress | null)?.stop();
  }
}
