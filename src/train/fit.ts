// FuxiCTR v2.3.1's training loop (facts §4): one validation per epoch on the monitor, reduce-LR-on-plateau and
// early stopping (patience 2), best weights kept and reloaded, then valid and test on all metrics.
// With a checkpoint folder the loop state is saved at every epoch end, and `resume` continues a killed run to the
// same result: batches depend only on (seed, epoch), and the engine checkpoint holds params, Adam state and RNGs.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineLike } from '../engine/api.js';
import type { Split, SplitSource } from '../data/types.js';
import { writeJsonAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { verifyChecksums, writeChecksums } from './checksums.js';
import { progressBar } from '../util/progress.js';
import { evaluateMetrics } from './metrics.js';
import { RssSampler } from './rss.js';
import { FUXICTR_STOPPER, PlateauStopper, monitorValue, monitorWeights, type MonitorSpec, type StopperState } from './monitor.js';

export interface FitConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  monitor: MonitorSpec;
  metrics: string[];
  /** Base `early_stop_patience`; 2 in GE4Rec. */
  earlyStopPatience?: number;
  /** Folder for per-epoch checkpoints and loop state; without it nothing is written. */
  checkpointDir?: string;
  resume?: boolean;
  /** Show a progress bar per epoch (default: when stderr is a terminal). */
  progress?: boolean;
  label?: string;
}

export interface EpochRecord {
  epoch: number;
  train_loss: number;
  /** Validation metrics of this epoch (all of `metrics`; FuxiCTR logs only the monitored ones). */
  val: Record<string, number>;
  monitor: number;
  /** Learning rate used during this epoch. */
  lr: number;
  /** Learning rate after the plateau check (used by the next epoch). */
  next_lr: number;
  improved: boolean;
  seconds: number;
  samples_per_sec: number;
  peak_rss_mb: number;
}

export interface FitHooks {
  onEpochEnd?(rec: EpochRecord): void | Promise<void>;
  log?(msg: string): void;
}

export interface FitResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestMonitor: number;
  epochsRun: number;
  stoppedEarly: boolean;
  valid: Record<string, number>;
  test: Record<string, number>;
  /** Rows and positive labels of the validation split (a split with one class has no AUC). */
  validClasses: { rows: number; positives: number };
  /** The test split's labels and predicted probabilities, in split order (what `test` was computed from). */
  testPredictions?: { labels: Float64Array; preds: Float64Array };
  secondsPerEpoch: number;
  peakRssMb: number;
  resumedFromEpoch: number;
}

interface LoopState {
  version: 1;
  epoch: number;
  stopper: { best: number | null; stoppingSteps: number; lr: number; stop: boolean };
  bestEpoch: number;
  history: EpochRecord[];
  done: boolean;
}


/** How an evaluation shows its progress: a bar (or a line) named `label`; `enabled: false` is silent. */
export interface EvalProgress {
  label: string;
  enabled?: boolean;
}

export async function predictSplit(
  engine: EngineLike,
  split: SplitSource,
  batchSize: number,
  progress?: EvalProgress,
): Promise<{ labels: Float64Array; preds: Float64Array }> {
  const labels = new Float64Array(split.rows);
  const preds = new Float64Array(split.rows);
  let at = 0;
  const bar = progress ? progressBar(progress.label, split.rows, { enabled: progress.enabled }) : undefined;
  try {
    for await (const b of split.batches({ batchSize, shuffle: false, seed: 0, epoch: 0 })) {
      const p = await engine.predict(b);
    if (at + b.size > split.rows) throw new Error(`split yielded more rows than its declared ${split.rows}`);
    labels.set(b.label, at);
      // FuxiCTR collects predictions as float64; float32 → float64 is exact.
      for (let i = 0; i < b.size; i++) preds[at + i] = p[i];
      at += b.size;
      bar?.update(at);
    }
  } finally {
    bar?.stop();
  }
  if (at !== split.rows) throw new Error(`split yielded ${at} rows, declared ${split.rows}`);
  return { labels, preds };
}

export async function evaluateSplit(
  engine: EngineLike,
  split: SplitSource,
  batchSize: number,
  metrics: readonly string[],
  progress?: EvalProgress,
): Promise<Record<string, number>> {
  const { labels, preds } = await predictSplit(engine, split, batchSize, progress);
  return evaluateMetrics(metrics, labels, preds);
}

