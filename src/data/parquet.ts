// <split>.parquet from the encoded cache, in the layout FuxiCTR v2.3.1's build_dataset writes (pandas
// to_parquet of the preprocessed frame): columns are the label then the feature columns in REVERSE config order
// (FuxiCTR's preprocess selects label_cols + feature_cols[::-1]); categorical indices are INT64 as pandas writes
// them. Differences, on purpose: numeric features are FLOAT (float32, the values the trainer sees) where FuxiCTR
// keeps float64, and the label is DOUBLE as in FuxiCTR. FuxiCTR's loader selects columns by name, so it reads
// either. Row groups of ROW_GROUP rows, PLAIN encoding, snappy-compressed (hyparquet-writer's dictionary
// detection costs more than the rest of prepare together, so it is skipped).
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { tmpNameFor } from '../util/fs.js';
import { cacheDir, readCacheMeta, readFull } from './cache.js';
import type { Split } from './types.js';

const ROW_GROUP = 1 << 19;

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

export function writeSplitParquet(
  datasetDir: string,
  split: Split,
  outPath: string,
  onProgress?: (rows: number, total: number) => void,
): { rows: number; path: string } {
  const meta = readCacheMeta(datasetDir, split);
  const dir = cacheDir(datasetDir, split);
  const order = [...meta.fields].reverse();
  const schema: SchemaElement[] = [
    { name: 'schema', num_children: order.length + 1 },
    { name: meta.label, type: 'DOUBLE', repetition_type: 'REQUIRED' },
    ...order.map(
      (f): SchemaElement =>
        f.type === 'categorical'
          ? { name: f.name, type: 'INT64', repetition_type: 'REQUIRED' }
          : { name: f.name, type: 'FLOAT', repetition_type: 'REQUIRED' },
    ),
  ];
  const tmp = tmpNameFor(outPath);
  const fds = new Map<string, number>();
  try {
    const writer = new ParquetWriter({ writer: fileWriter(tmp), schema, statistics: false, createdBy: 'ge4rec' });
    for (const key of ['label', ...order.map((f) => f.name)]) fds.set(key, openSync(join(dir, meta.files[key]), 'r'));
    for (let start = 0; start < meta.rows || (start === 0 && meta.rows === 0); start += ROW_GROUP) {
      const n = Math.min(ROW_GROUP, meta.rows - start);
      if (n === 0) break;
      const label32 = readF32(fds.get('label')!, start, n);
      const columnData = [
        { name: meta.label, data: Float64Array.from(label32), encoding: 'PLAIN' as const },
        ...order.map((f) =>
          f.type === 'categorical'
            ? { name: f.name, data: toInt64(readI32(fds.get(f.name)!, start, n)), encoding: 'PLAIN' as const }
            : { name: f.name, data: readF32(fds.get(f.name)!, start, n), encoding: 'PLAIN' as const },
        ),
      ];
      const r = writer.write({ columnData, rowGroupSize: n });
      if (r) throw new Error('unexpected async parquet writer');
      onProgress?.(start + n, meta.rows);
    }
    writer.finish();
    renameSync(tmp, outPath);
  } catch (e) {
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

/** Widens int32 to int64 by writing the words directly (little-endian), avoiding a BigInt per value. */
function toInt64(a: Int32Array): BigInt64Array {
  const out = new BigInt64Array(a.length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < a.length; i++) {
    words[2 * i] = a[i];
    words[2 * i + 1] = a[i] >> 31;
  }
  return out;
}
