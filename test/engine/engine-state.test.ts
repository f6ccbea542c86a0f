// Checkpoints, snapshots, seeds, export and batch-size changes of the Engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Engine } from '../../src/engine/engine.js';
import type { EngineOptions, ModelFn } from '../../src/engine/api.js';
import { FIELDS, D, tinyModel, makeBatches } from './tiny-model.js';

/** The tiny model plus BatchNorm and dropout, so that their state and masks take part. */
const bnDropModel: ModelFn = (ctx) => {
  const E = ctx.featureEmbedding();
  const x = E.reshape(['B', FIELDS.length * D]);
  const w = ctx.param('w', [FIELDS.length * D, 6], { kind: 'xavier_normal' }, 'net');
  const h = ctx.dropout(ctx.batchNorm('bn', x.matmul(w)).relu(), 0.3);
  const w2 = ctx.param('w2', [6, 1], { kind: 'xavier_normal' }, 'net');
  return h.matmul(w2).reshape(['B']).add(ctx.logisticRegression(false).reshape(['B']));
};

function options(model: ModelFn, seed: number, mode: 'dense' | 'lazy' = 'dense'): EngineOptions {
  return {
    model, fields: FIELDS, embeddingDim: D, learningRate: 0.02, embeddingRegularizer: 0.01, netRegularizer: 0.01,
    clipNorm: 10, embeddingOptimizer: mode, seed, device: 'cpu', threads: 2,
  };
}

async function losses(e: Engine, batches: ReturnType<typeof makeBatches>): Promise<number[]> {
  const out: number[] = [];
  for (const b of batches) out.push((await e.trainStep(b)).loss);
  return out;
}

test('checkpoint → load → continue gives exactly the numbers of an uninterrupted run', async () => {
  const batches = makeBatches(12, 10, 3);
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-ckpt-'));
  try {
    for (const mode of ['dense', 'lazy'] as const) {
      const a = await Engine.create(options(bnDropModel, 5, mode));
      const straight = await losses(a, batches);
      const predA = await a.predict(batches[0]);
      await a.dispose();

      const b = await Engine.create(options(bnDropModel, 5, mode));
      await losses(b, batches.slice(0, 6));
      b.learningRate = 0.02;
      b.saveCheckpoint(dir);
      assert.ok(existsSync(join(dir, 'checkpoint.json')));
      await b.dispose();

      const c = await Engine.create(options(bnDropModel, 5, mode));
      c.loadCheckpoint(dir);
      const resumed = await losses(c, batches.slice(6));
      assert.deepEqual(resumed, straight.slice(6), `${mode}: resumed losses`);
      assert.deepEqual(await c.predict(batches[0]), predA, `${mode}: predictions after resume`);
      assert.equal(c.stats().steps, 12);
      await c.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshot/restore brings back parameters, moments, BN stats and the dropout stream', async () => {
  const batches = makeBatches(8, 10, 4);
  const e = await Engine.create(options(bnDropModel, 9));
  await losses(e, batches.slice(0, 3));
  const snap = e.snapshot();
  const first = await losses(e, batches.slice(3));
  const p1 = await e.predict(batches[0]);
  e.restore(snap);
  const second = await losses(e, batches.slice(3));
  assert.deepEqual(second, first);
  assert.deepEqual(await e.predict(batches[0]), p1);
  await e.dispose();
});

test('same seed gives the same numbers, a different seed different ones', async () => {
  const batches = makeBatches(4, 10, 5);
  const run = async (seed: number) => {
    const e = await Engine.create(options(bnDropModel, seed));
    const l = await losses(e, batches);
    const t = e.embeddingTable('c1').data;
    await e.dispose();
    return { l, t };
  };
  const a = await run(1);
  const b = await run(1);
  const c = await run(2);
  assert.deepEqual(a.l, b.l);
  assert.deepEqual(a.t, b.t);
  assert.notDeepEqual(a.l, c.l);
  assert.notDeepEqual(a.t, c.t);
});

test('export: a fresh InferenceSession on the .onnx file gives predict()’s probabilities, any batch size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-export-'));
  try {
    for (const model of [tinyModel, bnDropModel]) {
      const e = await Engine.create(options(model, 2));
      const batches = makeBatches(6, 10, 6, 3);
      await losses(e, batches);
      const path = join(dir, 'model.onnx');
      e.exportOnnx(path);
      const s = await ort.InferenceSession.create(path);
      assert.deepEqual([...s.inputNames].sort(), ['cat', 'num']);
      for (const b of [batches[0], batches[5]]) {
        const want = await e.predict(b);
        const out = await s.run({
          cat: new ort.Tensor('int64', BigInt64Array.from(b.cat, (x) => BigInt(x)), [b.size, 3]),
          num: new ort.Tensor('float32', b.num, [b.size, 2]),
        });
        const got = out.prob.data as Float32Array;
        assert.equal(got.length, b.size);
        for (let i = 0; i < b.size; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `row ${i}: ${got[i]} vs ${want[i]}`);
      }
      await s.release();
      await e.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('record returns the recorded tensors with the batch dimension', async () => {
  const e = await Engine.create(options(tinyModel, 2));
  const [b] = makeBatches(1, 7, 8);
  const rec = await e.record(b);
  assert.deepEqual(rec.hidden.shape, [7, 4]);
  assert.equal(rec.hidden.data.length, 28);
  await e.dispose();
});

test('BatchNorm running statistics follow PyTorch (momentum 0.1, unbiased variance)', async () => {
  // Linear map of the embeddings into BN: with lr tiny the running stats after one step are checkable by hand.
  const model: ModelFn = (ctx) => {
    const x = ctx.featureEmbedding().reshape(['B', FIELDS.length * D]).slice(1, 0, 2); // numeric field n1: x·w
    return ctx.batchNorm('bn', x).sum([1]);
  };
  const e = await Engine.create({ ...options(model, 3), netRegularizer: 0, embeddingRegularizer: 0 });
  const w = e.denseParameters().get('embedding.numeric')!.data;
  const [b] = makeBatches(1, 9, 10);
  await e.trainStep(b);
  const snap = e.snapshot() as { states: Map<string, Float32Array> };
  const rm = snap.states.get('bn.running_mean')!;
  const rv = snap.states.get('bn.running_var')!;
  for (let c = 0; c < 2; c++) {
    const xs = Array.from({ length: b.size }, (_, i) => b.num[i * 2] * w[c]);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    const unbiased = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    assert.ok(Math.abs(rm[c] - 0.1 * mean) < 1e-6, `running_mean[${c}] ${rm[c]} vs ${0.1 * mean}`);
    assert.ok(Math.abs(rv[c] - (0.9 + 0.1 * unbiased)) < 1e-5, `running_var[${c}] ${rv[c]} vs ${0.9 + 0.1 * unbiased}`);
  }
  await e.dispose();
});
