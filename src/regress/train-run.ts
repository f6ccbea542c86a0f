// One run of the suite: the paper's hyper-parameters of the model × paradigm (Criteo template) with the suite's
// seed, batch size and epochs, trained by the same loop as `reproduce` (src/train/fit.ts: best weights reloaded),
// and the numbers the baseline keeps.
import type { FieldInfo, Split, SplitSource } from '../data/types.js';
import type { Snapshot } from '../engine/engine.js';
import type { Device } from '../engine/session.js';
import { fit } from '../train/fit.js';
import { forwardFlops } from '../train/flops.js';
import { experimentFile, loadExperiment } from '../models/config.js';
import { createEngine, engineOptions, resolveExperiment, templateDataset } from '../train/wiring.js';
import { weightsDigest } from './digest.js';
import type { RunSpec, SuiteSettings } from './settings.js';

/** The numbers of one run that the baseline keeps, in the order tables show them. */
export const METRICS = ['train_loss', 'valid_AUC', 'valid_logloss', 'test_AUC', 'test_logloss', 'weights_l2', 'weights_sha256'] as const;
export type Metric = (typeof METRICS)[number];
export type RunNumbers = Record<Metric, number | string | null>;

export interface RunOutcome {
  spec: RunSpec;
  expid: string;
  numbers: RunNumbers;
  /** Training rows per second over both epochs (data reading and the steps; no evaluation). */
  samples_per_sec: number;
  /** Forward FLOPs of one sample (src/train/flops.ts), to turn samples/s into a share of the machine's GEMM rate. */
  flops_per_sample: number;
  seconds: number;
}

export interface TrainRunOptions {
  settings: SuiteSettings;
  device: Device;
  data: { fields: FieldInfo[]; splits: Record<Split, SplitSource> };
  /** Sum repeated embedding rows' gradients in the GPU's fixed pairwise order on the CPU too (measures rounding spread). */
  orderedRowSums?: boolean;
  progress?: boolean;
}

/** JSON keeps no NaN/Infinity: a non-finite metric is stored as null (and then compares equal only to null). */
const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

export async function trainRun(spec: RunSpec, o: TrainRunOptions): Promise<RunOutcome> {
  const s = o.settings;
  const base = spec.variant
    ? loadExperiment(experimentFile(spec.model), `${spec.model}_${templateDataset(s.dataset)}_${spec.variant}`)
    : resolveExperiment({ model: spec.model, dataset: s.dataset, paradigm: spec.paradigm });
  const exp = { ...base, seed: s.seed, epochs: s.epochs, batchSize: s.batch_size };
  const choice = { device: o.device, embeddingOptimizer: s.embedding_optimizer, threads: s.threads };
  const opts = engineOptions(exp, o.data.fields, s.seed, choice);
  const engine = await createEngine(o.orderedRowSums ? { ...opts, orderedRowSums: true } : opts);
  const t0 = performance.now();
  try {
    const res = await fit(engine, o.data.splits, {
      epochs: exp.epochs,
      batchSize: exp.batchSize,
      learningRate: exp.learningRate,
      seed: s.seed,
      monitor: exp.monitor,
      metrics: exp.metrics,
      earlyStopPatience: exp.earlyStopPatience,
      progress: o.progress,
      label: `regress ${spec.id}`,
    });
    const w = weightsDigest(engine.snapshot() as Snapshot);
    const last = res.history[res.history.length - 1];
    const trainRows = res.history.length * o.data.splits.train.rows;
    const trainSeconds = res.history.reduce((a, h) => a + o.data.splits.train.rows / h.samples_per_sec, 0);
    return {
      spec,
      expid: exp.expid,
      numbers: {
        train_loss: finite(last?.train_loss),
        valid_AUC: finite(res.valid.AUC),
        valid_logloss: finite(res.valid.logloss),
        test_AUC: finite(res.test.AUC),
        test_logloss: finite(res.test.logloss),
        weights_l2: finite(w.l2),
        weights_sha256: w.sha256,
      },
      samples_per_sec: trainRows / Math.max(trainSeconds, 1e-9),
      flops_per_sample: forwardFlops(exp.modelConfig, o.data.fields.length, exp.embeddingDim, spec.paradigm).total,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await engine.dispose();
  }
}
