import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readParquet } from 'parquet-wasm/node';
import { tableFromIPC } from 'apache-arrow';
import { prepareDataset } from '../../src/data/prepare.js';
import { openSplit } from '../../src/data/split-source.js';
import { writeSplitParquet } from '../../src/data/parquet.js';
import type { Batch } from '../../src/data/types.js';
import { criteoRow, CRITEO_HEADER, tempDir, writeCsvs } from './helpers.js';

test('synthetic prepare → parquet read back by parquet-wasm + apache-arrow equals the cache', async () => {
  const { dir, cleanup } = tempDir('pq');
  try {
    const s = await prepareDataset({ dataset: 'synthetic-criteo', dataDir: dir, rows: 3000, seed: 3 });
    assert.deepEqual(s.rows, { train: 2100, valid: 600, test: 300 });
    for (const split of ['train', 'test'] as const) {
      const table = tableFromIPC(readParquet(readFileSync(s.parquet[split])).intoIPCStream());
      assert.equal(table.numRows, s.rows[split]);
      // FuxiCTR's column order: label, then the features in reverse config order
      const names = table.schema.fields.map((f) => f.name);
      assert.deepEqual(names.slice(0, 3), ['label', 'C26', 'C25']);
      assert.equal(names.at(-1), 'I1');
      assert.equal(String(table.schema.fields[1].type), 'Int32');
      const src = openSplit(s.dir, split);
      const batches: Batch[] = [];
      for await (const b of src.batches({ batchSize: 1 << 20, shuffle: false, seed: 0, epoch: 0 })) batches.push(b);
      const b = batches[0];
      const label = table.getChild('label')!.toArray() as Float64Array;
      const c26 = table.getChild('C26')!.toArray() as Int32Array;
      const c1 = table.getChild('C1')!.toArray() as Int32Array;
      const i13 = table.getChild('I13')!.toArray() as Float32Array;
      for (let r = 0; r < b.size; r++) {
        assert.equal(label[r], b.label[r]);
        assert.equal(Number(c1[r]), b.cat[r * 26]);
        assert.equal(Number(c26[r]), b.cat[r * 26 + 25]);
        assert.equal(i13[r], b.num[r * 13 + 12]);
      }
    }
    // the other codecs read back too
    for (const codec of ['snappy', 'none'] as const) {
      const out = join(dir, `train-${codec}.parquet`);
      writeSplitParquet(s.dir, 'train', out, undefined, codec);
      const t = tableFromIPC(readParquet(readFileSync(out)).intoIPCStream());
      const ref = tableFromIPC(readParquet(readFileSync(s.parquet.train)).intoIPCStream());
      assert.deepEqual(Array.from(t.getChild('C7')!.toArray() as Int32Array), Array.from(ref.getChild('C7')!.toArray() as Int32Array));
      assert.deepEqual(Array.from(t.getChild('I2')!.toArray() as Float32Array), Array.from(ref.getChild('I2')!.toArray() as Float32Array));
    }
    // the labels follow the target click rate and the columns carry real variety
    const train = openSplit(s.dir, 'train');
    let clicks = 0;
    for await (const b of train.batches({ batchSize: 512, shuffle: false, seed: 0, epoch: 0 })) for (const y of b.label) clicks += y;
    assert.ok(Math.abs(clicks / 2100 - 0.26) < 0.05, `click rate ${clicks / 2100}`);
    const sizes = s.fields.filter((f) => f.type === 'categorical').map((f) => f.vocabSize!);
    assert.ok(Math.min(...sizes) <= 5 && Math.max(...sizes) > 500, `vocab sizes ${sizes}`);
  } finally {
    cleanup();
  }
});

test('re-running prepare skips finished steps; --force redoes them', async () => {
  const { dir, cleanup } = tempDir('idem');
  try {
    const a = await prepareDataset({ dataset: 'synthetic-avazu', dataDir: dir, rows: 500, seed: 1 });
    assert.ok(a.steps.every((s) => s.status === 'done'));
    // leftovers of a killed run (a dead pid) are cleaned up
    const stale = [join(a.dir, '.tmp-999999-abc-train.parquet'), join(a.dir, 'cache', '.tmp-999999-train')];
    writeFileSync(stale[0], 'x');
    mkdirSync(stale[1]);
    const b = await prepareDataset({ dataset: 'synthetic-avazu', dataDir: dir, rows: 500, seed: 1 });
    assert.ok(b.steps.every((s) => s.status === 'skipped'));
    assert.ok(stale.every((p) => !existsSync(p)));
    assert.deepEqual(b.rows, a.rows);
    const c = await prepareDataset({ dataset: 'synthetic-avazu', dataDir: dir, rows: 500, seed: 1, force: true });
    assert.ok(c.steps.every((s) => s.status === 'done'));
    assert.deepEqual(c.fields, a.fields);
  } finally {
    cleanup();
  }
});

