// Plain reference of what PyTorch does to embedding tables in FuxiCTR v2.3.1, written independently of src/engine:
// dense per-table gradient (repeated indices summed, padding_idx row zeroed) + the full-table L2 gradient λ·W,
// torch.nn.utils.clip_grad_norm_ over all parameters, and torch.optim.Adam (defaults 0.9/0.999/1e-8), all in float64.

export class RefTable {
  readonly w: Float64Array;
  readonly m: Float64Array;
  readonly v: Float64Array;
  constructor(readonly rows: number, readonly dim: number, init: ArrayLike<number>) {
    this.w = Float64Array.from(init);
    this.m = new Float64Array(rows * dim);
    this.v = new Float64Array(rows * dim);
  }
}

/** One sparse contribution: row `row` of table `table` receives `grad` (length dim). */
export interface RowGrad {
  table: number;
  row: number;
  grad: ArrayLike<number>;
}

export interface RefStepOptions {
  lambda: number;
  lr: number;
  step: number; // 1-based
  clipNorm: number;
  /** Squared norm of the other (dense) parameters' gradients, which clipping also sees. */
  otherNorm2: number;
  /** 'lazy': only rows with a batch gradient get the L2 term and an Adam update (and enter the clip norm). */
  mode: 'dense' | 'lazy';
}

/** Builds the full gradient of every table, clips, and applies Adam. Returns the clip coefficient used. */
export function refStep(tables: RefTable[], contributions: RowGrad[], o: RefStepOptions): number {
  const grads = tables.map((t) => new Float64Array(t.rows * t.dim));
  const touched = tables.map((t) => new Uint8Array(t.rows));
  for (const c of contributions) {
    if (c.row === 0) continue; // padding_idx: gradient zeroed
    const t = tables[c.table];
    touched[c.table][c.row] = 1;
    for (let d = 0; d < t.dim; d++) grads[c.table][c.row * t.dim + d] += c.grad[d];
  }
  let norm2 = o.otherNorm2;
  tables.forEach((t, k) => {
    for (let r = 0; r < t.rows; r++) {
      const active = o.mode === 'dense' || touched[k][r] === 1;
      for (let d = 0; d < t.dim; d++) {
        const i = r * t.dim + d;
        grads[k][i] = active ? grads[k][i] + o.lambda * t.w[i] : 0;
        norm2 += grads[k][i] * grads[k][i];
      }
    }
  });
  const total = Math.sqrt(norm2);
  const coef = Math.min(1, o.clipNorm / (total + 1e-6));
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  tables.forEach((t, k) => {
    for (let r = 0; r < t.rows; r++) {
      if (o.mode === 'lazy' && touched[k][r] !== 1) continue;
      for (let d = 0; d < t.dim; d++) {
        const i = r * t.dim + d;
        const g = grads[k][i] * coef;
        t.m[i] = b1 * t.m[i] + (1 - b1) * g;
        t.v[i] = b2 * t.v[i] + (1 - b2) * g * g;
        const mHat = t.m[i] / (1 - Math.pow(b1, o.step));
        const vHat = t.v[i] / (1 - Math.pow(b2, o.step));
        t.w[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    }
  });
  return coef;
}
