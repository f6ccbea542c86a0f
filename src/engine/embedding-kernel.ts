// The embedding-table Adam kernels, kept as JavaScript source so that the main thread (via `new Function`) and the
// worker threads (via `eval: true` workers) run byte-identical code, whether ge4rec runs from src/ under tsx or
// from dist/. Adam follows torch.optim.Adam (torch 1.13, non-fused): m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²;
// p −= (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps).

/**
 * denseRange(W, M, V, G, marks, step, r0, r1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps) -> Σ w_new²
 * One fused pass over global rows [r0, r1): g = coef·(λ·w + G_row) where G_row is the batch gradient of the row's
 * unique slot marks[2·row + 1] when the row was touched this step (marks[2·row] === step) and 0 otherwise.
 * Padding rows hold w = m = v = 0 and are never stamped, so they stay exactly 0 (g = 0, update 0/(0+eps) = 0), as
 * PyTorch's padding_idx keeps them.
 */
export const DENSE_KERNEL_SRC = `
function denseRange(W, M, V, G, marks, step, r0, r1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps) {
  const c1 = 1 - b1, c2 = 1 - b2, cl = coef * lambda, ib = 1 / sqrtBc2;
  let sum = 0;
  let i = r0 * width;
  for (let r = r0; r < r1; r++) {
    const end = i + width;
    if (marks[2 * r] === step) {
      let j = marks[2 * r + 1] * width;
      for (; i < end; i++, j++) {
        const w = W[i];
        const g = cl * w + coef * G[j];
        const m = b1 * M[i] + c1 * g;
        const v = b2 * V[i] + c2 * g * g;
        M[i] = m; V[i] = v;
        const nw = Math.fround(w - (stepSize * m) / (Math.sqrt(v) * ib + eps));
        W[i] = nw;
        sum += nw * nw;
      }
    } else {
      for (; i < end; i++) {
        const w = W[i];
        const g = cl * w;
        const m = b1 * M[i] + c1 * g;
        const v = b2 * V[i] + c2 * g * g;
        M[i] = m; V[i] = v;
        const nw = Math.fround(w - (stepSize * m) / (Math.sqrt(v) * ib + eps));
        W[i] = nw;
        sum += nw * nw;
      }
    }
  }
  return sum;
}
`;

/**
 * warmRows(W, M, V, uniq, s0, s1, width): reads the first and last element of the rows of slots [s0, s1) and
 * discards them. The rows are scattered over tables far larger than the caches, and an update loop is too long per
 * row for the CPU to run ahead to the next rows' misses: this short pass starts a chunk's loads together, so the
 * update pass finds them in cache (~2x faster here on 2.09 M-row tables).
 */
export const WARM_ROWS_SRC = `
let warmSink = 0;
function warmRows(W, M, V, uniq, s0, s1, width) {
  let t = 0;
  for (let s = s0; s < s1; s++) {
    const i = uniq[s] * width;
    const e = i + width - 1;
    t += W[i] + M[i] + V[i] + W[e] + M[e] + V[e];
  }
  warmSink += t;
}
`;

/** Rows per warm-then-update chunk (~50 KB of W, M and V: stays in L2). */
const CHUNK = 128;

/**
 * lazyRows(W, M, V, G, uniq, s0, s1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps) -> Σ (w_new² − w_old²)
 * Adam on the touched rows only (slots [s0, s1) of this step, uniq[s] = global row), L2 term included.
 */
export const LAZY_KERNEL_SRC = `
${WARM_ROWS_SRC}
function lazyRows(W, M, V, G, uniq, s0, s1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps) {
  const c1 = 1 - b1, c2 = 1 - b2, cl = coef * lambda, ib = 1 / sqrtBc2;
  let delta = 0;
  for (let c0 = s0; c0 < s1; c0 += ${CHUNK}) {
    const ce = Math.min(s1, c0 + ${CHUNK});
    warmRows(W, M, V, uniq, c0, ce, width);
    for (let s = c0; s < ce; s++) {
      let i = uniq[s] * width;
      let j = s * width;
      const end = i + width;
      for (; i < end; i++, j++) {
        const w = W[i];
        const g = cl * w + coef * G[j];
        const m = b1 * M[i] + c1 * g;
        const v = b2 * V[i] + c2 * g * g;
        M[i] = m; V[i] = v;
        const nw = Math.fround(w - (stepSize * m) / (Math.sqrt(v) * ib + eps));
        W[i] = nw;
        delta += nw * nw - w * w;
      }
    }
  }
  return delta;
}
`;

