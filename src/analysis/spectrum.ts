// Singular-value spectra (paper Fig. 3, App. B.5, C.1/C.2): singular values of a covariance matrix, normalised by
// the largest, with the summary numbers the report quotes.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { covariance, type CrossProduct, type Mat } from './matrix.js';

/** Singular values of a symmetric n × n matrix (row-major), descending: |eigenvalues| of the symmetric solver. */
export function symmetricSingularValues(s: Float64Array, n: number): Float64Array {
  if (s.length !== n * n) throw new Error(`expected ${n} × ${n} values, got ${s.length}`);
  if (n === 0) return new Float64Array(0);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, s[i * n + j]);
  const eig = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const out = Float64Array.from(eig.realEigenvalues, Math.abs);
  return out.sort().reverse();
}

export interface SpectrumSummary {
  /** Number of singular values (= columns of the data). */
  dim: number;
  /** Largest singular value before normalisation. */
  largest: number;
  /** Sum of the normalised singular values: the "information abundance" of the embeddings. */
  informationAbundance: number;
  above1e3: number;
  above1e6: number;
  /** Largest log10(σ_i / σ_{i+1}) between neighbours (normalised values floored at DROP_FLOOR), at 0-based i. */
  largestDropLog10: number;
  largestDropAt: number;
}

/** Singular values at or below this are numerically zero; drops are measured against it, plots leave them out. */
export const DROP_FLOOR = 1e-18;

export interface Spectrum {
  /** Descending, normalised by the largest (all 0 for an all-zero matrix). */
  normalized: Float64Array;
  summary: SpectrumSummary;
}

export function normalizeSpectrum(singular: Float64Array): Spectrum {
  const largest = singular.length ? Math.max(...singular) : 0;
  const normalized = largest > 0 ? singular.map((v) => v / largest) : new Float64Array(singular.length);
  normalized.sort().reverse();
  return { normalized, summary: summarize(normalized, largest) };
}

export function summarize(normalized: Float64Array, largest: number): SpectrumSummary {
  let sum = 0;
  let a3 = 0;
  let a6 = 0;
  for (const v of normalized) {
    sum += v;
    if (v > 1e-3) a3++;
    if (v > 1e-6) a6++;
  }
  let drop = 0;
  let at = -1;
  for (let i = 0; i + 1 < normalized.length; i++) {
    const d = Math.log10(Math.max(normalized[i], DROP_FLOOR) / Math.max(normalized[i + 1], DROP_FLOOR));
    if (d > drop) {
      drop = d;
      at = i;
    }
  }
  return {
    dim: normalized.length,
    largest,
    informationAbundance: sum,
    above1e3: a3,
    above1e6: a6,
    largestDropLog10: drop,
    largestDropAt: at,
  };
}

/** Spectrum of the column covariance (centered, /(rows − 1)) of a rows × cols data matrix. */
export async function covarianceSpectrum(m: Mat, cross?: CrossProduct): Promise<Spectrum> {
  return normalizeSpectrum(symmetricSingularValues(await covariance(m, cross), m.cols));
}
