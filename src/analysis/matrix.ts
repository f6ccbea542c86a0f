// Dense row-major matrices and the second-moment kernels the analysis needs (covariance, Pearson correlation).
// Batches are large (50,000 × 390), so the products run over row chunks transposed into a small float64 buffer,
// with four output columns per pass to keep the running sums in registers.

export interface Mat {
  /** rows × cols, row-major. */
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

/** Σ_r (x_r − x̄)(y_r − ȳ)ᵀ (x with itself when y is omitted); this file's JS kernel or onnxruntime's (gram-ort.ts). */
export type CrossProduct = (x: Mat, y?: Mat) => Float64Array | Promise<Float64Array>;

export function mat(data: Float32Array | Float64Array, rows: number, cols: number): Mat {
  if (data.length !== rows * cols) {
    throw new Error(`matrix data has ${data.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  return { data, rows, cols };
}

export function columnMeans(m: Mat): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    const base = r * m.cols;
    for (let c = 0; c < m.cols; c++) mean[c] += m.data[base + c];
  }
  for (let c = 0; c < m.cols; c++) mean[c] /= Math.max(1, m.rows);
  return mean;
}

const CHUNK = 128;

/** Copies rows [r0, r0+n) of m, minus `mean`, into `out` column-major (column c at c·CHUNK). */
function loadCentered(m: Mat, mean: Float64Array, r0: number, n: number, out: Float64Array): void {
  const cols = m.cols;
  for (let r = 0; r < n; r++) {
    const base = (r0 + r) * cols;
    for (let c = 0; c < cols; c++) out[c * CHUNK + r] = m.data[base + c] - mean[c];
  }
}

/**
 * Σ_r (x_r − x̄)(y_r − ȳ)ᵀ, an x.cols × y.cols matrix (row-major). With `y` omitted, the symmetric product of x
 * with itself, computed on the upper triangle and mirrored.
 */
export function centeredCrossProduct(x: Mat, y?: Mat): Float64Array {
  const sym = y === undefined;
  const yy = y ?? x;
  if (yy.rows !== x.rows) throw new Error(`row counts differ: ${x.rows} vs ${yy.rows}`);
  const nx = x.cols;
  const ny = yy.cols;
  const mx = columnMeans(x);
  const my = sym ? mx : columnMeans(yy);
  const out = new Float64Array(nx * ny);
  const bx = new Float64Array(nx * CHUNK);
  const by = sym ? bx : new Float64Array(ny * CHUNK);
  for (let r0 = 0; r0 < x.rows; r0 += CHUNK) {
    const n = Math.min(CHUNK, x.rows - r0);
    loadCentered(x, mx, r0, n, bx);
    if (!sym) loadCentered(yy, my, r0, n, by);
    for (let a = 0; a < nx; a++) {
      const oa = a * CHUNK;
      const rowOut = a * ny;
      let b = sym ? a : 0;
      for (; b + 3 < ny; b += 4) {
        const o0 = b * CHUNK;
        const o1 = o0 + CHUNK;
        const o2 = o1 + CHUNK;
        const o3 = o2 + CHUNK;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < n; r++) {
          const v = bx[oa + r];
          s0 += v * by[o0 + r];
          s1 += v * by[o1 + r];
          s2 += v * by[o2 + r];
          s3 += v * by[o3 + r];
        }
        out[rowOut + b] += s0;
        out[rowOut + b + 1] += s1;
        out[rowOut + b + 2] += s2;
        out[rowOut + b + 3] += s3;
      }
      for (; b < ny; b++) {
        const ob = b * CHUNK;
        let s = 0;
        for (let r = 0; r < n; r++) s += bx[oa + r] * by[ob + r];
        out[rowOut + b] += s;
      }
    }
  }
  if (sym) {
    for (let a = 0; a < nx; a++) for (let b = 0; b < a; b++) out[a * nx + b] = out[b * nx + a];
  }
  return out;
}

/** Sample covariance of the columns: centered, divided by (rows − 1). cols × cols, row-major. */
export async function covariance(m: Mat, cross: CrossProduct = centeredCrossProduct): Promise<Float64Array> {
  if (m.rows < 2) throw new Error(`covariance needs at least 2 rows, got ${m.rows}`);
  const c = await cross(m);
  const inv = 1 / (m.rows - 1);
  for (let i = 0; i < c.length; i++) c[i] *= inv;
  return c;
}

/**
 * Pearson correlation of every column a of x with every column b of y over the rows: x.cols × y.cols, row-major.
 * A constant column has no defined correlation; it gets 0 (the paper's script maps the NaNs to 0 likewise).
 */
export async function pearson(x: Mat, y: Mat, product: CrossProduct = centeredCrossProduct): Promise<Float64Array> {
  // DIS records the same raw embeddings on both sides: the symmetric product does half the work.
  const cross = sameValues(x, y) ? await product(x) : await product(x, y);
  const sx = columnSumSquares(x);
  const sy = columnSumSquares(y);
  const ny = y.cols;
  for (let a = 0; a < x.cols; a++) {
    for (let b = 0; b < ny; b++) {
      const d = Math.sqrt(sx[a] * sy[b]);
      const i = a * ny + b;
      // Columns whose spread is at rounding level relative to their values count as constant.
      cross[i] = d > 0 && Number.isFinite(d) ? clamp1(cross[i] / d) : 0;
    }
  }
  return cross;
}

/** Σ_r (x_rc − x̄_c)², with columns whose variance is only float rounding noise set to 0. */
function columnSumSquares(m: Mat): Float64Array {
  const mean = columnMeans(m);
  const ss = new Float64Array(m.cols);
  const scale = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    const base = r * m.cols;
    for (let c = 0; c < m.cols; c++) {
      const d = m.data[base + c] - mean[c];
      ss[c] += d * d;
      scale[c] = Math.max(scale[c], Math.abs(m.data[base + c]));
    }
  }
  const eps = m.data instanceof Float32Array ? 1e-6 : 1e-13;
  for (let c = 0; c < m.cols; c++) {
    if (Math.sqrt(ss[c] / Math.max(1, m.rows)) <= eps * scale[c]) ss[c] = 0;
  }
  return ss;
}

function sameValues(x: Mat, y: Mat): boolean {
  if (x === y) return true;
  if (x.rows !== y.rows || x.cols !== y.cols) return false;
  for (let i = 0; i < x.data.length; i++) if (x.data[i] !== y.data[i]) return false;
  return true;
}

function clamp1(v: number): number {
  return v > 1 ? 1 : v < -1 ? -1 : v;
}
