import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_BLOCK_SHIFT } from '../../src/engine/slot-order.js';
import { EmbeddingStore, tableGradNorm2 } from '../../src/engine/embedding-store.js';
import type { FieldInfo } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { RefTable, refStep, type RowGrad } from '../reference/engine/torch-adam.js';

const fields: FieldInfo[] = [
  { name: 'n1', type: 'numeric' },
  { name: 'c1', type: 'categorical', vocabSize: 7 },
  { name: 'c2', type: 'categorical', vocabSize: 3 },
  { name: 'n2', type: 'numeric' },
  { name: 'c3', type: 'categorical', vocabSize: 40 },
];
const D = 4;

function close(a: number, b: number, rel = 1e-6, abs = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.abs(b) + abs;
}

/**
 * simd = false: the scalar kernels (float64 arithmetic, float32 storage) must match the float64 reference to 1e-6
 * relative. simd = true: untouched rows are updated in float32 arithmetic, as torch does; Adam moves every row by
 * ~lr per step whatever its gradient, so the float32 rounding is ~1e-7·lr absolute: tolerance 1e-6·(|w| + lr).
 */
async function runCase(mode: 'dense' | 'lazy', threads: number, withLr: boolean, scale: number, simd = false): Promise<void> {
  const lambda = 0.05;
  const lr = 1e-2;
  const store = new EmbeddingStore({ fields, dim: D, withLr, lambda, mode, seed: 11, threads, simd });
  const near = (a: number, b: number) => (simd ? Math.abs(a - b) <= 1e-6 * (Math.abs(b) + lr) : close(a, b));
  const cats = fields.filter((f) => f.type === 'categorical');
  const width = D + (withLr ? 1 : 0);
  // Reference tables: one [vocab, D] table per field, then one [vocab, 1] LR table per field.
  const ref: RefTable[] = [];
  for (const [f, fi] of cats.entries()) {
    const v = fi.vocabSize!;
    const emb = new Float64Array(v * D);
    const lr = new Float64Array(v);
    for (let r = 0; r < v; r++) {
      for (let d = 0; d < D; d++) emb[r * D + d] = store.table(fi.name).data[r * D + d];
      if (withLr) lr[r] = store.table(fi.name, true).data[r];
    }
    ref.push(new RefTable(v, D, emb));
    if (withLr) ref.push(new RefTable(v, 1, lr));
    assert.ok(emb.slice(0, D).every((x) => x === 0), `padding row of ${fi.name} starts at 0`);
  }
  const tIdx = (f: number, lr: boolean) => (withLr ? 2 * f + (lr ? 1 : 0) : f);
  const rng = new Rng(5);
  const coefs: number[] = [];
  for (let step = 1; step <= 6; step++) {
    const B = step === 6 ? 3 : 9;
    const cat = new Int32Array(B * cats.length);
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < cats.length; f++) {
        // Small ranges force repeated rows; 0 (padding) shows up too.
        cat[b * cats.length + f] = rng.int(Math.min(4, cats[f].vocabSize!));
      }
    }
    const p = store.prepare(cat, B);
    const idx = new Int32Array(p.indices.buffer, p.indices.byteOffset, 2 * B * cats.length);
    const G = new Float32Array(p.unique * width);
    const contributions: RowGrad[] = [];
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < cats.length; f++) {
        const local = cat[b * cats.length + f];
        const slot = idx[2 * (b * cats.length + f)];
        // The gathered row must be the table's row (zeros for padding).
        const t = store.table(cats[f].name).data;
        for (let d = 0; d < D; d++) assert.equal(p.rows[slot * width + d], local === 0 ? 0 : t[local * D + d]);
        const g = Array.from({ length: width }, () => Math.fround(scale * (rng.uniform() - 0.5)));
        for (let d = 0; d < width; d++) G[slot * width + d] += g[d];
        contributions.push({ table: tIdx(f, false), row: local, grad: g.slice(0, D) });
        if (withLr) contributions.push({ table: tIdx(f, true), row: local, grad: [g[D]] });
      }
    }
    const other = 3.5;
    const total = Math.sqrt(other + tableGradNorm2(store, p.rows, G, p.unique));
    const coef = Math.min(1, 10 / (total + 1e-6));
    coefs.push(coef);
    await store.update(G, coef, lr, step);
    const refCoef = refStep(ref, contributions, { lambda, lr, step, clipNorm: 10, otherNorm2: other, mode });
    assert.ok(close(coef, refCoef, 1e-6), `step ${step}: clip coef ${coef} vs reference ${refCoef}`);
  }
  if (scale > 100) assert.ok(coefs.some((c) => c < 0.5), `clipping must be active: ${coefs.join(',')}`);
  for (const [f, fi] of cats.entries()) {
    const emb = store.table(fi.name).data;
    const r = ref[tIdx(f, false)];
    for (let i = 0; i < emb.length; i++) {
      assert.ok(near(emb[i], r.w[i]), `${mode} ${fi.name}[${i}]: ${emb[i]} vs reference ${r.w[i]}`);
    }
    for (let d = 0; d < D; d++) assert.equal(emb[d], 0, 'padding row stays exactly 0');
    if (withLr) {
      const lrt = store.table(fi.name, true).data;
      const rl = ref[tIdx(f, true)];
      for (let i = 0; i < lrt.length; i++) assert.ok(near(lrt[i], rl.w[i]), `${mode} LR ${fi.name}[${i}]`);
      assert.equal(lrt[0], 0);
    }
  }
  // w2 tracks the store exactly enough for the regulariser.
  const w2 = store.w2;
  store.recomputeW2();
  assert.ok(close(w2, store.w2, simd ? 1e-6 : 1e-9, 1e-15), `w2 ${w2} vs ${store.w2}`);
  await store.dispose();
}

