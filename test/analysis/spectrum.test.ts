import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { mat } from '../../src/analysis/matrix.js';
import { covarianceSpectrum, normalizeSpectrum, summarize, symmetricSingularValues } from '../../src/analysis/spectrum.js';
import { Rng } from '../../src/util/rng.js';
import { gaussian, matmul, orthonormalColumns, withSingularValues } from './helpers.js';

test('ml-matrix: symmetric eigendecomposition recovers a known Q diag(λ) Qᵀ', () => {
  const n = 12;
  const q = orthonormalColumns(new Rng(3), n, n, false);
  const lambda = [9, -4, 3, 2.5, 2, 1, 0.5, 0.25, -0.1, 1e-3, 1e-6, 0];
  const s = withSingularValues(q, lambda, q, n, n);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, s[i * n + j]);
  const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const got = [...eig.realEigenvalues].sort((a, b) => a - b);
  const want = [...lambda].sort((a, b) => a - b);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-10, `eigenvalue ${i}: ${v} vs ${want[i]}`));
  // Each eigenvector (of a simple eigenvalue) is ± the matching column of Q.
  const vecs = eig.eigenvectorMatrix;
  for (let c = 0; c < n; c++) {
    const ev = eig.realEigenvalues[c];
    const k = lambda.findIndex((l) => Math.abs(l - ev) < 1e-9);
    let dot = 0;
    for (let r = 0; r < n; r++) dot += vecs.get(r, c) * q[r * n + k];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-8, `eigenvector ${c}: |<v, q>| = ${Math.abs(dot)}`);
  }
  // Our wrapper returns the |eigenvalues| descending.
  const sv = symmetricSingularValues(s, n);
  const wantSv = lambda.map(Math.abs).sort((a, b) => b - a);
  sv.forEach((v, i) => assert.ok(Math.abs(v - wantSv[i]) < 1e-10));
});

test('ml-matrix: SVD of U Σ Vᵀ returns Σ', () => {
  const rows = 30;
  const cols = 8;
  const sigma = [10, 7, 5, 3, 1, 0.1, 0.01, 0.001];
  const rng = new Rng(4);
  const x = withSingularValues(orthonormalColumns(rng, rows, cols, false), sigma, orthonormalColumns(rng, cols, cols, false), rows, cols);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, x[i * cols + j]);
  const svd = new SingularValueDecomposition(m);
  svd.diagonal.forEach((v, i) => assert.ok(Math.abs(v - sigma[i]) < 1e-10, `σ${i}: ${v}`));
});

test('rank-k data gives exactly k non-negligible normalised singular values', async () => {
  const rng = new Rng(5);
  const rows = 600;
  const cols = 40;
  for (const k of [1, 7, 25]) {
    const x = matmul(gaussian(rng, rows, k), gaussian(rng, k, cols), rows, k, cols);
    for (let i = 0; i < x.length; i++) x[i] += 3; // an offset is removed by centering, adds no rank
    const s = await covarianceSpectrum(mat(x, rows, cols));
    assert.equal(s.summary.above1e6, k, `rank ${k}: ${s.summary.above1e6} values above 1e-6`);
    assert.ok(s.normalized[k - 1] > 1e-4, `σ_k ${s.normalized[k - 1]}`);
    if (k < cols) {
      assert.ok(s.normalized[k] < 1e-12, `σ_{k+1} ${s.normalized[k]}`);
      assert.equal(s.summary.largestDropAt, k - 1);
      assert.ok(s.summary.largestDropLog10 > 8);
    }
    assert.equal(s.normalized[0], 1);
  }
});

test('data with prescribed singular values: covariance spectrum is σ² normalised', async () => {
  const rng = new Rng(6);
  const rows = 400;
  const cols = 10;
  const sigma = [50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.05, 0.01];
  // Zero-mean orthonormal U: centering changes nothing, so cov = V diag(σ²) Vᵀ / (rows − 1).
  const x = withSingularValues(orthonormalColumns(rng, rows, cols, true), sigma, orthonormalColumns(rng, cols, cols, false), rows, cols);
  const s = await covarianceSpectrum(mat(x, rows, cols));
  sigma.forEach((v, i) => {
    const want = (v * v) / (sigma[0] * sigma[0]);
    assert.ok(Math.abs(s.normalized[i] - want) / want < 1e-8, `${i}: ${s.normalized[i]} vs ${want}`);
  });
  assert.ok(Math.abs(s.summary.largest - (50 * 50) / (rows - 1)) < 1e-8);
});

test('summary numbers on a hand-made spectrum', () => {
  const s = summarize(new Float64Array([1, 0.5, 1e-4, 1e-5, 0]), 2);
  assert.equal(s.dim, 5);
  assert.equal(s.above1e3, 2);
  assert.equal(s.above1e6, 4);
  assert.ok(Math.abs(s.informationAbundance - 1.50011) < 1e-12);
  // 1e-5 -> 0 is floored at 1e-18: 13 decades, the largest drop, after index 3.
  assert.equal(s.largestDropAt, 3);
  assert.ok(Math.abs(s.largestDropLog10 - 13) < 1e-9);
  const n = normalizeSpectrum(new Float64Array([2, 8, 4]));
  assert.deepEqual([...n.normalized], [1, 0.5, 0.25]);
  assert.equal(n.summary.largest, 8);
  const z = normalizeSpectrum(new Float64Array(3));
  assert.deepEqual([...z.normalized], [0, 0, 0]);
  assert.equal(z.summary.informationAbundance, 0);
});
