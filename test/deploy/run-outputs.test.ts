// What a finished run leaves for users of the model: test_predictions.parquet (Table 1 recomputable from it) and a
// model.onnx whose card matches the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readModelCard } from '../../src/deploy/model-card.js';
import { readTestPredictions } from '../../src/train/predictions.js';
import { evaluateMetrics } from '../../src/train/metrics.js';
import { finishedRun } from './run-fixture.js';

test('a run saves its test predictions; AUC/Logloss recomputed from them equal metrics.json; the model card matches', { timeout: 180_000 }, async () => {
  const fx = await finishedRun('FM', 'gen');
  try {
    const metrics = JSON.parse(readFileSync(join(fx.runDir, 'metrics.json'), 'utf8'));
    const { labels, preds } = await readTestPredictions(fx.runDir);
    assert.equal(labels.length, metrics.test_rows);
    assert.ok(labels.every((y) => y === 0 || y === 1));
    assert.ok(preds.every((p) => p > 0 && p < 1));
    const again = evaluateMetrics(Object.keys(metrics.test), labels, preds);
    assert.deepEqual(again, metrics.test); // to the last bit
    const card = readModelCard(join(fx.runDir, 'model.onnx'));
    assert.equal(card.dataset, 'synthetic-criteo');
    assert.equal(card.datasetId, 'synthetic_criteo_20000_0');
    assert.equal(card.label, 'label');
    assert.equal(card.model, 'FM');
    assert.equal(card.paradigm, 'gen');
    assert.equal(card.expid, metrics.expid);
    assert.equal(card.seed, 2021);
    assert.equal(card.bestEpoch, metrics.best_epoch);
    assert.deepEqual(card.valid, metrics.valid);
    assert.deepEqual(card.test, metrics.test);
    assert.match(card.featureMapSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.match(card.featureVocabSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(card.fields.map((f) => f.name), [...Array.from({ length: 13 }, (_, i) => `I${i + 1}`), ...Array.from({ length: 26 }, (_, i) => `C${i + 1}`)]);
    assert.ok(card.fields.filter((f) => f.type === 'categorical').every((f) => (f.vocab_size ?? 0) >= 2));
  } finally {
    rmSync(fx.root, { recursive: true, force: true });
  }
});
