// Everything `ge4rec analyze` computes for one trained run: interacted-embedding spectra on one or more random
// validation batches, the left/right correlation on the first batch, and the per-field table spectra.
import type { Batch, FieldInfo, SplitSource } from '../data/types.js';
import type { RecordedTensor } from '../engine/api.js';
import { UserError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { interactionCorrelation, type Correlation } from './correlation.js';
import { centeredCrossProductOrt } from './gram-ort.js';
import { centeredCrossProduct, mat, type Mat } from './matrix.js';
import { covarianceSpectrum, type SpectrumSummary } from './spectrum.js';
import { tableSpectra, type EmbeddingTable, type FieldSpectrum } from './table-spectra.js';

/** What the analysis needs from a trained run (the engine from src/train/run-loader.ts, or a fake in tests). */
export interface RunHandle {
  engine: {
    record(b: Batch): Promise<Record<string, RecordedTensor>>;
    embeddingTable(field: string): EmbeddingTable;
  };
  fields: FieldInfo[];
  valid: SplitSource;
}

export interface AnalyzeOptions {
  /** Validation rows per analysed batch (paper: 50,000). */
  batchRows: number;
  /** Number of random batches (App. B.5 robustness check); batch k is drawn with shuffle seed `batchSeed + k`. */
  seeds: number;
  batchSeed: number;
  /** Rows per engine.record call: bounds the memory of models with large intermediates (xDeepFM's CIN). */
  chunkRows: number;
  /** Which interaction: 0 = the first (`interaction.left`), k ≥ 1 = `interaction.left.<k>`. */
  layer: number;
  /** Where the covariance products run: onnxruntime (float64 MatMul, fast) or the plain JS kernel. */
  backend?: 'onnx' | 'js';
  /** Skip the per-field table spectra (they read every embedding table). */
  skipTables?: boolean;
  log?: (msg: string) => void;
  /** Progress bars (or lines) for recording and the table spectra; false with --json. */
  progress?: boolean;
  /** Names the run in the progress bars. */
  label?: string;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  batchRows: 50_000,
  seeds: 1,
  batchSeed: 0,
  chunkRows: 5_000,
  layer: 0,
};

export interface BatchSpectrum {
  batchSeed: number;
  rows: number;
  /** Rows in the validation split: when rows equals it, every batch seed sees the same rows. */
  splitRows: number;
  normalized: Float64Array;
  summary: SpectrumSummary;
}

export interface RunAnalysis {
  fields: number;
  /** Names and types of the fields, in the interacted embeddings' order (labels the correlation maps). */
  fieldInfo: { name: string; type: string }[];
  fieldDim: number;
  leftKey: string;
  rightKey: string;
  recordedKeys: string[];
  spectra: BatchSpectrum[];
  /** On the first batch. */
  correlation: Correlation;
  tables: FieldSpectrum[];
}

export function interactionKeys(layer: number): { left: string; right: string } {
  const suffix = layer === 0 ? '' : `.${layer}`;
  return { left: `interaction.left${suffix}`, right: `interaction.right${suffix}` };
}

export async function analyzeRun(run: RunHandle, opts: AnalyzeOptions): Promise<RunAnalysis> {
  const keys = interactionKeys(opts.layer);
  const spectra: BatchSpectrum[] = [];
  let correlation: Correlation | undefined;
  let recordedKeys: string[] = [];
  let fieldDim = 0;
  const F = run.fields.length;
  const cross = opts.backend === 'js' ? centeredCrossProduct : centeredCrossProductOrt;
  for (let k = 0; k < Math.max(1, opts.seeds); k++) {
    const seed = opts.batchSeed + k;
    const batch = await firstBatch(run.valid, opts.batchRows, seed);
    opts.log?.(`  batch seed ${seed}: recording ${batch.size} validation rows`);
    const rec = await recordInChunks(run, batch, opts.chunkRows, keys, opts);
    recordedKeys = rec.keys;
    if (rec.left.cols % F !== 0) {
      throw new Error(`${keys.left} has ${rec.left.cols} columns, not a multiple of the ${F} fields`);
    }
    fieldDim = rec.left.cols / F;
    const s = await covarianceSpectrum(rec.left, cross);
    spectra.push({ batchSeed: seed, rows: batch.size, splitRows: run.valid.rows, normalized: s.normalized, summary: s.summary });
    if (!correlation) correlation = await interactionCorrelation(rec.left, rec.right, F, cross);
  }
  let tables: FieldSpectrum[] = [];
  if (!opts.skipTables) {
    const bar = progressBar(`${opts.label ?? 'run'}: table spectra`, F, { enabled: opts.progress, unit: 'fields' });
    let n = 0;
    try {
      tables = await tableSpectra(
        run.fields,
        (f) => {
          bar.update(n++);
          return run.engine.embeddingTable(f);
        },
        cross,
      );
      bar.update(n);
    } finally {
      bar.stop();
    }
  }
  return {
    fields: F,
    fieldInfo: run.fields.map((f) => ({ name: f.name, type: f.type })),
    fieldDim,
    leftKey: keys.left,
    rightKey: keys.right,
    recordedKeys,
    spectra,
    correlation: correlation!,
    tables,
  };
}

async function firstBatch(split: SplitSource, rows: number, seed: number): Promise<Batch> {
  const size = Math.min(rows, split.rows);
  if (size < 2) throw new UserError(`the validation split has ${split.rows} rows; the analysis needs at least 2`);
  for await (const b of split.batches({ batchSize: size, shuffle: true, seed, epoch: 0 })) return b;
  throw new UserError('the validation split yielded no batch');
}

export function sliceBatch(b: Batch, start: number, end: number, numCat: number, numNum: number): Batch {
  return {
    size: end - start,
    cat: b.cat.subarray(start * numCat, end * numCat),
    num: b.num.subarray(start * numNum, end * numNum),
    label: b.label.subarray(start, end),
  };
}

async function recordInChunks(
  run: RunHandle,
  batch: Batch,
  chunkRows: number,
  keys: { left: string; right: string },
  opts: Pick<AnalyzeOptions, 'progress' | 'label'> = {},
): Promise<{ left: Mat; right: Mat; keys: string[] }> {
  const numCat = run.fields.filter((f) => f.type === 'categorical').length;
  const numNum = run.fields.length - numCat;
  let left: Float32Array | undefined;
  let right: Float32Array | undefined;
  let cols = 0;
  let seen: string[] = [];
  const step = Math.max(1, chunkRows);
  const bar = progressBar(`${opts.label ?? 'run'}: recording`, batch.size, { enabled: opts.progress, unit: 'rows' });
  for (let start = 0; start < batch.size; start += step) {
    const end = Math.min(batch.size, start + step);
    const out = await run.engine.record(sliceBatch(batch, start, end, numCat, numNum));
    seen = Object.keys(out).sort();
    const l = out[keys.left];
    const r = out[keys.right];
    if (!l || !r) {
      throw new UserError(
        `the model did not record ${!l ? keys.left : keys.right} (recorded: ${seen.join(', ') || 'nothing'})`,
        'models call ctx.record("interaction.left", g) and ctx.record("interaction.right", e); use --layer for later layers',
      );
    }
    const rows = end - start;
    const c = l.data.length / rows;
    if (!Number.isInteger(c) || r.data.length !== l.data.length) {
      throw new Error(`recorded ${keys.left} / ${keys.right} sizes ${l.data.length} / ${r.data.length} for ${rows} rows`);
    }
    if (!left || !right) {
      cols = c;
      left = new Float32Array(batch.size * cols);
      right = new Float32Array(batch.size * cols);
    } else if (c !== cols) {
      throw new Error(`${keys.left} changed width between chunks: ${cols} then ${c}`);
    }
    left.set(l.data, start * cols);
    right.set(r.data, start * cols);
    bar.update(end);
  }
  bar.stop();
  return { left: mat(left!, batch.size, cols), right: mat(right!, batch.size, cols), keys: seen };
}
