// The hand-written parquet writer, read back by two readers that share no code with it: hyparquet (JS) and
// parquet-wasm (the Rust parquet crate) + apache-arrow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { readParquet } from 'parquet-wasm/node';
import { tableFromIPC } from 'apache-arrow';
import { CompactWriter } from '../../src/data/thrift-compact.js';
import { FlatParquetWriter, PAGE_VALUES, type FlatArray, type FlatColumn, type PageCodec } from '../../src/data/parquet-file.js';
import { tempDir } from './helpers.js';

test('thrift compact: what hyparquet decodes is what was written', () => {
  const bytes = new CompactWriter()
    .i32(1, -7)
    .i64(2, 5_000_000_123) // past 2^32: file offsets of large files
    .bool(3, true)
    .bool(4, false)
    .string(5, 'é C1')
    .i32List(6, Array.from({ length: 20 }, (_, i) => i * 1000)) // 15+ elements: long list header
    .stringList(7, ['a', 'bc'])
    .struct(8, (s) => s.i32(1, 3).struct(2, (t) => t.i64(1, 0)))
    .structList(9, [1, 2], (s, v) => s.i32(3, v))
    .i32(40, 12) // field-id jump over 15: long field header
    .finish();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  const o = deserializeTCompactProtocol(reader) as Record<string, unknown>;
  assert.equal(reader.offset, bytes.length);
  assert.equal(o.field_1, -7);
  assert.equal(o.field_2, 5_000_000_123n);
  assert.equal(o.field_3, true);
  assert.equal(o.field_4, false);
  assert.equal(Buffer.from(o.field_5 as Uint8Array).toString('utf8'), 'é C1');
  assert.deepEqual(o.field_6, Array.from({ length: 20 }, (_, i) => i * 1000));
  assert.deepEqual((o.field_7 as Uint8Array[]).map((b) => Buffer.from(b).toString()), ['a', 'bc']);
  assert.deepEqual(o.field_8, { field_1: 3, field_2: { field_1: 0n } });
  assert.deepEqual(o.field_9, [{ field_3: 1 }, { field_3: 2 }]);
  assert.equal(o.field_40, 12);
});

const COLUMNS: FlatColumn[] = [
  { name: 'label', type: 'DOUBLE' },
  { name: 'C2', type: 'INT32' },
  { name: 'I1', type: 'FLOAT' },
];

function group(n: number, seed: number): FlatArray[] {
  const label = new Float64Array(n);
  const cat = new Int32Array(n);
  const num = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = (i * 7 + seed) % 3 === 0 ? 1 : 0;
    cat[i] = ((i * 2654435761) >>> 0) % (seed + 100) - 5; // some negatives too
    num[i] = Math.fround(Math.sin(i + seed) * 1e3);
  }
  return [label, cat, num];
}

const GZIP: PageCodec = { id: 2, compress: (b) => gzipSync(b, { level: 1 }) };
const NONE: PageCodec = { id: 0 };

for (const [codecName, codec] of [['gzip', GZIP], ['uncompressed', NONE]] as const) {
  test(`flat parquet (${codecName}): row groups, multi-page chunks, types and values read back by hyparquet and parquet-wasm`, async () => {
    const { dir, cleanup } = tempDir('pqfile');
    try {
      // the second group spans three pages; the third is small
      const groups = [group(1000, 1), group(PAGE_VALUES * 2 + 17, 2), group(3, 3)];
      const path = join(dir, 'f.parquet');
      const w = new FlatParquetWriter(path, COLUMNS, codec);
      for (const g of groups) w.writeRowGroup(g);
      w.finish();
      const want = COLUMNS.map((_, c) => groups.flatMap((g) => Array.from(g[c])));
      const rows = want[0].length;

      const buf = readFileSync(path);
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      const md = parquetMetadata(ab);
      assert.equal(md.num_rows, BigInt(rows));
      assert.deepEqual(md.row_groups.map((g) => Number(g.num_rows)), groups.map((g) => g[0].length));
      assert.deepEqual(md.schema.slice(1).map((e) => [e.name, e.type, e.repetition_type]), COLUMNS.map((c) => [c.name, c.type, 'REQUIRED']));
      assert.equal(md.row_groups[0].columns[1].meta_data?.codec, codecName === 'gzip' ? 'GZIP' : 'UNCOMPRESSED');
      const objs = await parquetReadObjects({ file: ab, compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gunzipSync(b)) } });
      assert.equal(objs.length, rows);
      for (const [c, col] of COLUMNS.entries()) {
        for (let i = 0; i < rows; i++) if (objs[i][col.name] !== want[c][i]) assert.fail(`hyparquet ${col.name}[${i}]: ${objs[i][col.name]} != ${want[c][i]}`);
      }

      const table = tableFromIPC(readParquet(buf).intoIPCStream());
      assert.equal(table.numRows, rows);
      assert.deepEqual(table.schema.fields.map((f) => String(f.type)), ['Float64', 'Int32', 'Float32']);
      for (const [c, col] of COLUMNS.entries()) {
        const got = table.getChild(col.name)!.toArray() as FlatArray;
        for (let i = 0; i < rows; i++) if (got[i] !== want[c][i]) assert.fail(`parquet-wasm ${col.name}[${i}]: ${got[i]} != ${want[c][i]}`);
      }
    } finally {
      cleanup();
    }
  });
}

test('flat parquet: an empty file reads as zero rows; mismatched columns are refused', () => {
  const { dir, cleanup } = tempDir('pqfile0');
  try {
    const path = join(dir, 'empty.parquet');
    const w = new FlatParquetWriter(path, COLUMNS, GZIP);
    assert.throws(() => w.writeRowGroup([new Float64Array(2), new Int32Array(1), new Float32Array(2)]), /C2 has 1 values, expected 2/);
    assert.throws(() => w.writeRowGroup([new Float64Array(2), new Float32Array(2), new Float32Array(2)]), /C2 \(INT32\) given a Float32Array/);
    assert.throws(() => w.writeRowGroup([new Float64Array(2)]), /1 columns given, schema has 3/);
    w.writeRowGroup([new Float64Array(0), new Int32Array(0), new Float32Array(0)]);
    w.finish();
    const buf = readFileSync(path);
    assert.equal(parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer).row_groups.length, 0);
    const table = tableFromIPC(readParquet(buf).intoIPCStream());
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['label', 'C2', 'I1']);
  } finally {
    cleanup();
  }
});
