// Reopens a finished run for `ge4rec analyze`: rebuilds the engine from config.json and loads the best weights,
// from best/ where the run kept its checkpoint (--keep-checkpoints), else from model.onnx.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineLike } from '../engine/api.js';
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { readRunConfig, type RunConfigJson } from './run.js';
import { createEngine, engineOptions, openData } from './wiring.js';

export interface OpenedRun {
  engine: EngineLike;
  config: RunConfigJson;
  fields: FieldInfo[];
  splits: Record<Split, SplitSource>;
}

export async function openRun(dir: string, opts: { dataDir?: string } = {}): Promise<OpenedRun> {
  if (!existsSync(join(dir, 'config.json'))) throw new UserError(`${dir}: not a run folder (no config.json); runs live in results/<dataset>/<model>/<dis|gen>/seed-<s>/`);
  const best = join(dir, 'best');
  const onnx = join(dir, 'model.onnx');
  if (!existsSync(best) && !existsSync(onnx))
    throw new UserError(`${dir}: the run has neither model.onnx nor best/ (unfinished?); finish it with 'ge4rec reproduce ... --resume'`);
  const config = readRunConfig(dir);
  const data = await openData(config.dataset, { dataDir: opts.dataDir ?? config.data.dataDir, rows: config.data.rows, seed: config.data.seed });
  const engine = await createEngine(engineOptions(config.experiment, config.fields, config.seed, config.engine));
  if (existsSync(best)) engine.loadCheckpoint(best);
  else if (engine.loadOnnxWeights) engine.loadOnnxWeights(onnx);
  else throw new Error('this engine cannot load weights from model.onnx');
  return { engine, config, fields: config.fields, splits: data.splits };
}
