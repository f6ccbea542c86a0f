// One training run on disk: results/<dataset>/<model>/<paradigm>/seed-<s>/ with config.json, history.{json,csv},
// model.onnx (the best weights, with its model card, deploy/model-card.ts; `analyze` reloads the weights from it),
// test_predictions.parquet and metrics.json (written last: its presence marks a finished run); then the dataset's
// Table 1 / Table 5 are rewritten from every run found. While it trains, the run also holds checkpoints/ (per-epoch
// and best-epoch engine checkpoints, for --resume); a finished run drops them, and keeps best/ (the best weights with
// Adam's state) only with keepCheckpoints.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EngineLike } from '../engine/api.js';
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import type { ExperimentConfig } from '../models/config.js';
import { tmpNameFor, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { fit, type EpochRecord, type FitResult } from './fit.js';
import { cardFields, cardToMetadata, datasetFacts } from '../deploy/model-card.js';
import { TEST_PREDICTIONS, writePredictionsParquet } from './predictions.js';
import { writeTables, type RunMetrics } from './tables.js';
import type { EngineChoice } from './wiring.js';

export interface RunConfigJson {
  dataset: string;
  model: string;
  paradigm: 'dis' | 'gen';
  seed: number;
  expid: string;
  /** Resolved experiment (seed and epochs as used). */
  experiment: ExperimentConfig;
  engine: EngineChoice;
  data: { dataDir: string; dir: string; rows?: number; seed?: number };
  fields: FieldInfo[];
}

export function runDir(resultsDir: string, dataset: string, model: string, paradigm: string, seed: number): string {
  return join(resultsDir, dataset, model, paradigm, `seed-${seed}`);
}

export interface RunOptions {
  resultsDir: string;
  dataset: string;
  exp: ExperimentConfig;
  seed: number;
  engine: EngineChoice;
  data: { dataDir: string; dir: string; rows?: number; seed?: number; fields: FieldInfo[]; splits: Record<Split, SplitSource> };
  maxEpochs?: number;
  resume?: boolean;
  /** Keep best/ (engine checkpoint of the best weights, Adam state included) after the run finished. */
  keepCheckpoints?: boolean;
  progress?: boolean;
  log?: (msg: string) => void;
  createEngine: (exp: ExperimentConfig, fields: FieldInfo[], seed: number) => Promise<EngineLike>;
}

export interface RunOutcome {
  dir: string;
  metrics: RunMetrics;
  skipped: boolean;
}

function historyCsv(h: EpochRecord[]): string {
  const valKeys = [...new Set(h.flatMap((r) => Object.keys(r.val)))];
  const head = ['epoch', 'train_loss', ...valKeys.map((k) => `val_${k}`), 'monitor', 'lr', 'next_lr', 'improved', 'seconds', 'samples_per_sec', 'peak_rss_mb'];
  const rows = h.map((r) => [r.epoch, r.train_loss, ...valKeys.map((k) => r.val[k]), r.monitor, r.lr, r.next_lr, r.improved, r.seconds, r.samples_per_sec, r.peak_rss_mb].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** Writes a directory produced by `write(tmp)` under a temporary name, then renames it over `dir`. */
function writeDirAtomic(dir: string, write: (tmp: string) => void): void {
  const tmp = tmpNameFor(dir);
  rmSync(tmp, { recursive: true, force: true });
  try {
    write(tmp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function runOne(o: RunOptions): Promise<RunOutcome> {
  const exp: ExperimentConfig = { ...o.exp, seed: o.seed, epochs: o.maxEpochs ?? o.exp.epochs };
  const dir = runDir(o.resultsDir, o.dataset, exp.model, exp.paradigm, o.seed);
  const metricsPath = join(dir, 'metrics.json');
  const log = o.log ?? (() => {});
  if (o.resume && existsSync(metricsPath)) {
    log(`${dir}: already finished, skipped`);
    return { dir, metrics: JSON.parse(readFileSync(metricsPath, 'utf8')) as RunMetrics, skipped: true };
  }
  if (!o.resume) rmSync(dir, { recursive: true, force: true });
  const config: RunConfigJson = {
    dataset: o.dataset,
    model: exp.model,
    paradigm: exp.paradigm,
    seed: o.seed,
    expid: exp.expid,
    experiment: exp,
    engine: o.engine,
    data: { dataDir: o.data.dataDir, dir: o.data.dir, rows: o.data.rows, seed: o.data.seed },
    fields: o.data.fields,
  };
  writeJsonAtomic(join(dir, 'config.json'), config);

  const engine = await o.createEngine(exp, o.data.fields, o.seed);
  let res: FitResult;
  try {
    res = await fit(
      engine,
      o.data.splits,
      {
        epochs: exp.epochs,
        batchSize: exp.batchSize,
        learningRate: exp.learningRate,
        seed: o.seed,
        monitor: exp.monitor,
        metrics: exp.metrics,
        earlyStopPatience: exp.earlyStopPatience,
        checkpointDir: join(dir, 'checkpoints'),
        resume: o.resume,
        progress: o.progress,
        label: `${exp.model} ${exp.paradigm.toUpperCase()} seed ${o.seed}`,
      },
      { log: (m) => log(`${exp.model} ${exp.paradigm.toUpperCase()} seed ${o.seed}: ${m}`) },
    );
    // The engine now holds the best weights (fit reloaded them).
    writeJsonAtomic(join(dir, 'history.json'), res.history);
    writeFileAtomic(join(dir, 'history.csv'), historyCsv(res.history));
    if (o.keepCheckpoints) writeDirAtomic(join(dir, 'best'), (tmp) => engine.saveCheckpoint(tmp));
    else rmSync(join(dir, 'best'), { recursive: true, force: true });
    const onnxTmp = tmpNameFor(join(dir, 'model.onnx'));
    const facts = datasetFacts(o.data.dir);
    engine.exportOnnx(onnxTmp, cardToMetadata({
      fields: cardFields(o.data.fields), label: facts.label, dataset: o.dataset, datasetId: basename(o.data.dir),
      featureMapSha256: facts.featureMap, featureVocabSha256: facts.featureVocab,
      model: exp.model, paradigm: exp.paradigm, expid: exp.expid, seed: o.seed, bestEpoch: res.bestEpoch, valid: res.valid, test: res.test,
    }));
    renameSync(onnxTmp, join(dir, 'model.onnx'));
    if (res.testPredictions) writePredictionsParquet(join(dir, TEST_PREDICTIONS), res.testPredictions.labels, res.testPredictions.preds);
  } finally {
    await engine.dispose();
  }
  const metrics: RunMetrics & Record<string, unknown> = {
    dataset: o.dataset,
    model: exp.model,
    paradigm: exp.paradigm,
    seed: o.seed,
    expid: exp.expid,
    valid: res.valid,
    test: res.test,
    best_epoch: res.bestEpoch,
    epochs_run: res.epochsRun,
    stopped_early: res.stoppedEarly,
    seconds_per_epoch: res.secondsPerEpoch,
    train_samples_per_sec: res.history.reduce((a, h) => a + h.samples_per_sec, 0) / Math.max(res.history.length, 1),
    peak_rss_mb: Math.max(res.peakRssMb, ...res.history.map((h) => h.peak_rss_mb)),
    train_rows: o.data.splits.train.rows,
    valid_rows: o.data.splits.valid.rows,
    test_rows: o.data.splits.test.rows,
    resumed_from_epoch: res.resumedFromEpoch,
    finished_at: new Date().toISOString(),
  };
  writeJsonAtomic(metricsPath, metrics);
  rmSync(join(dir, 'checkpoints'), { recursive: true, force: true });
  writeTables(o.resultsDir, o.dataset);
  log(`${dir}: test ${Object.entries(res.test).map(([k, v]) => `${k} ${v.toFixed(6)}`).join(', ')} (best epoch ${res.bestEpoch} of ${res.epochsRun})`);
  return { dir, metrics, skipped: false };
}

export function readRunConfig(dir: string): RunConfigJson {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) throw new Error(`${dir} is not a run folder (no config.json)`);
  return JSON.parse(readFileSync(p, 'utf8')) as RunConfigJson;
}

