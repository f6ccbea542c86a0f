// Training-step throughput of every model × paradigm at the paper's settings on synthetic batches, projected to a
// full epoch, with GEN's extra time per step beside its extra arithmetic.
import type { Batch, FieldInfo } from '../data/types.js';
import type { EngineLike } from '../engine/api.js';
import { defaultExperiment, type ExperimentConfig } from '../models/index.js';
import type { DatasetName, Paradigm } from '../models/config.js';
import { Rng } from '../util/rng.js';
import { forwardFlops } from './flops.js';
import { RssSampler } from './rss.js';
import { FULL_TRAIN_ROWS } from './tables.js';
import { createEngine, engineOptions, type EngineChoice } from './wiring.js';

/** Avazu x4 vocabulary sizes (incl. PAD and OOV) in field order, from GE4Rec's plot.ipynb (facts §5.3). */
export const AVAZU_VOCAB = [26, 9, 9, 4051, 5461, 27, 6545, 400, 33, 820509, 2903322, 7259, 7, 6, 2556, 10, 11, 434, 6, 70, 173, 62, 9, 4];
const AVAZU_NAMES = ['hour', 'C1', 'banner_pos', 'site_id', 'site_domain', 'site_category', 'app_id', 'app_domain', 'app_category', 'device_id', 'device_ip', 'device_model', 'device_type', 'device_conn_type', 'C14', 'C15', 'C16', 'C17', 'C18', 'C19', 'C20', 'C21', 'weekday', 'weekend'];
export const CRITEO_TOTAL_ROWS = 2_090_000;

/** 26 Criteo categorical vocabularies summing to ~2.09 M: a geometric spread from ~0.6 M down to a handful. */
export function criteoVocab(): number[] {
  const w = Array.from({ length: 26 }, (_, i) => 0.72 ** i);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.max(4, Math.round((x / s) * CRITEO_TOTAL_ROWS)));
}

export function benchFields(ds: DatasetName): FieldInfo[] {
  if (ds === 'avazu_x4') return AVAZU_NAMES.map((name, i) => ({ name, type: 'categorical', vocabSize: AVAZU_VOCAB[i] }));
  const vocab = criteoVocab();
  return [
    ...Array.from({ length: 13 }, (_, i): FieldInfo => ({ name: `I${i + 1}`, type: 'numeric' })),
    ...vocab.map((v, i): FieldInfo => ({ name: `C${i + 1}`, type: 'categorical', vocabSize: v })),
  ];
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
      projected_epoch_s: (FULL_TRAIN_ROWS[ds] / bs) * (ms / 1000),
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