test('dense Adam on all rows matches the PyTorch reference (workers, LR column, clipping active)', async () => {
  await runCase('dense', 2, true, 1000);
});
test('dense Adam single-threaded matches the PyTorch reference without clipping', async () => {
  await runCase('dense', 1, false, 0.01);
});
test('dense Adam, WebAssembly SIMD kernel on 2 threads: matches the reference to float32 accuracy', async () => {
  await runCase('dense', 2, true, 1000, true);
});
test('dense Adam, WebAssembly SIMD kernel single-threaded, no clipping', async () => {
  await runCase('dense', 1, false, 0.01, true);
});
test('lazy Adam on touched rows matches the lazy reference (clipping active)', async () => {
  await runCase('lazy', 1, true, 1000);
});

test('lazy Adam split over 2 threads matches the lazy reference (clipping active)', async () => {
  await runCase('lazy', 2, true, 1000);
});

test('lazy Adam: 1 and 2 threads give bit-identical tables, moments and Σw², also when the row buffers regrow', async () => {
  // Batches of growing size push the unique-row count past the initial shared buffers (1024 rows), so the workers
  // must be handed the regrown uniq and G buffers; the 3000-row batch then fits them, and its rows are gathered
  // half on the worker. Every step's gathered rows must be the tables' rows.
  const big: FieldInfo[] = [
    { name: 'a', type: 'categorical', vocabSize: 20_000 },
    { name: 'b', type: 'categorical', vocabSize: 9 },
  ];
  const run = async (threads: number) => {
    const store = new EmbeddingStore({ fields: big, dim: 3, withLr: false, lambda: 0.05, mode: 'lazy', seed: 5, threads });
    const rng = new Rng(8);
    for (const [step, B] of [10, 700, 4000, 3000, 30].entries()) {
      const cat = new Int32Array(B * 2);
      for (let i = 0; i < cat.length; i++) cat[i] = rng.int(i % 2 === 0 ? 20_000 : 9);
      const p = store.prepare(cat, B);
      const rowOf = new Int32Array(p.unique).fill(-1);
      for (let i = 0; i < cat.length; i++) {
        const slot = Number(p.indices[i]);
        const row = cat[i] === 0 ? -1 : (i % 2 === 0 ? 0 : 20_000) + cat[i];
        if (slot !== 0) rowOf[slot] = row;
        for (let d = 0; d < 3; d++) {
          if (p.rows[slot * 3 + d] !== (row < 0 ? 0 : store.W[row * 3 + d])) assert.fail(`${threads} threads, step ${step}: position ${i}`);
        }
      }
      // Slots are numbered in ascending order of their rows' 64-row blocks (the gather and the update walk the
      // tables forwards).
      for (let s = 2; s < p.unique; s++) {
        if (rowOf[s] >> MIN_BLOCK_SHIFT < rowOf[s - 1] >> MIN_BLOCK_SHIFT) assert.fail(`step ${step}: slot ${s} row ${rowOf[s]} after ${rowOf[s - 1]}`);
      }
      const G = Float32Array.from({ length: p.unique * 3 }, () => rng.uniform() - 0.5);
      await store.update(G, 0.9, 1e-2, step + 1);
    }
    const out = { W: store.W.slice(), M: store.M.slice(), V: store.V.slice(), w2: store.w2 };
    await store.dispose();
    return out;
  };
  const one = await run(1);
  const two = await run(2);
  assert.ok(one.M.some((x) => x !== 0), 'the steps touched rows');
  assert.deepEqual(two.W, one.W);
  assert.deepEqual(two.M, one.M);
  assert.deepEqual(two.V, one.V);
  assert.equal(two.w2, one.w2);
});

test('out-of-vocabulary index is a clear error', async () => {
  const store = new EmbeddingStore({ fields, dim: D, withLr: false, lambda: 0, mode: 'lazy', seed: 1 });
  assert.throws(() => store.prepare(Int32Array.from([1, 1, 40]), 1), /c3.*outside its vocabulary/);
  await store.dispose();
});

test('same seed gives the same tables, another seed different ones', async () => {
  const a = new EmbeddingStore({ fields, dim: D, withLr: false, lambda: 0, mode: 'lazy', seed: 3 });
  const b = new EmbeddingStore({ fields, dim: D, withLr: false, lambda: 0, mode: 'lazy', seed: 3 });
  const c = new EmbeddingStore({ fields, dim: D, withLr: false, lambda: 0, mode: 'lazy', seed: 4 });
  assert.deepEqual(a.W, b.W);
  assert.notDeepEqual(a.W, c.W);
  const std = Math.sqrt(a.w2 / ((7 - 1 + 3 - 1 + 40 - 1) * D));
  assert.ok(std > 0.5e-4 && std < 2e-4, `init std ${std}`);
});
