// Gather's gradient at sizes where onnxruntime runs kernels on several threads: repeated indices must be summed
// exactly and identically on every run (its ScatterND 'add' kernel loses updates there; see gatherGrad).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph } from '../../src/engine/graph.js';
import * as ops from '../../src/engine/ops.js';
import { grad } from '../../src/engine/autodiff.js';
import { toOnnx } from '../../src/engine/onnx.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(11);
const normals = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

async function runTwice(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, out: string): Promise<[Float32Array, Float32Array]> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const a = (await s.run(feeds))[out].data as Float32Array;
  const b = (await s.run(feeds))[out].data as Float32Array;
  await s.release();
  return [a, b];
}

function assertClose(got: Float32Array, want: Float64Array, what: string, rel = 1e-5): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]));
    if (Math.abs(got[i] - want[i]) > tol) assert.fail(`${what}[${i}] = ${got[i]}, expected ${want[i]}`);
  }
}

test('constant repeated indices along axis 1 (pair gathers): exact and identical across runs', async () => {
  const B = 2048, F = 39, D = 10;
  const iIdx: number[] = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) iIdx.push(i);
  const g = new Graph();
  const x = g.input('x', ['B', F, D]);
  const w = g.input('w', ['B', iIdx.length, D]);
  const y = x.gather(g.constant(iIdx, [iIdx.length], 'int64'), 1).mul(w).sum();
  const [dx] = grad(y, [x]);
  const X = normals(B * F * D), W = normals(B * iIdx.length * D);
  const [a, b] = await runTwice(toOnnx(g, { outputs: { dx } }), {
    x: new ort.Tensor('float32', X, [B, F, D]), w: new ort.Tensor('float32', W, [B, iIdx.length, D]),
  }, 'dx');
  assert.deepEqual(a, b);
  const want = new Float64Array(B * F * D);
  for (let r = 0; r < B; r++)
    for (let k = 0; k < iIdx.length; k++)
      for (let d = 0; d < D; d++) want[(r * F + iIdx[k]) * D + d] += W[(r * iIdx.length + k) * D + d];
  assertClose(a, want, 'dx');
});

test('runtime repeated indices (the embedding lookup): exact and identical across runs', async () => {
  const U = 30000, W = 11, B = 4096, Fc = 26, N = B * Fc;
  // Skewed indices so some rows repeat thousands of times.
  const idx = Int32Array.from({ length: N }, () => Math.floor(U * rng.uniform() ** 4));
  const g = new Graph();
  const rows = g.input('rows', ['U', W]);
  const index = g.input('index', ['B', Fc], 'int64');
  const up = g.input('up', ['B', Fc, W]);
  const y = ops.gather(rows, index, 0).mul(up).sum();
  const [dRows] = grad(y, [rows]);
  const UP = normals(N * W);
  const [a, b] = await runTwice(toOnnx(g, { outputs: { dRows } }), {
    rows: new ort.Tensor('float32', normals(U * W), [U, W]),
    index: new ort.Tensor('int64', BigInt64Array.from(idx, (v) => BigInt(v)), [B, Fc]),
    up: new ort.Tensor('float32', UP, [B, Fc, W]),
  }, 'dRows');
  assert.deepEqual(a, b);
  const want = new Float64Array(U * W);
  idx.forEach((v, p) => { for (let d = 0; d < W; d++) want[v * W + d] += UP[p * W + d]; });
  // A float32 running sum over up to thousands of repeats (as PyTorch's CPU embedding backward accumulates).
  assertClose(a, want, 'dRows', 1e-4);
});
