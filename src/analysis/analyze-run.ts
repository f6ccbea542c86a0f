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
  /**
   * Which interaction. 'all' (the default): the spectrum is taken over every recorded layer's left side stacked by
   * rows (L·B rows; the paper's code concatenates its per-layer records of DCNv2's cross layers, and of xDeepFM's
   * per-CIN-layer GENs, before the SVD), and the correlation uses the first layer. k: only layer k, for both
   * (0 = `interaction.left`, k ≥ 1 = `interaction.left.<k>`). Single-layer models give the same numbers either way.
   */
  layer: number | 'all';
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
  layer: 'all',
};

export interface BatchSpectrum {
  batchSeed: number;
  rows: number;
  /** Layers whose left sides were stacked (the spectrum's matrix has rows · layers rows). */
  layers: number;
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
  /** The correlation's two sides (the first layer unless --layer picks another). */
  leftKey: string;
  rightKey: string;
  /** The left sides whose rows the spectrum stacks, in layer order. */
  spectrumKeys: string[];
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

const LEFT_KEY = /^interaction\.left(?:\.(\d+))?$/;

/** The recorded layers, in order: 0 for `interaction.left`, k for `interaction.left.<k>`. */
export function recordedLayers(keys: Iterable<string>): number[] {
  const out: number[] = [];
  for (const k of keys) {
    const m = LEFT_KEY.exec(k);
    if (m) out.push(m[1] === undefined ? 0 : Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

export async function analyzeRun(run: RunHandle, opts: AnalyzeOptions): Promise<RunAnalysis> {
  const corrLayer = opts.layer === 'all' ? 0 : opts.layer;
  const keys = interactionKeys(corrLayer);
  let spectrumKeys: string[] = [];
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
    spectrumKeys = rec.stackKeys;
    if (rec.left.cols % F !== 0) {
      throw new Error(`${keys.left} has ${rec.left.cols} columns, not a multiple of the ${F} fields`);
    }
    fieldDim = rec.left.cols / F;
    const s = await covarianceSpectrum(rec.stacked, cross);
    spectra.push({ batchSeed: seed, rows: batch.size, layers: rec.stackKeys.length, splitRows: run.valid.rows, normalized: s.normalized, summary: s.summary });
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
    spectrumKeys,
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
  opts: Pick<AnalyzeOptions, 'progress' | 'label' | 'layer'>,
): Promise<{ left: Mat; right: Mat; stacked: Mat; stackKeys: string[]; keys: string[] }> {
  const numCat = run.fields.filter((f) => f.type === 'categorical').length;
  const numNum = run.fields.length - numCat;
  const B = batch.size;
  // One buffer holds every stacked layer (layer i at rows i·B ..); the correlation's left side is a view into it.
  let stacked: Float32Array | undefined;
  let right: Float32Array | undefined;
  let stackKeys: string[] = [];
  let cols = 0;
  let seen: string[] = [];
  const step = Math.max(1, chunkRows);
  const bar = progressBar(`${opts.label ?? 'run'}: recording`, B, { enabled: opts.progress, unit: 'rows' });
  for (let start = 0; start < B; start += step) {
    const end = Math.min(B, start + step);
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
    if (!stacked || !right) {
      cols = c;
      stackKeys = opts.layer === 'all' ? recordedLayers(seen).map((k) => interactionKeys(k).left) : [keys.left];
      stacked = new Float32Array(stackKeys.length * B * cols);
      right = new Float32Array(B * cols);
    } else if (c !== cols) {
      throw new Error(`${keys.left} changed width between chunks: ${cols} then ${c}`);
    }
    stackKeys.forEach((k, i) => {
      const t = out[k];
      if (!t || t.data.length !== rows * cols) throw new Error(`recorded ${k} is missing or not ${rows} × ${cols}`);
      stacked!.set(t.data, (i * B + start) * cols);
    });
    right.set(r.data, start * cols);
    bar.update(end);
  }
  bar.stop();
  const at = stackKeys.indexOf(keys.left);
  return {
    left: mat(stacked!.subarray(at * B * cols, (at + 1) * B * cols), B, cols),
    right: mat(right!, B, cols),
    stacked: mat(stacked!, stackKeys.length * B, cols),
    stackKeys,
    keys: seen,
  };
}