/**
 * gatherRows(W, uniq, s0, s1, width, out) -> (a value to discard): out[s·width…] = the row of slot s, for slots
 * [s0, s1), after a warming pass per chunk like warmRows' (the loop has too little work per row to run ahead).
 */
export const GATHER_KERNEL_SRC = `
function gatherRows(W, uniq, s0, s1, width, out) {
  let t = 0;
  for (let c0 = s0; c0 < s1; c0 += ${CHUNK}) {
    const ce = Math.min(s1, c0 + ${CHUNK});
    for (let s = c0; s < ce; s++) t += W[uniq[s] * width] + W[uniq[s] * width + width - 1];
    for (let s = c0; s < ce; s++) {
      const src = uniq[s] * width;
      for (let c = 0, j = s * width; c < width; c++, j++) out[j] = W[src + c];
    }
  }
  return t;
}
`;

export type GatherKernel = (W: Float32Array, uniq: Int32Array, s0: number, s1: number, width: number, out: Float32Array) => number;

export function makeGatherKernel(): GatherKernel {
  return new Function(`${GATHER_KERNEL_SRC}\nreturn gatherRows;`)() as GatherKernel;
}

export type DenseKernel = (
  W: Float32Array, M: Float32Array, V: Float32Array, G: Float32Array, marks: Int32Array, step: number, r0: number, r1: number, width: number, lambda: number, coef: number,
  b1: number, b2: number, stepSize: number, sqrtBc2: number, eps: number,
) => number;

export type LazyKernel = (
  W: Float32Array, M: Float32Array, V: Float32Array, G: Float32Array, uniq: Int32Array, s0: number, s1: number,
  width: number, lambda: number, coef: number, b1: number, b2: number, stepSize: number, sqrtBc2: number, eps: number,
) => number;

export function makeDenseKernel(): DenseKernel {
  return new Function(`${DENSE_KERNEL_SRC}\nreturn denseRange;`)() as DenseKernel;
}

export function makeLazyKernel(): LazyKernel {
  return new Function(`${LAZY_KERNEL_SRC}\nreturn lazyRows;`)() as LazyKernel;
}

/**
 * Worker body: waits on its control word, runs denseRange over its row range (parameter 11 = 0), lazyRows over its
 * slot range (parameter 11 = 1) or gatherRows of its slot range into G (parameter 11 = 2), stores the Σw² result
 * and signals done.
 * Control Int32 words per worker k: [gen_k at 2k, done_k at 2k+1]; parameters in a shared Float64Array.
 */