test('bad rows: fail mode names file and line, skip mode counts them', async () => {
  const { dir, cleanup } = tempDir('bad');
  try {
    const good = criteoRow(0, { C1: '5' });
    writeCsvs(join(dir, 'src'), {
      'train.csv': [CRITEO_HEADER, good, criteoRow(1, { I3: 'abc' }), good, '1,2,3', criteoRow(2), good],
      'valid.csv': [CRITEO_HEADER, good],
      'test.csv': [CRITEO_HEADER, good, criteoRow('x')],
    });
    const base = { dataset: 'criteo_x1' as const, dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: null } };
    await assert.rejects(prepareDataset(base), (e: Error) => {
      assert.equal(e.name, 'UserError');
      assert.match(e.message, /train\.csv:3: I3 "abc" is not a number/);
      return true;
    });
    const ds = join(dir, 'data', 'criteo_x1_7b681156');
    assert.ok(!existsSync(join(ds, 'cache', 'train')) && !existsSync(join(ds, '.done', 'encode.json')));
    assert.deepEqual(readdirSync(join(ds, 'cache')), []);
    const s = await prepareDataset({ ...base, onBadRow: 'skip' });
    assert.equal(s.rows.train, 3);
    assert.equal(s.badRows.train.count, 3);
    assert.match(s.badRows.train.examples[1], /train\.csv:5: expected 40 columns, found 3/);
    assert.match(s.badRows.train.examples[2], /train\.csv:6: label "2" is not 0 or 1/);
    assert.equal(s.badRows.test.count, 1);
    assert.equal(s.rows.test, 1);
  } finally {
    cleanup();
  }
});

async function epochOrder(src: ReturnType<typeof openSplit>, seed: number, epoch: number, batchSize: number): Promise<{ ids: number[]; sizes: number[] }> {
  const ids: number[] = [];
  const sizes: number[] = [];
  for await (const b of src.batches({ batchSize, shuffle: true, seed, epoch })) {
    sizes.push(b.size);
    // row identity: numeric I1 was written as the row number / 10000
    for (let r = 0; r < b.size; r++) ids.push(Math.round(b.num[r * 13] * 10000));
  }
  return { ids, sizes };
}

test('batches: each row once per epoch, order fixed by seed+epoch, last batch smaller; full and block-wise shuffle', async () => {
  const { dir, cleanup } = tempDir('batches');
  try {
    const n = 1000;
    const rows = Array.from({ length: n }, (_, i) => criteoRow(i % 2, { I1: (i / 10000).toString(), C1: String(i % 7) }));
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows], 'valid.csv': [CRITEO_HEADER, rows[0]], 'test.csv': [CRITEO_HEADER, rows[0]] });
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: null } });
    const full = openSplit(s.dir, 'train');
    const blocky = openSplit(s.dir, 'train', { memoryBudgetBytes: 3 * 64 * 168, blockRows: 64 });
    assert.equal(full.fullShuffle, true);
    assert.equal(blocky.fullShuffle, false);
    for (const src of [full, blocky]) {
      const a = await epochOrder(src, 5, 0, 96);
      assert.deepEqual([...a.ids].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
      assert.deepEqual(a.sizes, [...Array(10).fill(96), 1000 - 960]);
      const again = await epochOrder(src, 5, 0, 96);
      assert.deepEqual(again.ids, a.ids);
      const next = await epochOrder(src, 5, 1, 96);
      assert.notDeepEqual(next.ids, a.ids);
      const other = await epochOrder(src, 6, 0, 96);
      assert.notDeepEqual(other.ids, a.ids);
      assert.notDeepEqual(a.ids, Array.from({ length: n }, (_, i) => i));
    }
    // unshuffled: file order; labels and categoricals travel with their row
    const seq: number[] = [];
    for await (const b of full.batches({ batchSize: 300, shuffle: false, seed: 0, epoch: 0 })) {
      for (let r = 0; r < b.size; r++) {
        const id = Math.round(b.num[r * 13] * 10000);
        seq.push(id);
        assert.equal(b.label[r], id % 2);
      }
    }
    assert.deepEqual(seq, Array.from({ length: n }, (_, i) => i));
  } finally {
    cleanup();
  }
});
