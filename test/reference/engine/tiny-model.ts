// Plain-TypeScript reference of one training step of a small FM + LR + cross layer + MLP model, written without
// the engine: own forward, hand-written backward, FuxiCTR v2.3.1 L2 (net params with reg 'net', whole tables),
// torch clip_grad_norm_ over everything and torch Adam (tables through refStep). Float64 throughout.
import { RefTable, refStep, type RowGrad } from './torch-adam.js';

export interface TinyShapes {
  /** Field types in feature-map order. */
  types: ('categorical' | 'numeric')[];
  D: number;
  hidden: number;
}

export interface TinyHyper {
  lr: number;
  lambdaEmb: number;
  lambdaNet: number;
  clipNorm: number;
  mode: 'dense' | 'lazy';
}

/** Dense parameters by engine name. */
export type Dense = Record<string, Float64Array>;

export const NET_PARAMS = ['embedding.numeric', 'lr.numeric', 'lr.bias', 'mlp.w1', 'mlp.b1', 'mlp.w2', 'mlp.b2'];
export const NONE_PARAMS = ['cross.w'];

export class TinyReference {
  readonly m: Dense = {};
  readonly v: Dense = {};
  step = 0;
  constructor(
    readonly s: TinyShapes,
    readonly h: TinyHyper,
    readonly p: Dense,
    /** Per categorical field: embedding table [vocab, D] then LR table [vocab, 1]. */
    readonly tables: RefTable[],
  ) {
    for (const k of Object.keys(p)) {
      this.m[k] = new Float64Array(p[k].length);
      this.v[k] = new Float64Array(p[k].length);
    }
  }

  /** Runs one step; returns the loss before the update (mean BCE + L2). */
  trainStep(cat: Int32Array, num: Float32Array, label: Float32Array, B: number): number {
    const { types, D, hidden: H } = this.s;
    const F = types.length;
    const Fc = types.filter((t) => t === 'categorical').length;
    const Fn = F - Fc;
    const K = F * D;
    const P = this.p;
    const grads: Dense = {};
    for (const k of Object.keys(P)) grads[k] = new Float64Array(P[k].length);
    const rowGrads: RowGrad[] = [];
    let bce = 0;
    for (let b = 0; b < B; b++) {
      // ---- forward
      const e = new Float64Array(K);
      let lrTerm = P['lr.bias'][0];
      let ci = 0;
      let ni = 0;
      types.forEach((t, f) => {
        if (t === 'categorical') {
          const c = cat[b * Fc + ci];
          const tab = this.tables[2 * ci];
          for (let d = 0; d < D; d++) e[f * D + d] = tab.w[c * D + d];
          lrTerm += this.tables[2 * ci + 1].w[c];
          ci++;
        } else {
          const x = num[b * Fn + ni];
          for (let d = 0; d < D; d++) e[f * D + d] = x * P['embedding.numeric'][ni * D + d];
          lrTerm += x * P['lr.numeric'][ni];
          ni++;
        }
      });
      const S = new Float64Array(D);
      let sq = 0;
      for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) {
        S[d] += e[f * D + d];
        sq += e[f * D + d] ** 2;
      }
      let fm = -sq;
      for (let d = 0; d < D; d++) fm += S[d] ** 2;
      fm *= 0.5;
      const Wc = P['cross.w'];
      const u = new Float64Array(K);
      for (let k = 0; k < K; k++) for (let i = 0; i < K; i++) u[k] += e[i] * Wc[i * K + k];
      const x1 = new Float64Array(K);
      for (let k = 0; k < K; k++) x1[k] = e[k] + e[k] * u[k];
      const a = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        a[j] = P['mlp.b1'][j];
        for (let k = 0; k < K; k++) a[j] += x1[k] * P['mlp.w1'][k * H + j];
      }
      const hid = a.map((x) => Math.max(0, x));
      let o = P['mlp.b2'][0];
      for (let j = 0; j < H; j++) o += hid[j] * P['mlp.w2'][j];
      const z = o + fm + lrTerm;
      const y = label[b];
      bce += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
      // ---- backward (dz = dLoss/dz for the mean over the batch)
      const dz = (1 / (1 + Math.exp(-z)) - y) / B;
      grads['mlp.b2'][0] += dz;
      const dh = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        grads['mlp.w2'][j] += hid[j] * dz;
        dh[j] = P['mlp.w2'][j] * dz;
      }
      const da = dh.map((x, j) => (a[j] > 0 ? x : 0));
      const dx1 = new Float64Array(K);
      for (let j = 0; j < H; j++) {
        grads['mlp.b1'][j] += da[j];
        for (let k = 0; k < K; k++) {
          grads['mlp.w1'][k * H + j] += x1[k] * da[j];
          dx1[k] += P['mlp.w1'][k * H + j] * da[j];
        }
      }
      const de = new Float64Array(K);
      const du = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        de[k] += dx1[k] * (1 + u[k]);
        du[k] = dx1[k] * e[k];
      }
      for (let i = 0; i < K; i++) for (let k = 0; k < K; k++) {
        grads['cross.w'][i * K + k] += e[i] * du[k];
        de[i] += Wc[i * K + k] * du[k];
      }
      for (let f = 0; f < F; f++) for (let d = 0; d < D; d++) de[f * D + d] += dz * (S[d] - e[f * D + d]);
      grads['lr.bias'][0] += dz;
      ci = 0;
      ni = 0;
      types.forEach((t, f) => {
        if (t === 'categorical') {
          const c = cat[b * Fc + ci];
          rowGrads.push({ table: 2 * ci, row: c, grad: de.slice(f * D, f * D + D) });
          rowGrads.push({ table: 2 * ci + 1, row: c, grad: [dz] });
          ci++;
        } else {
          const x = num[b * Fn + ni];
          for (let d = 0; d < D; d++) grads['embedding.numeric'][ni * D + d] += x * de[f * D + d];
          grads['lr.numeric'][ni] += x * dz;
          ni++;
        }
      });
    }
    // ---- regularisation (loss and gradient)
    let reg = 0;
    for (const k of NET_PARAMS) {
      const w = P[k];
      for (let i = 0; i < w.length; i++) {
        reg += (this.h.lambdaNet / 2) * w[i] * w[i];
        grads[k][i] += this.h.lambdaNet * w[i];
      }
    }
    for (const t of this.tables) for (let i = 0; i < t.w.length; i++) reg += (this.h.lambdaEmb / 2) * t.w[i] * t.w[i];
    const loss = bce / B + reg;
    // ---- clip and Adam
    this.step++;
    let other = 0;
    for (const k of Object.keys(grads)) for (const g of grads[k]) other += g * g;
    const coef = refStep(this.tables, rowGrads, {
      lambda: this.h.lambdaEmb, lr: this.h.lr, step: this.step, clipNorm: this.h.clipNorm, otherNorm2: other, mode: this.h.mode,
    });
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (const k of Object.keys(P)) {
      const w = P[k], m = this.m[k], v = this.v[k], g = grads[k];
      for (let i = 0; i < w.length; i++) {
        const gc = g[i] * coef;
        m[i] = b1 * m[i] + (1 - b1) * gc;
        v[i] = b2 * v[i] + (1 - b2) * gc * gc;
        w[i] -= (this.h.lr * m[i]) / (1 - b1 ** this.step) / (Math.sqrt(v[i] / (1 - b2 ** this.step)) + eps);
      }
    }
    this.lastCoef = coef;
    return loss;
  }
  lastCoef = 1;
}
