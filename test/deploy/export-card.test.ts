// The exported model.onnx: ids outside a field's vocabulary read that field's OOV row (never another field's), and
// the model card written into metadata_props reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Engine } from '../../src/engine/engine.js';
import { cardFields, cardToMetadata, readModelCard, readOnnxMetadata } from '../../src/deploy/model-card.js';
import { GE4REC_VERSION } from '../../src/util/version.js';
import { FIELDS, D, tinyModel, makeBatches } from '../engine/tiny-model.js';

const CATS = FIELDS.filter((f) => f.type === 'categorical');

async function trainedExport(dir: string, metadata?: Record<string, string>): Promise<string> {
  const e = await Engine.create({
    model: tinyModel, fields: FIELDS, embeddingDim: D, learningRate: 0.02, embeddingRegularizer: 0.01, netRegularizer: 0.01,
    clipNorm: 10, embeddingOptimizer: 'dense', seed: 3, device: 'cpu', threads: 1,
  });
  for (const b of makeBatches(4, 10, 7)) await e.trainStep(b);
  const path = join(dir, 'model.onnx');
  e.exportOnnx(path, metadata);
  await e.dispose();
  return path;
}

async function score(s: ort.InferenceSession, rows: number[][]): Promise<Float32Array> {
  const cat = BigInt64Array.from(rows.flat(), (x) => BigInt(x));
  const num = new Float32Array(rows.length * 2).fill(0.5);
  const out = await s.run({ cat: new ort.Tensor('int64', cat, [rows.length, CATS.length]), num: new ort.Tensor('float32', num, [rows.length, 2]) });
  return out.prob.data as Float32Array;
}

test('export: an id outside [0, vocab) of its field scores exactly as the OOV id does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-oov-'));
  try {
    const s = await ort.InferenceSession.create(await trainedExport(dir));
    const base = [2, 1, 5];
    for (let j = 0; j < CATS.length; j++) {
      const vocab = CATS[j].vocabSize!;
      const withId = (id: number) => base.map((v, k) => (k === j ? id : v));
      // the next field's first rows are where an unclamped id = vocab would land
      const bad = [vocab, vocab + 1, vocab + 3, 2 ** 40, -1, -vocab - 7];
      const rows = [withId(vocab - 1), withId(0), withId(1), ...bad.map(withId)];
      const p = await score(s, rows);
      const oov = p[0];
      assert.notEqual(oov, p[1], `field ${CATS[j].name}: OOV and padding score alike, the check would prove nothing`);
      assert.notEqual(oov, p[2], `field ${CATS[j].name}: OOV and id 1 score alike`);
      bad.forEach((id, i) => assert.equal(p[3 + i], oov, `field ${CATS[j].name}: id ${id} → ${p[3 + i]}, OOV gives ${oov}`));
    }
    await s.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: the model card is written into metadata_props and reads back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-card-'));
  try {
    const card = {
      fields: cardFields(FIELDS), label: 'click', dataset: 'synthetic-criteo', datasetId: 'synthetic_criteo_20000_0',
      featureMapSha256: 'a'.repeat(64), featureVocabSha256: null, model: 'DCNv2', paradigm: 'gen', expid: 'DCNv2_criteo_gen',
      seed: 2021, bestEpoch: 3, valid: { AUC: 0.71, logloss: 0.45 }, test: { AUC: 0.7, logloss: 0.46 },
    };
    const path = await trainedExport(dir, cardToMetadata(card));
    const back = readModelCard(path);
    assert.deepEqual(back, { ...card, format: 1, ge4recVersion: GE4REC_VERSION });
    assert.deepEqual(back.fields.map((f) => [f.name, f.input, f.column, f.vocab_size]), [
      ['n1', 'num', 0, undefined], ['c1', 'cat', 0, 6], ['c2', 'cat', 1, 4], ['n2', 'num', 1, undefined], ['c3', 'cat', 2, 9],
    ]);
    // onnxruntime still loads it, and a model exported without a card is refused by readModelCard
    await (await ort.InferenceSession.create(path)).release();
    const bare = await trainedExport(mkdtempSync(join(dir, 'bare-')));
    assert.deepEqual(readOnnxMetadata(bare), {});
    assert.throws(() => readModelCard(bare), /no ge4rec metadata/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
