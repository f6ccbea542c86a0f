// Constructed matrices with known structure for the analysis tests.
import { Rng } from '../../src/util/rng.js';

/** rows × cols Gaussian matrix, row-major. */
export function gaussian(rng: Rng, rows: number, cols: number, std = 1): Float64Array {
  const out = new Float64Array(rows * cols);
  rng.fillNormal(out, std);
  return out;
}

/** Row-major (rows × inner) · (inner × cols). */
export function matmul(a: Float64Array, b: Float64Array, rows: number, inner: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const v = a[i * inner + k];
      for (let j = 0; j < cols; j++) out[i * cols + j] += v * b[k * cols + j];
    }
  }
  return out;
}

/**
 * rows × k matrix with orthonormal columns (modified Gram–Schmidt on Gaussian columns); with `centered`, every
 * column also has zero mean (the all-ones direction is projected out first).
 */
export function orthonormalColumns(rng: Rng, rows: number, k: number, centered: boolean): Float64Array {
  const q = gaussian(rng, rows, k);
  const basis: Float64Array[] = [];
  if (centered) basis.push(new Float64Array(rows).fill(1 / Math.sqrt(rows)));
  for (let c = 0; c < k; c++) {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = q[r * k + c];
    for (let pass = 0; pass < 2; pass++) {
      for (const u of basis) {
        let d = 0;
        for (let r = 0; r < rows; r++) d += u[r] * v[r];
        for (let r = 0; r < rows; r++) v[r] -= d * u[r];
      }
    }
    let nrm = 0;
    for (let r = 0; r < rows; r++) nrm += v[r] * v[r];
    nrm = Math.sqrt(nrm);
    for (let r = 0; r < rows; r++) v[r] /= nrm;
    basis.push(v);
  }
  const out = new Float64Array(rows * k);
  const cols = centered ? basis.slice(1) : basis;
  cols.forEach((v, c) => {
    for (let r = 0; r < rows; r++) out[r * k + c] = v[r];
  });
  return out;
}

/** U · diag(s) · Vᵀ for U (rows × k), V (cols × k). */
export function withSingularValues(u: Float64Array, s: number[], v: Float64Array, rows: number, cols: number): Float64Array {
  const k = s.length;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < k; c++) {
      const w = u[i * k + c] * s[c];
      for (let j = 0; j < cols; j++) out[i * cols + j] += w * v[j * k + c];
    }
  }
  return out;
}

/** Plain two-pass sample covariance, for checking the blocked kernel. */
export function naiveCovariance(x: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += x[r * cols + c] / rows;
  const out = new Float64Array(cols * cols);
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b < cols; b++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += (x[r * cols + a] - mean[a]) * (x[r * cols + b] - mean[b]);
      out[a * cols + b] = s / (rows - 1);
    }
  }
  return out;
}
