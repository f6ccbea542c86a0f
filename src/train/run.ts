// One training run on disk: results/<dataset>/<model>/<paradigm>/seed-<s>/ with config.json, history.{json,csv},
// model.onnx (the best weights, with its model card, deploy/model-card.ts; `analyze` reloads the weights from it),
// test_predictions.parquet and metrics.json (its presence marks a finished run); then the dataset's Table 1 / Table 5
// are rewritten from every finished run found. A run trains in seed-<s>.partial/ (with checkpoints/: per-epoch and
// best-epoch engine checkpoints with checksums, for --resume) and is renamed to seed-<s>/ only when it has finished
// and passes the publish rule; a finished run drops its checkpoints, and keeps best/ (the best weights with Adam's
// state) only with keepCheckpoints.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { EngineLike } from '../engine/api.js';
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import type { ExperimentConfig } from '../models/config.js';
import { readJsonFile, tmpNameFor, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { isDiskFull } from '../data/archive.js';
import { releaseNames } from '../data/catalog.js';
import { fit, type EpochRecord, type FitResult } from './fit.js';
import { cardFields, cardToMetadata, datasetFacts } from '../deploy/model-card.js';
import { TEST_PREDICTIONS, writePredictionsParquet } from './predictions.js';
import { writeTables, type RunMetrics } from './tables.js';
import { FAILED_FILE, publishProblems, RunNotPublished } from './publish.js';
import { UserError } from '../util/errors.js';
import { checkName, inside } from '../util/safe-path.js';
import { recoverSwap, swapDir } from '../util/swap.js';
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

/**
 * The Table 1 row and results folder of what an experiment trains: the catalog name of the trained model (a DCNv2
 * with crossnet_only is CrossNetV2) for the built-in ids `<Model>_<release>_<dis|gen>`, and `<Model>+<expid>` for
 * any other expid, so that two experiments never share a folder.
 */
export function runLabel(exp: Pick<ExperimentConfig, 'model' | 'paradigm' | 'expid'>): string {
  checkName(exp.model, 'model');
  checkName(exp.expid, 'expid');
  if (releaseNames().some((r) => exp.expid === `${exp.model}_${r}_${exp.paradigm}`)) return exp.model;
  return checkName(`${exp.model}+${exp.expid}`, 'run label');
}

/** results/<dataset>/<model>/<paradigm>/seed-<s>, each name checked as a folder name and the result inside resultsDir. */
export function runDir(resultsDir: string, dataset: string, model: string, paradigm: string, seed: number): string {
  const parts = [checkName(dataset, 'dataset'), checkName(model, 'model'), checkName(paradigm, 'paradigm'), `seed-${seedNumber(seed)}`];
  return inside(resultsDir, join(resultsDir, ...parts), `run folder of ${model} ${paradigm} seed ${seed}`);
}

function seedNumber(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new UserError(`seed: ${seed} is not an integer`);
  return seed;
}

/** Where a run trains until it is finished and published (then it is renamed to its run folder). */
export const partialDir = (dir: string) => `${dir}.partial`;

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

/**
 * Trains one run in `<run>.partial/` and renames it to `<run>/` only once it has finished and passed the publish
 * rule (publish.ts), so a failed or interrupted rerun never destroys a finished run. A run that fails the rule keeps
 * its folder `<run>.partial/` with failed.json (the reasons) and the call throws.
 */
export async function runOne(o: RunOptions): Promise<RunOutcome> {
  const exp: ExperimentConfig = { ...o.exp, seed: o.seed, epochs: o.maxEpochs ?? o.exp.epochs };
  checkName(exp.expid, 'expid');
  // the paper's ablation variants live in <model>/<expid>/ (src/ablation); any other experiment in <label>/<paradigm>/
  const label = exp.variant ? exp.model : runLabel(exp);
  const dir = runDir(o.resultsDir, o.dataset, label, exp.variant ?? exp.paradigm, o.seed);
  const work = partialDir(dir);
  const metricsPath = join(dir, 'metrics.json');
  const log = o.log ?? (() => {});
  recoverSwap(dir);
  const config: RunConfigJson = {
    dataset: o.dataset,
    model: label,
    paradigm: exp.paradigm,
    seed: o.seed,
    expid: exp.expid,
    experiment: exp,
    engine: o.engine,
    data: { dataDir: o.data.dataDir, dir: o.data.dir, rows: o.data.rows, seed: o.data.seed },
    fields: o.data.fields,
  };
  if (o.resume && existsSync(metricsPath)) {
    refuseChangedConfig(dir, config);
    log(`${dir}: already finished, skipped`);
    return { dir, metrics: readJson<RunMetrics>(metricsPath, AFRESH), skipped: true };
  }
  const resuming = o.resume === true && existsSync(join(work, 'config.json'));
  if (resuming) refuseChangedConfig(work, config);
  else rmSync(work, { recursive: true, force: true });
  rmSync(join(work, FAILED_FILE), { force: true });
  writeJsonAtomic(join(work, 'config.json'), config);

  const engine = await o.createEngine(exp, o.data.fields, o.seed);
  let res: FitResult;
  try {
    res = await trainAndWrite();
  } catch (e) {
    // a full disk while checkpointing or writing names the run folder (the finished run, if any, is untouched)
    if (isDiskFull(e)) throw new UserError(`Disk full while writing ${work} (${(e as NodeJS.ErrnoException).code})`, 'free some space, then run the same command with --resume');
    throw e;
  } finally {
    await engine.dispose();
  }
  async function trainAndWrite(): Promise<FitResult> {
    let res: FitResult;
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
        checkpointDir: join(work, 'checkpoints'),
        resume: resuming,
        progress: o.progress,
        label: `${label} ${exp.paradigm.toUpperCase()} seed ${o.seed}`,
      },
      { log: (m) => log(`${label} ${exp.paradigm.toUpperCase()} seed ${o.seed}: ${m}`) },
    );
    writeJsonAtomic(join(work, 'history.json'), res.history);
    writeFileAtomic(join(work, 'history.csv'), historyCsv(res.history));
    const problems = publishProblems(res);
    if (problems.length) {
      writeJsonAtomic(join(work, FAILED_FILE), { reasons: problems, best_epoch: res.bestEpoch, epochs_run: res.epochsRun, valid: res.valid, test: res.test, failed_at: new Date().toISOString() });
      throw new RunNotPublished(
        `${exp.model} ${exp.paradigm.toUpperCase()} seed ${o.seed} is not published: ${problems.join('; ')}. The run is kept in ${work} (see ${FAILED_FILE})` +
          (existsSync(metricsPath) ? `; the finished run in ${dir} is unchanged` : ''),
        'check the configuration (learning rate, epochs) and the data (both classes in every split), then run again',
      );
    }
    // The engine now holds the best weights (fit reloaded them).
    if (o.keepCheckpoints) writeDirAtomic(join(work, 'best'), (tmp) => engine.saveCheckpoint(tmp));
    else rmSync(join(work, 'best'), { recursive: true, force: true });
    const onnxTmp = tmpNameFor(join(work, 'model.onnx'));
    const facts = datasetFacts(o.data.dir);
    engine.exportOnnx(onnxTmp, cardToMetadata({
      fields: cardFields(o.data.fields), label: facts.label, dataset: o.dataset, datasetId: basename(o.data.dir),
      featureMapSha256: facts.featureMap, featureVocabSha256: facts.featureVocab,
      model: exp.model, paradigm: exp.paradigm, expid: exp.expid, seed: o.seed, bestEpoch: res.bestEpoch, valid: res.valid, test: res.test,
    }));
    renameSync(onnxTmp, join(work, 'model.onnx'));
    if (res.testPredictions) writePredictionsParquet(join(work, TEST_PREDICTIONS), res.testPredictions.labels, res.testPredictions.preds);
    return res;
  }
  const metrics: RunMetrics & Record<string, unknown> = {
    dataset: o.dataset,
    model: label,
    trained_model: exp.model,
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
  writeJsonAtomic(join(work, 'metrics.json'), metrics);
  rmSync(join(work, 'checkpoints'), { recursive: true, force: true });
  swapDir(work, dir);
  writeTables(o.resultsDir, o.dataset);
  log(`${dir}: test ${Object.entries(res.test).map(([k, v]) => `${k} ${v.toFixed(6)}`).join(', ')} (best epoch ${res.bestEpoch} of ${res.epochsRun})`);
  return { dir, metrics, skipped: false };
}

