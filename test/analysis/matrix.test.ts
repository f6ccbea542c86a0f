import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centeredCrossProduct, columnMeans, covariance, mat, pearson } from '../../src/analysis/matrix.js';
import { centeredCrossProductOrt } from '../../src/analysis/gram-ort.js';
import { Rng } from '../../src/util/rng.js';
import { gaussian, naiveCovariance } from './helpers.js';

test('blocked covariance equals the two-pass definition (rows not a multiple of the chunk, odd width)', async () => {
  const rng = new Rng(1);
  const rows = 301;
  const cols = 13;
  const x = gaussian(rng, rows, cols);
  for (let i = 0; i < x.length; i++) x[i] += 5 + (i % cols); // non-zero means must be removed
  const got = await covariance(mat(x, rows, cols));
  const want = naiveCovariance(x, rows, cols);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-10, `entry ${i}: ${got[i]} vs ${want[i]}`);
  // The symmetric shortcut and the general product agree.
  const sym = centeredCrossProduct(mat(x, rows, cols));
  const gen = centeredCrossProduct(mat(x, rows, cols), mat(x, rows, cols));
  for (let i = 0; i < sym.length; i++) assert.ok(Math.abs(sym[i] - gen[i]) < 1e-9);
});

test('covariance divides by rows - 1: two rows [0, 0] and [2, 4]', async () => {
  const c = await covariance(mat(new Float64Array([0, 0, 2, 4]), 2, 2));
  // deviations ±1 and ±2 → sums 2, 4, 8 over (2 − 1)
  assert.deepEqual([...c], [2, 4, 4, 8]);
  assert.deepEqual([...columnMeans(mat(new Float64Array([0, 0, 2, 4]), 2, 2))], [1, 2]);
});

test('pearson: identical columns give 1, negated -1, independent ≈ 0, constant 0', async () => {
  const rng = new Rng(2);
  const rows = 20000;
  const a = gaussian(rng, rows, 1);
  const b = gaussian(rng, rows, 1);
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    x[r * 3] = a[r];
    x[r * 3 + 1] = b[r];
    x[r * 3 + 2] = 7; // constant
    y[r * 3] = 3 * a[r] + 1; // same as x0 up to an affine map
    y[r * 3 + 1] = -b[r];
    y[r * 3 + 2] = a[r];
  }
  const c = await pearson(mat(x, rows, 3), mat(y, rows, 3));
  assert.ok(Math.abs(c[0] - 1) < 1e-6, `identical ${c[0]}`);
  assert.ok(Math.abs(c[4] + 1) < 1e-6, `negated ${c[4]}`);
  assert.ok(Math.abs(c[1]) < 0.03, `independent ${c[1]}`); // ~N(0, 1/rows): 4 sd
  assert.ok(Math.abs(c[3]) < 0.03, `independent ${c[3]}`);
  assert.ok(Math.abs(c[2] - 1) < 1e-6);
  for (const i of [6, 7, 8]) assert.equal(c[i], 0, `constant row entry ${i}`);
});

test('onnxruntime cross product equals the JS kernel (symmetric and general, float32 input)', async () => {
  const rng = new Rng(3);
  const rows = 5000; // more than one MatMul chunk
  const x = Float32Array.from(gaussian(rng, rows, 9), (v, i) => v + (i % 9));
  const y = Float32Array.from(gaussian(rng, rows, 6), (v) => 2 * v - 1);
  const X = mat(x, rows, 9);
  const Y = mat(y, rows, 6);
  for (const [got, want] of [
    [await centeredCrossProductOrt(X), centeredCrossProduct(X)],
    [await centeredCrossProductOrt(X, Y), centeredCrossProduct(X, Y)],
  ] as const) {
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-9 * (1 + Math.abs(want[i])), `entry ${i}: ${got[i]} vs ${want[i]}`);
    }
  }
  const sym = await centeredCrossProductOrt(X);
  for (let a = 0; a < 9; a++) for (let b = 0; b < 9; b++) assert.equal(sym[a * 9 + b], sym[b * 9 + a]);
});
