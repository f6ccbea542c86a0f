// Classes 2, 3 and 5 (datasets): `prepare --force` never leaves a mixed dataset; empty splits, release splits of the
// wrong size and non-finite numbers are errors naming the file (and line); a short or failed write while
// generating never puts a truncated file in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, readFileSync, readdirSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { prepareDataset } from '../../src/data/prepare.js';
import { CRITEO_HEADER, criteoRow, tempDir, writeCsvs } from '../data/helpers.js';

const rows = (n: number, over: Record<string, string> = {}) => Array.from({ length: n }, (_, i) => criteoRow(i % 3 === 0 ? 1 : 0, { C1: String(i % 7), ...over }));
const opts = (dir: string) => ({ dataset: 'criteo_x1' as const, dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: null } });

test('prepare --force with a bad valid.csv leaves the old dataset whole (no new train beside old valid/test)', async () => {
  const { dir, cleanup } = tempDir('rb-force');
  try {
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows(20)], 'valid.csv': [CRITEO_HEADER, ...rows(5)], 'test.csv': [CRITEO_HEADER, ...rows(5)] });
    const first = await prepareDataset(opts(dir));
    const snapshot = () => {
      const out: Record<string, string> = {};
      for (const f of ['feature_map.json', 'feature_vocab.json']) out[f] = readFileSync(join(first.dir, f), 'latin1');
      for (const s of ['train', 'valid', 'test']) for (const f of readdirSync(join(first.dir, 'cache', s))) out[`${s}/${f}`] = readFileSync(join(first.dir, 'cache', s, f), 'latin1');
      return out;
    };
    const before = snapshot();
    // a new train (more rows, new tokens) and a valid.csv with a malformed row
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows(30, { C2: '5' })], 'valid.csv': [CRITEO_HEADER, ...rows(4), criteoRow(2)] });
    await assert.rejects(prepareDataset({ ...opts(dir), force: true }), (e: Error) => e.name === 'UserError' && /valid\.csv:6/.test(e.message));
    assert.deepEqual(snapshot(), before, 'train, valid, test and the feature map are the old ones');
    const again = await prepareDataset(opts(dir));
    assert.deepEqual(again.rows, { train: 20, valid: 5, test: 5 });
  } finally {
    cleanup();
  }
});

test('an empty split, or a release split whose row count is not the release\'s, is an error naming the file', async () => {
  const { dir, cleanup } = tempDir('rb-empty');
  try {
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER], 'valid.csv': [CRITEO_HEADER, ...rows(5)], 'test.csv': [CRITEO_HEADER, ...rows(5)] });
    await assert.rejects(prepareDataset(opts(dir)), (e: Error) => e.name === 'UserError' && /train\.csv: the train split has no rows/.test(e.message));
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows(20)] });
    await assert.rejects(
      prepareDataset({ ...opts(dir), checksums: { csvMd5: null, expectedRows: { train: 20, valid: 6, test: 5 } } }),
      (e: Error) => e.name === 'UserError' && /valid\.csv: the valid split has 5 rows, but the release's valid split has 6/.test(e.message),
    );
  } finally {
    cleanup();
  }
});

test('numbers that are not finite where they are stored are rejected with file:line, or counted with --on-bad-row skip', async () => {
  const { dir, cleanup } = tempDir('rb-inf');
  try {
    const bad = [criteoRow(0, { I1: '1e50' }), criteoRow(1, { I2: '-Infinity' }), criteoRow(0, { I3: '9'.repeat(400) }), criteoRow(0, { C4: 'Infinity' })];
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows(10), ...bad], 'valid.csv': [CRITEO_HEADER, ...rows(5)], 'test.csv': [CRITEO_HEADER, ...rows(5)] });
    await assert.rejects(prepareDataset(opts(dir)), (e: Error) => e.name === 'UserError' && /train\.csv:12: I1 "1e50" is not a finite float32 number/.test(e.message));
    const s = await prepareDataset({ ...opts(dir), onBadRow: 'skip' });
    assert.equal(s.rows.train, 10);
    assert.equal(s.badRows.train.count, 4);
    assert.match(s.badRows.train.examples.join('\n'), /train\.csv:13: I2 "-Infinity"/);
    assert.match(s.badRows.train.examples.join('\n'), /train\.csv:14: I3 "9{40}…" \(400 characters\)/);
    assert.match(s.badRows.train.examples.join('\n'), /train\.csv:15: C4 "Infinity"/);
  } finally {
    cleanup();
  }
});