function uniqueMetrics(cfg: FitConfig): string[] {
  return [...new Set([...cfg.metrics, ...Object.keys(monitorWeights(cfg.monitor))])];
}

const epochDir = (root: string, e: number) => join(root, `epoch-${e}`);
const bestDir = (root: string, e: number) => join(root, `best-${e}`);

function pruneCheckpoints(root: string, keepEpoch: number, keepBest: number): void {
  for (const name of readdirSync(root)) {
    const m = /^(epoch|best)-(\d+)$/.exec(name);
    if (!m) continue;
    const keep = m[1] === 'epoch' ? keepEpoch : keepBest;
    if (Number(m[2]) !== keep) rmSync(join(root, name), { recursive: true, force: true });
  }
}

export function readLoopState(checkpointDir: string): LoopState | null {
  const p = join(checkpointDir, 'state.json');
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as LoopState;
  } catch (e) {
    throw new UserError(`${p}: unreadable training state (${(e as Error).message})`, RESTART_HINT);
  }
}

const RESTART_HINT = 'run the same command without --resume to train this run afresh (a finished run of the same seed stays until the new one finishes)';

/** Loads a checkpoint written by saveEngine after checking every file against its SHA-256 in the manifest. */
function loadVerified(engine: EngineLike, dir: string): void {
  verifyChecksums(dir, RESTART_HINT);
  engine.loadCheckpoint(dir);
}

