import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataset } from '../../src/data/prepare.js';
import { openSplit } from '../../src/data/split-source.js';
import { avazuTime } from '../../src/data/encode.js';
import { TokenCounter, pythonFloatRepr } from '../../src/data/vocab.js';
import type { Batch, SplitSource } from '../../src/data/types.js';
import { avazuRow, AVAZU_HEADER, criteoRow, CRITEO_HEADER, tempDir, writeCsvs } from './helpers.js';

async function allRows(src: SplitSource): Promise<Batch> {
  const parts: Batch[] = [];
  for await (const b of src.batches({ batchSize: 1000, shuffle: false, seed: 0, epoch: 0 })) parts.push(b);
  assert.equal(parts.length, 1);
  return parts[0];
}

function column(b: Batch, fieldIdx: number, nCat: number): number[] {
  return Array.from({ length: b.size }, (_, r) => b.cat[r * nCat + fieldIdx]);
}

test('TokenCounter: sort by (-count, token), min count, na value excluded', () => {
  const c = new TokenCounter();
  for (const t of ['b', 'a', 'c', 'a', 'b', '', '', '', 'd']) c.observe(t);
  // counts: '' 3, a 2, b 2, c 1, d 1
  const v1 = c.build(1, '');
  assert.deepEqual(v1.tokens, ['a', 'b', 'c', 'd']);
  assert.equal(v1.vocabSize, 6);
  assert.equal(v1.oov, 5);
  const v2 = c.build(2, '');
  assert.deepEqual(v2.tokens, ['a', 'b']);
  assert.equal(v2.remap[c.lookup('c')], 3); // OOV
  assert.equal(v2.remap[c.lookup('')], 3); // na → OOV
  assert.equal(v2.remap[c.lookup('b')], 2);
});

test('TokenCounter: numeric tokens tie-break numerically (10 after 9), floats and ints share one space', () => {
  const c = new TokenCounter();
  for (const t of [10, 9, 2.5, 100000, 9, 10, 2.5, 100000, 3e9, 3e9, -1, -1]) c.observe(t);
  const v = c.build(1, '');
  assert.deepEqual(v.tokens, [-1, 2.5, 9, 10, 100000, 3e9]);
  // many distinct ints force the open-addressing table to grow
  const big = new TokenCounter();
  for (let i = 0; i < 5000; i++) big.observe((i * 7919) % 5003);
  for (let i = 0; i < 5000; i++) assert.equal(big.count((i * 7919) % 5003), 1);
  assert.equal(big.lookup(5002 * 2), -1);
});

test('pythonFloatRepr matches Python repr', () => {
  assert.equal(pythonFloatRepr(3), '3.0');
  assert.equal(pythonFloatRepr(0.5), '0.5');
  assert.equal(pythonFloatRepr(1e-5), '1e-05');
  assert.equal(pythonFloatRepr(1e16), '1e+16');
  assert.equal(pythonFloatRepr(123456.75), '123456.75');
});

test('avazuTime: hour of day, %w weekday, weekend flag', () => {
  const t = (s: string) => avazuTime(Buffer.from(s), 0, s.length);
  assert.deepEqual(t('14102100'), { hour: 0, weekday: 2, weekend: 0 }); // Tue 2014-10-21
  assert.deepEqual(t('14102513'), { hour: 13, weekday: 6, weekend: 1 }); // Sat
  assert.deepEqual(t('14102623'), { hour: 23, weekday: 0, weekend: 1 }); // Sun
  assert.deepEqual(t('14102700'), { hour: 0, weekday: 1, weekend: 0 }); // Mon
  assert.equal(t('1410210'), null);
  assert.equal(t('14103200'), null);
  assert.equal(t('14102124'), null);
});

