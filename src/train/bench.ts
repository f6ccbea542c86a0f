// Training-step throughput of every model × paradigm at the paper's settings on synthetic batches, projected to a
// full epoch, with GEN's extra time per step beside its extra arithmetic.
import type { Batch, FieldInfo } from '../data/types.js';
import type { EngineLike } from '../engine/api.js';
import { defaultExperiment, type ExperimentConfig } from '../models/index.js';
import type { DatasetName, Paradigm } from '../models/config.js';
import { Rng } from '../util/rng.js';
import { forwardFlops } from './flops.js';
import { RssSampler } from './rss.js';
import { fullTrainRows } from './tables.js';
import { getDataset, releaseNames } from '../data/catalog.js';
import { UserError } from '../util/errors.js';
import { createEngine, engineOptions, type EngineChoice } from './wiring.js';

/** The release's field layout at its vocabulary sizes (catalog release facts). */
export function benchFields(ds: string): FieldInfo[] {
  const f = getDataset(ds, '--datasets').benchFields;
  if (!f) throw new UserError(`--datasets: ${ds} has no release layout to benchmark (${releaseNames().join(', ')})`);
  return f();
}

/** Random batches with a heavy head per field (log-uniform ids), like real click logs. */
export function syntheticBatches(fields: FieldInfo[], batchSize: number, count: number, seed: number): Batch[] {
  const rng = new Rng(seed);
  const cats = fields.filter((f) => f.type === 'categorical');
  const nums = fields.filter((f) => f.type === 'numeric');
  return Array.from({ length: count }, () => {
    const cat = new Int32Array(batchSize * cats.length);
    const num = new Float32Array(batchSize * nums.length);
    const label = new Float32Array(batchSize);
    for (let r = 0; r < batchSize; r++) {
      cats.forEach((f, j) => {
        const v = f.vocabSize! - 1;
        cat[r * cats.length + j] = Math.min(v, Math.max(1, Math.floor(Math.exp(rng.uniform() * Math.log(v + 1)))));
      });
      for (let j = 0; j < nums.length; j++) num[r * nums.length + j] = rng.uniform();
      label[r] = rng.uniform() < 0.25 ? 1 : 0;
    }
    return { size: batchSize, cat, num, label };
  });
}

export interface BenchRow {
  model: string;
  dataset: DatasetName;
  paradigm: Paradigm;
  batch_size: number;
  steps: number;
  embedding_optimizer: string;
  compile_ms: number;
  ms_per_step: number;
  samples_per_sec: number;
  peak_rss_mb: number;
  projected_epoch_s: number;
  flops_per_sample: number;
  encoder_flops_per_sample: number;
  /** GEN rows: (GEN − DIS) ms/step over DIS, in %, and encoder FLOPs over the GEN model's FLOPs, in %. */
  gen_extra_time_pct: number | null;
  gen_extra_flops_pct: number | null;
}

export interface BenchOptions {
  models: string[];
  datasets: DatasetName[];
  steps: number;
  warmup: number;
  batchSize?: number;
  engine: EngineChoice;
  log?: (m: string) => void;
  makeEngine?: (exp: ExperimentConfig, fields: FieldInfo[]) => Promise<EngineLike>;
}

export async function benchOne(exp: ExperimentConfig, ds: DatasetName, o: BenchOptions): Promise<BenchRow> {
  const fields = benchFields(ds);
  const bs = o.batchSize ?? exp.batchSize;
  const batches = syntheticBatches(fields, bs, Math.min(4, o.steps + o.warmup), 1);
  const rss = new RssSampler(50);
  const t0 = performance.now();
  const engine = o.makeEngine ? await o.makeEngine(exp, fields) : await createEngine(engineOptions(exp, fields, exp.seed, o.engine));
  try {
    await engine.trainStep(batches[0]); // the first step creates the sessions
    const compileMs = performance.now() - t0;
    for (let i = 1; i < o.warmup; i++) await engine.trainStep(batches[i % batches.length]);
    const t1 = performance.now();
    for (let i = 0; i < o.steps; i++) await engine.trainStep(batches[i % batches.length]);
    const ms = (performance.now() - t1) / o.steps;
    const fl = forwardFlops(exp.modelConfig, fields.length, exp.embeddingDim, exp.paradigm);
    return {
      model: exp.model,
      dataset: ds,
      paradigm: exp.paradigm,
      batch_size: bs,
      steps: o.steps,
      embedding_optimizer: o.engine.embeddingOptimizer,
      compile_ms: compileMs,
      ms_per_step: ms,
      samples_per_sec: (bs * 1000) / ms,
      peak_rss_mb: rss.peakMb,
      projected_epoch_s: ((fullTrainRows(ds) ?? 0) / bs) * (ms / 1000),
      flops_per_sample: fl.total,
      encoder_flops_per_sample: fl.encoders,
      gen_extra_time_pct: null,
      // Same base as gen_extra_time_pct ((GEN − DIS) / DIS): the encoders' arithmetic over the DIS model's.
      gen_extra_flops_pct: exp.paradigm === 'gen' ? (fl.encoders / (fl.total - fl.encoders)) * 100 : null,
    };
  } finally {
    rss.stop();
    await engine.dispose();
  }
}

export async function runBench(o: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const ds of o.datasets)
    for (const model of o.models) {
      const pair: Partial<Record<Paradigm, BenchRow>> = {};
      for (const p of ['dis', 'gen'] as const) {
        const row = await benchOne(defaultExperiment(model, ds, p), ds, o);
        pair[p] = row;
        if (p === 'gen' && pair.dis) row.gen_extra_time_pct = ((row.ms_per_step - pair.dis.ms_per_step) / pair.dis.ms_per_step) * 100;
        rows.push(row);
        o.log?.(formatBenchRow(row));
      }
    }
  return rows;
}

export function formatBenchRow(r: BenchRow): string {
  const extra = r.paradigm === 'gen' ? ` | GEN extra time ${r.gen_extra_time_pct?.toFixed(1)}% vs arithmetic ${r.gen_extra_flops_pct?.toFixed(1)}%` : '';
  return (
    `${r.dataset} ${r.model} ${r.paradigm.toUpperCase()}: ${Math.round(r.samples_per_sec)} samples/s (${r.ms_per_step.toFixed(1)} ms/step, batch ${r.batch_size}), ` +
    `peak RSS ${Math.round(r.peak_rss_mb)} MB, full epoch ≈ ${Math.round(r.projected_epoch_s)} s, compile ${Math.round(r.compile_ms)} ms${extra}`
  );
}