export async function fit(
  engine: EngineLike,
  splits: Pick<Record<Split, SplitSource>, 'train' | 'valid'> & Partial<Record<Split, SplitSource>>,
  cfg: FitConfig,
  hooks: FitHooks = {},
): Promise<FitResult> {
  const log = hooks.log ?? (() => {});
  const allMetrics = uniqueMetrics(cfg);
  const stopper = new PlateauStopper(cfg.learningRate, { ...FUXICTR_STOPPER, patience: cfg.earlyStopPatience ?? FUXICTR_STOPPER.patience });
  const ckpt = cfg.checkpointDir;
  let history: EpochRecord[] = [];
  let bestEpoch = 0;
  let bestSnapshot: unknown = undefined;
  let startEpoch = 1;

  if (ckpt && cfg.resume) {
    const st = readLoopState(ckpt);
    if (st) {
      const s: StopperState = { ...st.stopper, best: st.stopper.best ?? -Infinity };
      stopper.state = s;
      history = st.history;
      bestEpoch = st.bestEpoch;
      if (bestEpoch > 0) {
        loadVerified(engine, bestDir(ckpt, bestEpoch));
        bestSnapshot = engine.snapshot();
      }
      if (!st.done) loadVerified(engine, epochDir(ckpt, st.epoch));
      engine.learningRate = s.lr;
      startEpoch = st.done ? Infinity : st.epoch + 1;
      log(`resuming after epoch ${st.epoch} (lr ${s.lr}, best epoch ${bestEpoch})`);
    }
  } else if (ckpt) {
    rmSync(ckpt, { recursive: true, force: true });
  }
  const resumedFromEpoch = startEpoch === Infinity ? history.length : startEpoch - 1;

  const label = cfg.label ?? 'train';
  const evalBar = (what: string): EvalProgress => ({ label: `${label} ${what}`, enabled: cfg.progress });

  const rss = new RssSampler();
  try {
    return await loop();
  } finally {
    rss.stop();
  }

  async function loop(): Promise<FitResult> {
    const train = splits.train;
    for (let epoch = startEpoch; epoch <= cfg.epochs && !stopper.state.stop; epoch++) {
      const lr = stopper.state.lr;
      engine.learningRate = lr;
      const bar = progressBar(`${label} epoch ${epoch}`, train.rows, { enabled: cfg.progress, unit: 'rows', fields: { loss: '-' } });
      const t0 = performance.now();
      let lossSum = 0;
      let nSteps = 0;
      let seen = 0;
      for await (const b of train.batches({ batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed, epoch })) {
        const { loss } = await engine.trainStep(b);
        lossSum += loss;
        nSteps++;
        seen += b.size;
        bar.update(seen, { loss: (lossSum / nSteps).toFixed(6) });
      }
      bar.stop();
      const trainSeconds = (performance.now() - t0) / 1000;
      const val = await evaluateSplit(engine, splits.valid, cfg.batchSize, allMetrics, evalBar(`valid epoch ${epoch}`));
      const mon = monitorValue(cfg.monitor, val);
      const step = stopper.step(mon);
      if (step.improved) {
        bestEpoch = epoch;
        bestSnapshot = engine.snapshot();
        if (ckpt) saveEngine(engine, bestDir(ckpt, epoch));
      }
      engine.learningRate = step.lr;
      const rec: EpochRecord = {
        epoch,
        train_loss: nSteps ? lossSum / nSteps : NaN,
        val,
        monitor: mon,
        lr,
        next_lr: step.lr,
        improved: step.improved,
        seconds: (performance.now() - t0) / 1000,
        samples_per_sec: seen / Math.max(trainSeconds, 1e-9),
        peak_rss_mb: rss.peakMb,
      };
      history.push(rec);
      log(
        `epoch ${epoch}: train loss ${rec.train_loss.toFixed(6)}, val ${Object.entries(val).map(([k, v]) => `${k} ${v.toFixed(6)}`).join(', ')}` +
          `${step.improved ? ' (best)' : `, no improvement, lr -> ${step.lr}`}${step.stop ? ', early stop' : ''}`,
      );
      if (ckpt) {
        saveEngine(engine, epochDir(ckpt, epoch));
        saveState(ckpt, { epoch, stopper: stopper.state, bestEpoch, history, done: false });
        pruneCheckpoints(ckpt, epoch, bestEpoch);
      }
      await hooks.onEpochEnd?.(rec);
    }

    // No epoch ever improved (every validation score NaN, e.g. a single-class split): keep the last weights.
    if (bestSnapshot !== undefined) engine.restore(bestSnapshot);
    else log('no epoch improved the monitor (NaN scores?); evaluating the last weights');
    const validPredictions = await predictSplit(engine, splits.valid, cfg.batchSize, evalBar('valid (best weights)'));
    const valid = evaluateMetrics(allMetrics, validPredictions.labels, validPredictions.preds);
    let positives = 0;
    for (const y of validPredictions.labels) if (y > 0.5) positives++;
    const testPredictions = splits.test ? await predictSplit(engine, splits.test, cfg.batchSize, evalBar('test (best weights)')) : undefined;
    const test = testPredictions ? evaluateMetrics(allMetrics, testPredictions.labels, testPredictions.preds) : {};
    if (ckpt) {
      saveState(ckpt, { epoch: history.length, stopper: stopper.state, bestEpoch, history, done: true });
      pruneCheckpoints(ckpt, -1, bestEpoch);
    }
    const best = history.find((h) => h.epoch === bestEpoch);
    return {
      history,
      bestEpoch,
      bestMonitor: best ? best.monitor : NaN,
      epochsRun: history.length,
      stoppedEarly: stopper.state.stop,
      valid,
      test,
      validClasses: { rows: validPredictions.labels.length, positives },
      testPredictions,
      secondsPerEpoch: history.length ? history.reduce((a, h) => a + h.seconds, 0) / history.length : NaN,
      peakRssMb: rss.peakMb,
      resumedFromEpoch,
    };
  }
}

/**
 * A stale folder of the same name can be left by a run killed mid-epoch; start it clean. The checksum manifest is
 * written last, over every file the engine wrote, so a resume can tell changed bytes from a checkpoint.
 */
function saveEngine(engine: EngineLike, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  engine.saveCheckpoint(dir);
  writeChecksums(dir);
}

function saveState(ckpt: string, s: { epoch: number; stopper: StopperState; bestEpoch: number; history: EpochRecord[]; done: boolean }): void {
  const st: LoopState = {
    version: 1,
    epoch: s.epoch,
    stopper: { ...s.stopper, best: Number.isFinite(s.stopper.best) ? s.stopper.best : null },
    bestEpoch: s.bestEpoch,
    history: s.history,
    done: s.done,
  };
  writeJsonAtomic(join(ckpt, 'state.json'), st);
}
