// `ge4rec predict`: raw rows (CSV or parquet, in the dataset's raw layout, the label optional) → the run's encoder →
// the exported model → a parquet or CSV of probabilities (and labels), written beside the target and renamed.
// It streams: the CSV is read a buffer at a time (parquet a slice of rows at a time), encoded into batches, scored
// and written before the next part is read, so memory does not grow with the file, except for the labels and
// probabilities kept for AUC/Logloss when the input has labels (5 bytes a row).
import { renameSync, rmSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { CsvScanner, type LineFields } from '../data/csv.js';
import type { LineEncoder } from '../data/encode.js';
import type { Batch } from '../data/types.js';
import { FlatParquetWriter, type FlatColumn } from '../data/parquet-file.js';
import { PAGE_CODECS } from '../data/parquet.js';
import { evaluateMetrics } from '../train/metrics.js';
import { atomicWriteStream, tmpNameFor } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import type { DeployedRun } from './deployed-run.js';
import { BatchSink, ValueLine } from './rows.js';

export type OutputFormat = 'csv' | 'parquet';

export interface PredictOptions {
  input: string;
  output: string;
  /** Rows per onnxruntime call. */
  batch: number;
  /** Output format (default: from the output's extension, .csv or .parquet). */
  format?: OutputFormat;
  onProgress?: (done: number, total: number) => void;
}

export interface PredictSummary {
  input: string;
  output: string;
  rows: number;
  labelled: boolean;
  /** AUC and logloss (sklearn semantics, as Table 1) when the input has labels. */
  metrics: Record<string, number> | null;
  seconds: number;
  /** Time reading and encoding the input, running the model, and writing the output. */
  encodeSeconds: number;
  modelSeconds: number;
  writeSeconds: number;
  /** Peak resident memory of the process so far (MiB). */
  peakRssMb: number;
}

export function outputFormat(path: string, format?: string): OutputFormat {
  if (format === 'csv' || format === 'parquet') return format;
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  throw new UserError(`--output ${path}: cannot tell the format from the extension (use .csv or .parquet, or --format)`);
}

function inputFormat(path: string): 'csv' | 'parquet' {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv' || ext === '.txt') return 'csv';
  throw new UserError(`--input ${path}: unknown format (expected a .csv or .parquet file)`);
}

/** Growable label/probability store for the metrics. */
class Collected {
  labels = new Uint8Array(1 << 16);
  preds = new Float32Array(1 << 16);
  n = 0;
  push(label: Float32Array, p: Float32Array): void {
    if (this.n + p.length > this.preds.length) {
      const cap = Math.max(this.n + p.length, this.preds.length * 2);
      const l = new Uint8Array(cap);
      l.set(this.labels.subarray(0, this.n));
      const q = new Float32Array(cap);
      q.set(this.preds.subarray(0, this.n));
      this.labels = l;
      this.preds = q;
    }
    this.labels.set(label, this.n);
    this.preds.set(p, this.n);
    this.n += p.length;
  }
}

interface Writer {
  write(label: Float32Array | null, p: Float32Array): Promise<void>;
  commit(): Promise<void>;
  abort(): void;
}

function csvWriter(path: string, labelled: boolean): Writer {
  const out = atomicWriteStream(path);
  const put = (s: string) =>
    new Promise<void>((resolve, reject) => {
      out.stream.write(s, (e) => (e ? reject(e) : resolve()));
    });
  let first = true;
  return {
    async write(label, p) {
      let s = first ? (labelled ? 'label,prob\n' : 'prob\n') : '';
      first = false;
      // a float32 probability printed as the shortest decimal that reads back to the same float64 (exact)
      for (let i = 0; i < p.length; i++) s += labelled ? `${label![i]},${p[i]}\n` : `${p[i]}\n`;
      await put(s);
    },
    async commit() {
      if (first) await put(labelled ? 'label,prob\n' : 'prob\n');
      await out.commit();
    },
    abort: () => out.abort(),
  };
}

function parquetWriter(path: string, labelled: boolean): Writer {
  const tmp = tmpNameFor(path);
  const cols: FlatColumn[] = [...(labelled ? [{ name: 'label', type: 'DOUBLE' as const }] : []), { name: 'prob', type: 'DOUBLE' }];
  const w = new FlatParquetWriter(tmp, cols, PAGE_CODECS.snappy);
  const GROUP = 1 << 17;
  let lab = new Float64Array(GROUP);
  let pr = new Float64Array(GROUP);
  let n = 0;
  const flush = () => {
    if (n === 0) return;
    w.writeRowGroup(labelled ? [lab.subarray(0, n), pr.subarray(0, n)] : [pr.subarray(0, n)]);
    n = 0;
  };
  return {
    async write(label, p) {
      for (let i = 0; i < p.length; i++) {
        if (labelled) lab[n] = label![i];
        pr[n++] = p[i];
        if (n === GROUP) flush();
      }
    },
    async commit() {
      flush();
      w.finish();
      renameSync(tmp, path);
      lab = pr = new Float64Array(0);
    },
    abort: () => {
      w.abort();
      rmSync(tmp, { force: true });
    },
  };
}

export async function predictFile(run: DeployedRun, o: PredictOptions): Promise<PredictSummary> {
  if (!(o.batch >= 1)) throw new UserError(`--batch must be ≥ 1, got ${o.batch}`);
  const t0 = performance.now();
  const format = outputFormat(o.output, o.format);
  const file = basename(o.input);
  const kind = inputFormat(o.input);
  const sink = new BatchSink(o.batch, run.scorer.numCat, run.scorer.numNum);
  const queue: Batch[] = [];
  const badRow = (f: LineFields, problem: string): void => {
    throw new UserError(`Malformed row at ${file}:${kind === 'csv' ? f.line : `row ${f.line}`}: ${problem}`);
  };
  const t = { encode: 0, model: 0, write: 0 };
  let labelled = false;
  let writer: Writer | null = null;
  const collected = new Collected();
  let rows = 0;

  const header = (columns: string[]): LineEncoder => {
    labelled = columns.includes(run.spec.label);
    writer = format === 'csv' ? csvWriter(o.output, labelled) : parquetWriter(o.output, labelled);
    return run.encoder.lineEncoder(columns, file, badRow, { labelOptional: true });
  };
  const drain = async () => {
    for (const b of queue.splice(0)) {
      const m0 = performance.now();
      const p = await run.scorer.score(b);
      const m1 = performance.now();
      await writer!.write(labelled ? b.label : null, p);
      if (labelled) collected.push(b.label, p);
      t.model += m1 - m0;
      t.write += performance.now() - m1;
      rows += b.size;
    }
  };
  const onRow = () => {
    if (sink.full) queue.push(sink.take());
  };

  try {
    if (kind === 'csv') {
      let encode: LineEncoder | null = null;
      const scanner = new CsvScanner(
        o.input,
        Math.max(run.spec.csvColumns.length, 256),
        (cols) => {
          encode = header(cols);
        },
        (f) => {
          encode!(f, sink);
          onRow();
        },
        o.onProgress,
      );
      try {
        for (;;) {
          const e0 = performance.now();
          const more = scanner.step();
          t.encode += performance.now() - e0;
          await drain();
          if (!more) break;
        }
      } finally {
        scanner.close();
      }
      if (!writer) throw new UserError(`--input ${o.input}: empty file (no header line)`);
    } else {
      await readParquetRows(o.input, o.batch, header, sink, onRow, drain, t, o.onProgress);
    }
    if (sink.n > 0) queue.push(sink.take());
    await drain();
    await writer!.commit();
  } catch (e) {
    (writer as Writer | null)?.abort();
    throw e;
  }
  const metrics = labelled && rows > 0 ? evaluateMetrics(['AUC', 'logloss'], collected.labels.subarray(0, rows), collected.preds.subarray(0, rows)) : null;
  const s = (ms: number) => ms / 1000;
  return {
    input: o.input, output: o.output, rows, labelled, metrics,
    seconds: s(performance.now() - t0), encodeSeconds: s(t.encode), modelSeconds: s(t.model), writeSeconds: s(t.write),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const DECOMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(gunzipSync(b)),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliDecompressSync(b)),
};

/** Parquet input: slices of rows through the same row encoder (each row laid out as a CSV line would be). */
async function readParquetRows(
  path: string,
  slice: number,
  header: (cols: string[]) => LineEncoder,
  sink: BatchSink,
  onRow: () => void,
  drain: () => Promise<void>,
  t: { encode: number },
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UserError(`--input ${path}: not a readable parquet file (${(e as Error).message})`);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const encode = header(columns);
  const line = new ValueLine(columns);
  const total = Number(metadata.num_rows);
  const step = Math.max(slice, 1 << 14);
  for (let start = 0; start < total; start += step) {
    const end = Math.min(total, start + step);
    let rows: unknown[][] = [];
    try {
      await parquetRead({ file, metadata, rowStart: start, rowEnd: end, columns, compressors: DECOMPRESSORS, onComplete: (r: unknown[][]) => (rows = r) });
    } catch (e) {
      throw new UserError(`--input ${path}: rows ${start + 1}..${end} cannot be read (${(e as Error).message})`);
    }
    const e0 = performance.now();
    rows.forEach((r, i) => {
      const problem = line.set(r, start + i + 1);
      if (problem) throw new UserError(`Malformed row at ${basename(path)}:row ${start + i + 1}: ${problem}`);
      encode(line.fields, sink);
      onRow();
    });
    t.encode += performance.now() - e0;
    await drain();
    onProgress?.(end, total);
  }
}
