// Inputs of a dataset of yours that are not one CSV file per split: parquet files (data_format: parquet) and
// folders (FuxiCTR reads every `*.<data_format>` file of a folder, sorted by name). Each split is laid out as one
// CSV in the dataset folder (input/<split>.csv) and then encoded by the same code as a CSV input, so every form of
// the same rows gives the same bytes.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { UserError } from '../util/errors.js';
import { tmpNameFor } from '../util/fs.js';
import type { DatasetSpec } from './datasets.js';
import type { Split } from './types.js';

const DECOMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(gunzipSync(b)),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliDecompressSync(b)),
};

/** FuxiCTR's read_data: a file as it is, a folder as its `*.<format>` files sorted by name (an error if none). */
export function inputFiles(path: string, format: 'csv' | 'parquet', what: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path).filter((n) => n.endsWith(`.${format}`)).sort().map((n) => join(path, n));
  if (files.length === 0) throw new UserError(`${what}: the folder ${path} holds no *.${format} file`);
  return files;
}

/** Whether a split's input must be laid out as one CSV first (parquet, or several files). */
export function needsGather(files: Record<Split, string>, format: 'csv' | 'parquet'): boolean {
  return format === 'parquet' || Object.values(files).some((p) => statSync(p).isDirectory());
}

function cell(v: unknown, file: string, row: number, col: string): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'bigint') s = String(v);
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else throw new UserError(`${file}: row ${row}, column ${col}: a ${Array.isArray(v) ? 'list' : typeof v} value (sequence features are not supported)`);
  if (/[,\n\r]/.test(s)) throw new UserError(`${file}: row ${row}, column ${col}: the value ${JSON.stringify(s.slice(0, 40))} holds a comma or a line break, which the encoder's CSV layout cannot carry`);
  return s;
}

/** Appends one parquet file's rows (the dataset's columns, in `columns` order) to `fd`. */
async function appendParquet(src: string, fd: number, columns: string[] | null, spec: DatasetSpec, onRows: (n: number) => void): Promise<string[]> {
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(src);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UserError(`${src}: not a readable parquet file (${(e as Error).message})`);
  }
  const all = parquetSchema(metadata).children.map((c) => c.element.name);
  for (const c of spec.csvColumns) if (!all.includes(c)) throw new UserError(`${src}: column "${c}" missing (found: ${all.join(', ')})`);
  // only the columns the dataset reads (the label and each field's source); the first file fixes their order
  const cols = columns ?? all.filter((c) => spec.csvColumns.includes(c));
  if (!columns) writeSync(fd, cols.join(',') + '\n');
  const total = Number(metadata.num_rows);
  const step = 1 << 16;
  for (let start = 0; start < total; start += step) {
    const end = Math.min(total, start + step);
    let rows: unknown[][] = [];
    await parquetRead({ file, metadata, rowStart: start, rowEnd: end, columns: cols, compressors: DECOMPRESSORS, onComplete: (r: unknown[][]) => (rows = r) });
    if (rows.length) writeSync(fd, rows.map((r, i) => r.map((v, j) => cell(v, src, start + i + 1, cols[j])).join(',')).join('\n') + '\n');
    onRows(end - start);
  }
  return cols;
}

/** Appends one CSV file to `fd`: its header must equal the first file's (written once), then its rows as they are. */
function appendCsv(src: string, fd: number, header: string | null): string {
  const input = openSync(src, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let n = readSync(input, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(10);
    if (n === 0 || nl < 0) throw new UserError(`${src}: no header line`);
    const own = buf.toString('utf8', 0, nl).replace(/\r$/, '');
    if (header !== null && own !== header) throw new UserError(`${src}:1: header "${own}" differs from the folder's first file ("${header}")`);
    if (header === null) writeSync(fd, own + '\n');
    let pos = n;
    let chunk = buf.subarray(nl + 1, n);
    let last = 10;
    for (;;) {
      if (chunk.length) {
        writeSync(fd, chunk);
        last = chunk[chunk.length - 1];
      }
      n = readSync(input, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      chunk = buf.subarray(0, n);
    }
    if (last !== 10) writeSync(fd, '\n');
    return own;
  } finally {
    closeSync(input);
  }
}

/** input/<split>.csv for each split from its files (a file, or a folder's files in name order); returns the paths. */
export async function gatherInputs(
  files: Record<Split, string>,
  format: 'csv' | 'parquet',
  dir: string,
  spec: DatasetSpec,
  progress: (done: number, total: number) => void,
): Promise<Record<Split, string>> {
  const out = {} as Record<Split, string>;
  mkdirSync(join(dir, 'input'), { recursive: true });
  const lists = Object.fromEntries((['train', 'valid', 'test'] as const).map((s) => [s, inputFiles(files[s], format, `${s}_data`)])) as Record<Split, string[]>;
  const total = Object.values(lists).reduce((a, l) => a + l.length, 0);
  let done = 0;
  for (const s of ['train', 'valid', 'test'] as const) {
    out[s] = join(dir, 'input', `${s}.csv`);
    const tmp = tmpNameFor(out[s]);
    const fd = openSync(tmp, 'w');
    let open = true;
    try {
      let head: string | null = null;
      let cols: string[] | null = null;
      for (const f of lists[s]) {
        if (format === 'parquet') cols = await appendParquet(f, fd, cols, spec, () => undefined);
        else head = appendCsv(f, fd, head);
        progress(++done, total);
      }
      closeSync(fd);
      open = false;
      renameSync(tmp, out[s]);
    } catch (e) {
      if (open) closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
  }
  return out;
}
