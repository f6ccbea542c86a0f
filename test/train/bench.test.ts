import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchFields, syntheticBatches } from '../../src/train/bench.js';
import { AVAZU_X4_VOCAB as AVAZU_VOCAB, criteoX1BenchVocab as criteoVocab } from '../../src/data/datasets.js';
import { forwardFlops } from '../../src/train/flops.js';
import { defaultExperiment } from '../../src/models/config.js';
import Bench from '../../src/commands/bench.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

test('bench vocabularies: Criteo 2.09 M rows over 26 fields, Avazu the paper sizes', () => {
  const c = criteoVocab();
  assert.equal(c.length, 26);
  assert.ok(Math.abs(c.reduce((a, b) => a + b, 0) - 2_090_000) < 2_000);
  assert.equal(benchFields('criteo_x1').length, 39);
  assert.equal(AVAZU_VOCAB.length, 24);
  assert.equal(benchFields('avazu_x4')[10].name, 'device_ip');
  assert.equal(benchFields('avazu_x4')[10].vocabSize, 2903322);
  const [b] = syntheticBatches(benchFields('avazu_x4'), 100, 1, 3);
  assert.equal(b.cat.length, 2400);
  for (let i = 0; i < b.cat.length; i++) assert.ok(b.cat[i] >= 1 && b.cat[i] < AVAZU_VOCAB[i % 24]);
});

test('FLOP counts by hand: FM and DCNv2 on Criteo (F = 39, D = 10)', () => {
  const fm = forwardFlops(defaultExperiment('FM', 'criteo_x1', 'gen').modelConfig, 39, 10, 'gen');
  assert.equal(fm.total - fm.encoders, 741 * 2 * 10 + 39);
  assert.equal(fm.encoders, 2 * 390 * 390 + 2 * 390);
  const dis = forwardFlops(defaultExperiment('DCNv2', 'criteo_x1', 'dis').modelConfig, 39, 10, 'dis');
  assert.equal(dis.encoders, 0);
  const gen = forwardFlops(defaultExperiment('DCNv2', 'criteo_x1', 'gen').modelConfig, 39, 10, 'gen');
  assert.equal(gen.encoderCount, 3);
  assert.equal(gen.encoders, 3 * (2 * 390 * 390 + 2 * 390 + 390)); // gen_residual adds the input
  // cross 3·(2n² + 3n); DNN 390→500→500→500 (+ReLU); head 890→1780→1
  const dnn = 2 * 390 * 500 + 500 + 2 * (2 * 500 * 500 + 500);
  assert.equal(dis.total, 3 * (2 * 390 * 390 + 3 * 390) + dnn + 2 * 890 * 1780 + 1780 + 2 * 1780);
  // target-selection ablation: one Linear over 5 fields' cross terms (5·10) and the DNN's 500 outputs
  const target = { ...defaultExperiment('DCNv2', 'criteo_x1', 'dis').modelConfig, predictTarget: { mode: 'random' as const, numTarget: 5 } };
  assert.equal(forwardFlops(target, 39, 10, 'dis').total, 3 * (2 * 390 * 390 + 3 * 390) + dnn + 2 * (500 + 50));
});

test('ge4rec bench smoke: --steps 1 --batch-size 64 on the real engine', { timeout: 120_000 }, async () => {
  const out = (await Bench.run(['--models', 'FM', '--datasets', 'criteo_x1', '--steps', '1', '--warmup', '1', '--batch-size', '64'], PACKAGE_ROOT)) as {
    rows: { paradigm: string; samples_per_sec: number; gen_extra_time_pct: number | null; gen_extra_flops_pct: number | null; peak_rss_mb: number }[];
  };
  assert.deepEqual(out.rows.map((r) => r.paradigm), ['dis', 'gen']);
  for (const r of out.rows) assert.ok(r.samples_per_sec > 0 && r.peak_rss_mb > 0);
  assert.equal(typeof out.rows[1].gen_extra_time_pct, 'number');
  assert.ok(out.rows[1].gen_extra_flops_pct! > 90); // FM's pair term is tiny beside a 390×390 encoder
});
