// Parquet inputs of a dataset of yours (data_format: parquet): each split is laid out as a CSV in the dataset
// folder (input/<split>.csv) and then encoded by the same code as CSV inputs, so both formats give the same bytes.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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

async function convertOne(src: string, dst: string, spec: DatasetSpec, onRows: (n: number, total: number) => void): Promise<void> {
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(src);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new UserError(`${src}: not a readable parquet file (${(e as Error).message})`);
  }
  const all = parquetSchema(metadata).children.map((c) => c.element.name);
  // only the columns the dataset reads (the label and each field's source), in file order
  const wanted = new Set(spec.csvColumns);
  const columns = all.filter((c) => wanted.has(c));
  for (const c of wanted) if (!all.includes(c)) throw new UserError(`${src}: column "${c}" missing (found: ${all.join(', ')})`);
  const total = Number(metadata.num_rows);
  const tmp = tmpNameFor(dst);
  const fd = openSync(tmp, 'w');
  let open = true;
  try {
    writeSync(fd, columns.join(',') + '\n');
    const step = 1 << 16;
    for (let start = 0; start < total; start += step) {
      const end = Math.min(total, start + step);
      let rows: unknown[][] = [];
      await parquetRead({ file, metadata, rowStart: start, rowEnd: end, columns, compressors: DECOMPRESSORS, onComplete: (r: unknown[][]) => (rows = r) });
      const lines = rows.map((r, i) => r.map((v, j) => cell(v, src, start + i + 1, columns[j])).join(','));
      writeSync(fd, lines.join('\n') + '\n');
      onRows(end, total);
    }
    closeSync(fd);
    open = false;
    renameSync(tmp, dst);
  } catch (e) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** input/<split>.csv for each parquet split; returns their paths. */
export async function parquetToCsvs(files: Record<Split, string>, dir: string, spec: DatasetSpec, progress: (done: number, total: number) => void): Promise<Record<Split, string>> {
  const out = {} as Record<Split, string>;
  mkdirSync(join(dir, 'input'), { recursive: true });
  for (const s of ['train', 'valid', 'test'] as const) {
    out[s] = join(dir, 'input', `${s}.csv`);
    await convertOne(files[s], out[s], spec, progress);
  }
  return out;
}