test('Criteo encoding: hand-computed vocabularies, float tokens, OOV, numerics', async () => {
  const { dir, cleanup } = tempDir('enc-criteo');
  try {
    // C1 train tokens: 7,7,3,3.0,12,"" → floats {7:2, 3:2, 12:1, 0:1} (empty → fill 0, an ordinary token)
    // order: 3 (count 2, smaller), 7 (count 2), 0 (1), 12 (1) → 3→1, 7→2, 0→3, 12→4, OOV 5
    const train = [
      criteoRow(1, { C1: '7', I1: '0.5' }),
      criteoRow(0, { C1: '7', I1: '' }),
      criteoRow(0, { C1: '3', I1: '0.25' }),
      criteoRow(1, { C1: '3.0', I1: 'nan' }),
      criteoRow(0, { C1: '12', I2: '1e-3' }),
      criteoRow(0, { C1: '' }),
    ];
    const valid = [criteoRow(1, { C1: '12' }), criteoRow(0, { C1: '99' })];
    const test_ = [criteoRow(0, { C1: '3e0' })];
    writeCsvs(join(dir, 'src'), { 'train.csv': [CRITEO_HEADER, ...train], 'valid.csv': [CRITEO_HEADER, ...valid], 'test.csv': [CRITEO_HEADER, ...test_] });
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: null } });
    assert.deepEqual(s.rows, { train: 6, valid: 2, test: 1 });
    const c1 = s.fields.find((f) => f.name === 'C1')!;
    assert.equal(c1.vocabSize, 6);
    assert.equal(s.fields.find((f) => f.name === 'C2')!.vocabSize, 3); // only "1"
    const tr = await allRows(openSplit(s.dir, 'train'));
    assert.deepEqual(column(tr, 0, 26), [2, 2, 1, 1, 4, 3]);
    assert.deepEqual(Array.from(tr.label), [1, 0, 0, 1, 0, 0]);
    assert.deepEqual(Array.from({ length: 6 }, (_, r) => tr.num[r * 13]), [0.5, 0, 0.25, 0, 0, 0]);
    assert.equal(tr.num[4 * 13 + 1], Math.fround(1e-3));
    const va = await allRows(openSplit(s.dir, 'valid'));
    assert.deepEqual(column(va, 0, 26), [4, 5]);
    const te = await allRows(openSplit(s.dir, 'test'));
    assert.deepEqual(column(te, 0, 26), [1]);
    const fmap = JSON.parse(readFileSync(s.featureMap, 'utf8'));
    assert.equal(fmap.dataset_id, 'criteo_x1_7b681156');
    assert.equal(fmap.num_fields, 39);
    assert.equal(fmap.input_length, 39);
    assert.deepEqual(fmap.labels, ['label']);
    assert.deepEqual(Object.keys(fmap.features[0]), ['I1']);
    assert.deepEqual(fmap.features[13], { C1: { source: '', type: 'categorical', padding_idx: 0, vocab_size: 6 } });
    assert.equal(fmap.total_features, 13 + 6 + 25 * 3);
    const vocab = JSON.parse(readFileSync(join(s.dir, 'feature_vocab.json'), 'utf8'));
    assert.deepEqual(vocab.C1, { __PAD__: 0, '3.0': 1, '7.0': 2, '0.0': 3, '12.0': 4, __OOV__: 5 });
  } finally {
    cleanup();
  }
});

test('Avazu encoding: min count 2, empty → OOV, derived hour/weekday/weekend, id dropped', async () => {
  const { dir, cleanup } = tempDir('enc-avazu');
  try {
    const train = [
      avazuRow(1, '14102100', { site_id: 'b', C1: '1005' }),
      avazuRow(0, '14102513', { site_id: 'a', C1: '1005' }),
      avazuRow(0, '14102623', { site_id: 'b', C1: '' }),
      avazuRow(1, '14102100', { site_id: 'a', C1: '' }),
      avazuRow(0, '14102100', { site_id: 'c', C1: '' }),
    ];
    const valid = [avazuRow(0, '14102900', { site_id: 'c', C1: '1005' }), avazuRow(0, '14103000', { site_id: 'zz', C1: '1002' })];
    writeCsvs(join(dir, 'src'), { 'train.csv': [AVAZU_HEADER, ...train], 'valid.csv': [AVAZU_HEADER, ...valid], 'test.csv': [AVAZU_HEADER, valid[0]] });
    const s = await prepareDataset({ dataset: 'avazu_x4', dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: null, zipSha256: null } });
    const names = s.fields.map((f) => f.name);
    assert.equal(names.length, 24);
    assert.deepEqual(names.slice(0, 3), ['hour', 'C1', 'banner_pos']);
    assert.deepEqual(names.slice(-2), ['weekday', 'weekend']);
    assert.ok(!names.includes('id'));
    const tr = await allRows(openSplit(s.dir, 'train'));
    const nCat = 24;
    // hour tokens: "0" ×3, "13", "23" → min count 2 keeps only "0"
    assert.deepEqual(column(tr, 0, nCat), [1, 2, 2, 1, 1]);
    // C1: "" ×3 (na, excluded), "1005" ×2 → 1005→1, OOV 2
    assert.deepEqual(column(tr, 1, nCat), [1, 1, 2, 2, 2]);
    // site_id: a 2, b 2, c 1 → a→1, b→2, c→OOV 3
    const siteIdx = names.indexOf('site_id');
    assert.deepEqual(column(tr, siteIdx, nCat), [2, 1, 2, 1, 3]);
    // weekday tokens: "2" ×3, "6", "0" → "2"→1 only; weekend "0" ×3, "1" ×2 → "0"→1, "1"→2
    assert.deepEqual(column(tr, 22, nCat), [1, 2, 2, 1, 1]);
    assert.deepEqual(column(tr, 23, nCat), [1, 2, 2, 1, 1]);
    const va = await allRows(openSplit(s.dir, 'valid'));
    assert.deepEqual(column(va, siteIdx, nCat), [3, 3]); // c (rare) and zz (unseen) → OOV
    assert.deepEqual(column(va, 1, nCat), [1, 2]);
    assert.equal(s.fields[siteIdx].vocabSize, 4);
  } finally {
    cleanup();
  }
});