export const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
${DENSE_KERNEL_SRC}
${LAZY_KERNEL_SRC}
${GATHER_KERNEL_SRC}
const k = workerData.index;
const ctrl = new Int32Array(workerData.ctrl);
const par = new Float64Array(workerData.params);
const res = new Float64Array(workerData.results);
let W = new Float32Array(workerData.W), M = new Float32Array(workerData.M), V = new Float32Array(workerData.V);
const marks = new Int32Array(workerData.marks);
let G = new Float32Array(workerData.G), uniq = new Int32Array(workerData.uniq);
let gen = 0;
parentPort.on('message', (msg) => {
  if (msg.G) G = new Float32Array(msg.G);
  if (msg.uniq) uniq = new Int32Array(msg.uniq);
  parentPort.postMessage('ok');
});
function loop() {
  // Sleep until the main thread bumps this worker's generation word; -1 means stop.
  for (;;) {
    const r = Atomics.wait(ctrl, 2 * k, gen, 50);
    const now = Atomics.load(ctrl, 2 * k);
    if (now === -1) { parentPort.close(); return; }
    if (now === gen) {
      if (r === 'timed-out') { setImmediate(loop); return; }
      continue;
    }
    gen = now;
    const base = 16 * k;
    const kind = par[base + 11];
    res[k] = kind === 2 ? gatherRows(W, uniq, par[base + 1], par[base + 2], par[base + 3], G) : kind === 1
      ? lazyRows(W, M, V, G, uniq, par[base + 1], par[base + 2], par[base + 3],
        par[base + 4], par[base + 5], par[base + 6], par[base + 7], par[base + 8], par[base + 9], par[base + 10])
      : denseRange(W, M, V, G, marks, par[base], par[base + 1], par[base + 2], par[base + 3],
        par[base + 4], par[base + 5], par[base + 6], par[base + 7], par[base + 8], par[base + 9], par[base + 10]);
    Atomics.store(ctrl, 2 * k + 1, gen);
    Atomics.notify(ctrl, 2 * k + 1);
  }
}
loop();
`;

/**
 * touchedAside(W, M, V, G, uniq, s0, s1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps, oW, oM, oV) -> Σ w_new²
 * The dense update of the batch's rows (slots [s0, s1)), written to side buffers laid out by slot, tables untouched:
 * the SIMD pass then updates every row as if untouched, and these values replace the touched rows afterwards.
 * Its Adam lines repeat lazyRows' on purpose: one kernel for both, choosing its targets and its sum per call, gave
 * bit-identical results but ran 6–14% slower on 60k rows (measured alternating in one process).
 */
export const TOUCHED_KERNEL_SRC = `
function touchedAside(W, M, V, G, uniq, s0, s1, width, lambda, coef, b1, b2, stepSize, sqrtBc2, eps, oW, oM, oV) {
  const c1 = 1 - b1, c2 = 1 - b2, cl = coef * lambda, ib = 1 / sqrtBc2;
  let sum = 0;
  for (let s = s0; s < s1; s++) {
    if ((s - s0) % ${CHUNK} === 0) warmRows(W, M, V, uniq, s, Math.min(s1, s + ${CHUNK}), width);
    let i = uniq[s] * width;
    let j = s * width;
    const end = i + width;
    for (; i < end; i++, j++) {
      const w = W[i];
      const g = cl * w + coef * G[j];
      const m = b1 * M[i] + c1 * g;
      const v = b2 * V[i] + c2 * g * g;
      oM[j] = m; oV[j] = v;
      const nw = Math.fround(w - (stepSize * m) / (Math.sqrt(v) * ib + eps));
      oW[j] = nw;
      sum += nw * nw;
    }
  }
  return sum;
}
`;

export type TouchedKernel = (
  W: Float32Array, M: Float32Array, V: Float32Array, G: Float32Array, uniq: Int32Array, s0: number, s1: number,
  width: number, lambda: number, coef: number, b1: number, b2: number, stepSize: number, sqrtBc2: number, eps: number,
  oW: Float32Array, oM: Float32Array, oV: Float32Array,
) => number;

export function makeTouchedKernel(): TouchedKernel {
  return new Function(`${WARM_ROWS_SRC}\n${TOUCHED_KERNEL_SRC}\nreturn touchedAside;`)() as TouchedKernel;
}

/** SIMD worker: same control protocol as WORKER_SRC; runs the wasm kernel over its element range. */
export const SIMD_WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
const k = workerData.index;
const ctrl = new Int32Array(workerData.ctrl);
const par = new Float64Array(workerData.params);
const res = new Float64Array(workerData.results);
const dense = new WebAssembly.Instance(workerData.module, { env: { mem: workerData.memory } }).exports.dense;
let gen = 0;
function loop() {
  for (;;) {
    const r = Atomics.wait(ctrl, 2 * k, gen, 50);
    const now = Atomics.load(ctrl, 2 * k);
    if (now === -1) { parentPort.close(); return; }
    if (now === gen) {
      if (r === 'timed-out') { setImmediate(loop); return; }
      continue;
    }
    gen = now;
    const b = 16 * k;
    res[k] = dense(par[b], par[b + 1], par[b + 2], par[b + 3], par[b + 4], par[b + 5], par[b + 6], par[b + 7],
      par[b + 8], par[b + 9], par[b + 10], par[b + 11], par[b + 12]);
    Atomics.store(ctrl, 2 * k + 1, gen);
    Atomics.notify(ctrl, 2 * k + 1);
  }
}
loop();
`;
