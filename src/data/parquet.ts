// <split>.parquet from the encoded cache, in the layout FuxiCTR v2.3.1's build_dataset writes (pandas
// to_parquet of the preprocessed frame): columns are the label then the feature columns in REVERSE config order
// (FuxiCTR's preprocess selects label_cols + feature_cols[::-1]). Differences, on purpose, for speed and size:
// categorical indices are INT32 (pandas writes int64; FuxiCTR's ParquetDataLoader casts to long anyway), numeric
// features are FLOAT (float32, the values our trainer sees; FuxiCTR keeps float64), the label is DOUBLE as in
// FuxiCTR. FuxiCTR's loader selects columns by name, so the order does not matter to it. Row groups of ROW_GROUP
// rows, PLAIN encoding, gzip level 1 by default, written by parquet-file.ts straight from the cache's column
// bytes (hyparquet-writer, used before, converted every value one by one and took twice as long as the
// compression; its dictionary detection cost more than the rest of prepare together).
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { Worker } from 'node:worker_threads';
import { tmpNameFor } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { siblingModuleUrl } from '../util/paths.js';
import { cacheDir, readCacheMeta, readFull } from './cache.js';
import { FlatParquetWriter, type FlatArray, type FlatColumn, type PageCodec } from './parquet-file.js';
import type { Split } from './types.js';

const ROW_GROUP = 1 << 19;

export type ParquetCodec = 'gzip' | 'snappy' | 'none';

export const PAGE_CODECS: Record<ParquetCodec, PageCodec> = {
  // zlib's native deflate at level 1 is faster than the JS snappy and gives smaller files. Z_RLE (matches at
  // distance 1 only) halves the time on the float columns at the same size, and is smaller on the index columns;
  // any gzip decoder reads it.
  gzip: { id: 2, compress: (b) => gzipSync(b, { level: 1, strategy: zlibConstants.Z_RLE }) },
  snappy: { id: 1, compress: (b) => snappyCompress(b) },
  none: { id: 0 },
};

export function writeSplitParquet(
  datasetDir: string,
  split: Split,
  outPath: string,
  onProgress?: (rows: number, total: number) => void,
  codec: ParquetCodec = 'gzip',
): { rows: number; path: string } {
  const meta = readCacheMeta(datasetDir, split);
  const dir = cacheDir(datasetDir, split);
  const order = [...meta.fields].reverse();
  const columns: FlatColumn[] = [
    { name: meta.label, type: 'DOUBLE' },
    ...order.map((f): FlatColumn => ({ name: f.name, type: f.type === 'categorical' ? 'INT32' : 'FLOAT' })),
  ];
  const tmp = tmpNameFor(outPath);
  const fds = new Map<string, number>();
  let writer: FlatParquetWriter | null = null;
  try {
    writer = new FlatParquetWriter(tmp, columns, PAGE_CODECS[codec]);
    for (const key of ['label', ...order.map((f) => f.name)]) fds.set(key, openSync(join(dir, meta.files[key]), 'r'));
    for (let start = 0; start < meta.rows; start += ROW_GROUP) {
      const n = Math.min(ROW_GROUP, meta.rows - start);
      const data: FlatArray[] = [
        Float64Array.from(readF32(fds.get('label')!, start, n)),
        ...order.map((f) => (f.type === 'categorical' ? readI32(fds.get(f.name)!, start, n) : readF32(fds.get(f.name)!, start, n))),
      ];
      writer.writeRowGroup(data);
      onProgress?.(start + n, meta.rows);
    }
    writer.finish();
    writer = null;
    renameSync(tmp, outPath);
  } catch (e) {
    writer?.abort();
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    for (const fd of fds.values()) closeSync(fd);
  }
  return { rows: meta.rows, path: outPath };
}

function readI32(fd: number, start: number, n: number): Int32Array {
  const a = new Int32Array(n);
  const got = readFull(fd, new Uint8Array(a.buffer), n * 4, start * 4);
  if (got !== n * 4) throw new Error('cache file shorter than meta.json says (re-run prepare --force)');
  return a;
}

function readF32(fd: number, start: number, n: number): Float32Array {
  const a = new Float32Array(n);
  const got = readFull(fd, new Uint8Array(a.buffer), n * 4, start * 4);
  if (got !== n * 4) throw new Error('cache file shorter than meta.json says (re-run prepare --force)');
  return a;
}

/**
 * writeSplitParquet on a worker thread (so it can overlap with encoding); runs inline when workers are disabled
 * (GE4REC_NO_WORKERS=1) or cannot start.
 */
export function writeSplitParquetAsync(
  datasetDir: string,
  split: Split,
  outPath: string,
  onProgress?: (rows: number, total: number) => void,
  codec: ParquetCodec = 'gzip',
): Promise<void> {
  const inline = (): Promise<void> => {
    writeSplitParquet(datasetDir, split, outPath, onProgress, codec);
    return Promise.resolve();
  };
  // small splits: a worker's start-up costs more than it saves
  if (process.env.GE4REC_NO_WORKERS || readCacheMeta(datasetDir, split).rows < 100_000) return inline();
  let worker: Worker;
  try {
    const url = siblingModuleUrl(import.meta.url, 'parquet-worker');
    const workerData = { dir: datasetDir, split, out: outPath, codec };
    if (url.pathname.endsWith('.ts')) {
      // running from TypeScript sources: register tsx's loader inside the worker before importing the entry
      const tsxApi = import.meta.resolve('tsx/esm/api');
      const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
      worker = new Worker(boot, { eval: true, workerData });
    } else {
      worker = new Worker(url, { workerData });
    }
  } catch {
    return inline();
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: { type: string; done?: number; total?: number; message?: string; name?: string }) => {
      if (m.type === 'progress') onProgress?.(m.done!, m.total!);
      else if (m.type === 'done') {
        settled = true;
        resolve();
      } else if (m.type === 'error') {
        settled = true;
        reject(m.name === 'UserError' ? new UserError(m.message!) : new Error(`parquet ${split}: ${m.message}`));
      }
    });
    worker.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    worker.on('exit', (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`parquet worker for ${split} exited with code ${code}`));
      }
    });
  });
}