const AFRESH = 'run the same command without --resume to train this run afresh';

const readJson = readJsonFile;

/** A resumed (or skipped) run must have been started with the same configuration; else the differences are listed. */
function refuseChangedConfig(dir: string, now: RunConfigJson): void {
  const was = readJson<RunConfigJson>(join(dir, 'config.json'), AFRESH);
  const diffs = configDifferences(was, now);
  if (diffs.length === 0) return;
  throw new UserError(
    `--resume: ${dir} was started with another configuration:\n  ${diffs.slice(0, 20).join('\n  ')}${diffs.length > 20 ? `\n  … and ${diffs.length - 20} more` : ''}`,
    'run the same command without --resume to train it afresh with the new configuration (the finished run stays until the new one finishes), or resume with the recorded settings',
  );
}

/** Path-by-path differences between two configurations (file locations as spelled on the command line are ignored). */
export function configDifferences(was: unknown, now: unknown): string[] {
  const ignored = new Set(['experiment.file', 'data.dataDir']);
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (ignored.has(at)) return;
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      for (const k of [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort())
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at}: recorded ${JSON.stringify(a) ?? 'nothing'}, now ${JSON.stringify(b) ?? 'nothing'}`);
  };
  walk(was, now, '');
  return out;
}

export function readRunConfig(dir: string): RunConfigJson {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) throw new UserError(`${dir} is not a run folder (no config.json)`);
  return readJson<RunConfigJson>(p);
}