/** Replaces fs.writeSync for the duration of `body` (the ESM named exports follow via syncBuiltinESMExports). */
async function withWriteSync(fake: typeof fs.writeSync, body: () => Promise<void>): Promise<void> {
  const real = fs.writeSync;
  fs.writeSync = fake;
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

test('the synthetic generator completes short writes, and a full disk fails naming the file with nothing truncated in place', async () => {
  const { dir, cleanup } = tempDir('rb-short');
  try {
    const real = fs.writeSync;
    // at most 1000 bytes per call, as a nearly full disk or a signal may do
    const short = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if (typeof data === 'string') data = Buffer.from(data);
      const [off = 0, len = (data as Buffer).byteLength - (off as number), pos = null] = rest as [number?, number?, (number | null)?];
      return real(fd, data as Buffer, off, Math.min(len, 1000), pos);
    }) as typeof fs.writeSync;
    await withWriteSync(short, async () => {
      const s = await prepareDataset({ dataset: 'synthetic-criteo', dataDir: join(dir, 'a'), rows: 500, seed: 1 });
      assert.equal(s.rows.train + s.rows.valid + s.rows.test, 500);
    });
    let written = 0;
    const full = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if ((written += 1) > 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      return (real as (...a: unknown[]) => number)(fd, data, ...rest);
    }) as typeof fs.writeSync;
    await withWriteSync(full, async () => {
      await assert.rejects(
        prepareDataset({ dataset: 'synthetic-criteo', dataDir: join(dir, 'b'), rows: 100_000, seed: 1 }),
        (e: Error) => e.name === 'UserError' && /Disk full while writing .*train\.csv/.test(e.message),
      );
    });
    const folder = readdirSync(join(dir, 'b'))[0];
    assert.deepEqual(readdirSync(join(dir, 'b', folder)).filter((f) => f.endsWith('.csv')), [], 'no CSV under its final name');
  } finally {
    cleanup();
  }
});

test('a prepared dataset whose cache was deleted: the error says to run prepare, and running it works', async () => {
  const { dir, cleanup } = tempDir('rb-cache-gone');
  try {
    const { ensureDataset } = await import('../../src/data/prepare.js');
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...rows(20)], 'valid.csv': [CRITEO_HEADER, ...rows(5)], 'test.csv': [CRITEO_HEADER, ...rows(5)] });
    const s = await prepareDataset(opts(dir));
    fs.rmSync(join(s.dir, 'cache', 'valid'), { recursive: true });
    await assert.rejects(ensureDataset('criteo_x1', { dataDir: join(dir, 'data') }), (e: Error & { hint?: string }) => e.name === 'UserError' && /prepare/.test(`${e.message} ${e.hint}`));
    // following the hint (same source) rebuilds what is missing
    const again = await prepareDataset(opts(dir));
    assert.deepEqual(again.rows, { train: 20, valid: 5, test: 5 });
    const d = await ensureDataset('criteo_x1', { dataDir: join(dir, 'data') });
    assert.equal(d.splits.valid.rows, 5);
  } finally {
    cleanup();
  }
});

test('a dataset of yours (prepare --config): a feature name that is not a file name, or an empty split, is an error naming it', async () => {
  const { dir, cleanup } = tempDir('rb-user');
  try {
    const { unregisterDataset } = await import('../../src/data/catalog.js');
    const write = (ad: string, testRows: number) => {
      const lines = [`click,${ad},price`, ...Array.from({ length: 20 }, (_, i) => `${i % 2},a${i % 3},${i / 10}`)];
      writeCsvs(join(dir, 'src'), { 'train.csv': lines, 'valid.csv': lines.slice(0, 6), 'test.csv': lines.slice(0, 1 + testRows) });
      const src = join(dir, 'src');
      fs.writeFileSync(cfg, `mine:\n  data_format: csv\n  train_data: ${src}/train.csv\n  valid_data: ${src}/valid.csv\n  test_data: ${src}/test.csv\n` +
        `  feature_cols:\n    - {name: ${JSON.stringify(ad)}, active: True, dtype: str, type: categorical}\n    - {name: price, active: True, dtype: float, type: numeric}\n  label_col: {name: click, dtype: float}\n`);
    };
    const cfg = join(dir, 'dataset_config.yaml');
    try {
      write('ad', 0);
      await assert.rejects(prepareDataset({ dataset: 'mine', dataDir: join(dir, 'data'), config: cfg }), (e: Error) => e.name === 'UserError' && /test\.csv: the test split has no rows/.test(e.message));
      write('../evil', 4);
      await assert.rejects(prepareDataset({ dataset: 'mine', dataDir: join(dir, 'data'), config: cfg }), (e: Error) => e.name === 'UserError' && /dataset_config\.yaml.*feature name: "\.\.\/evil"/.test(e.message));
      assert.ok(!existsSync(join(dir, 'data', 'evil')) && !existsSync(join(dir, 'evil')));
    } finally {
      unregisterDataset('mine');
    }
  } finally {
    cleanup();
  }
});
