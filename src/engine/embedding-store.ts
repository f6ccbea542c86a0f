// Host-side embedding tables: every categorical field's table lives in one flat float32 array on shared memory
// (global row = field offset + local index), row width D, plus one extra column holding the field's 1-dim
// LogisticRegression weight when the model uses it (both are nn.Embedding in FuxiCTR: same init, same regulariser,
// elementwise Adam, so one row of D+1 values is exact). Adam moments sit beside them. Per step the store deduplicates
// the batch's rows, gathers them into [U, width] for the graph, and applies Adam with the graph's [U, width] gradient.
// Update modes: 'dense' is PyTorch exactly (every row of every table, every step, with the full-table L2 gradient λ·w;
// split over worker threads, which find touched rows through the shared stamp/slot marks instead of sorting them).
// 'lazy' DEVIATES from PyTorch: only the batch's rows get the L2 term and an Adam step; untouched rows and their
// moments stay as they are (no decay of stale momentum, no weight decay between visits), and the clip norm only
// sees touched rows. The regularisation loss still counts the whole tables (Σw² is kept up to date incrementally).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FieldInfo } from '../data/types.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import {
  makeDenseKernel, makeGatherKernel, makeLazyKernel, makeTouchedKernel, WORKER_SRC, SIMD_WORKER_SRC,
  type DenseKernel, type GatherKernel, type LazyKernel, type TouchedKernel,
} from './embedding-kernel.js';
import { instantiateSimd, sharedMemory, simdModule, type SimdDense } from './embedding-simd.js';
import { blockSlotOrder, slotSortScratch } from './slot-order.js';

export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
}
export const TORCH_ADAM: AdamHyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface PreparedBatch {
  /** [B, Fc] int64 slot indices into `rows` (little-endian int64 written through an Int32 view). */
  indices: BigInt64Array;
  /** [U, width]: slot 0 is always the all-zero padding slot; its gradient is ignored. Valid until the next prepare. */
  rows: Float32Array;
  unique: number;
  /** With `prepare(…, true)`: how the graph sums the positions' gradients into the slots (EngineContext.rowGradient). */
  plan?: GradientPlan;
}

/**
 * Positions p = b·Fc + f in batch order. `first` [U]: the position where each slot first occurs (slot 0, padding,
 * has none: its entry is a placeholder). `repPos`/`repSlot` [R]: every other position, in order, and its slot.
 */
export interface GradientPlan {
  first: BigInt64Array;
  repPos: BigInt64Array;
  repSlot: BigInt64Array;
}

export interface StoreOptions {
  fields: FieldInfo[];
  dim: number;
  /** Adds the 1-dim LogisticRegression column. */
  withLr: boolean;
  lambda: number;
  mode: 'dense' | 'lazy';
  seed: number;
  threads?: number;
  adam?: AdamHyper;
  /** Dense mode: use the WebAssembly SIMD kernel when available (default true). */
  simd?: boolean;
}

const PARAMS_PER_WORKER = 16;

function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}
function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

export class EmbeddingStore {
  readonly dim: number;
  readonly width: number;
  readonly withLr: boolean;
  readonly fields: FieldInfo[];
  readonly offsets: number[];
  readonly vocab: number[];
  readonly totalRows: number;
  readonly lambda: number;
  readonly mode: 'dense' | 'lazy';
  readonly adam: AdamHyper;
  readonly W: Float32Array;
  readonly M: Float32Array;
  readonly V: Float32Array;
  /** Σ w² of the whole store, for the regularisation loss and the clip norm (kept exact by every update). */
  w2 = 0;

  private readonly vocabI32: Int32Array;
  private readonly offsetsI32: Int32Array;
  /** Per global row r: marks[2r] = the step stamp when the row is in this step's batch, marks[2r + 1] its slot
   *  (side by side: one cache line per row for the deduplication's random accesses). */
  private readonly marks: Int32Array;
  private stepStamp = 0;
  private uniq: Int32Array;
  /** The G and uniq buffers the (non-SIMD) workers currently hold. */
  private sent: { G: SharedArrayBuffer | null; uniq: SharedArrayBuffer | null } = { G: null, uniq: null };
  private U = 0;
  /** Where prepare's cache-warming reads go (kept so that they are not optimised away). */
  private sink = 0;
  private G: Float32Array;
  private indicesBuf: BigInt64Array = new BigInt64Array(0);
  private planBufs = { first: new BigInt64Array(0), repPos: new BigInt64Array(0), repSlot: new BigInt64Array(0) };
  private rowsBuf: Float32Array = new Float32Array(0);
  /** Bits of the largest global row, and the buffers of the slots' renumbering. */
  private readonly rowBits: number;
  private readonly sortScratch = slotSortScratch();
  private renum = { newOf: new Int32Array(0), old: new Int32Array(0) };
  private readonly dense: DenseKernel = makeDenseKernel();
  private readonly lazy: LazyKernel = makeLazyKernel();
  private readonly gather: GatherKernel = makeGatherKernel();
  private workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly params: Float64Array;
  private readonly results: Float64Array;
  private gen = 0;
  private readonly ranges: Array<[number, number]>;
  /** SIMD dense path: kernel on the shared wasm memory holding W, M, V; element ranges per thread (multiples of 4). */
  private readonly simd: SimdDense | null = null;
  private readonly simdRanges: Array<[number, number]> = [];
  private readonly touched: TouchedKernel = makeTouchedKernel();
  private side = { W: new Float32Array(0), M: new Float32Array(0), V: new Float32Array(0) };

  constructor(opts: StoreOptions) {
    this.fields = opts.fields.filter((f) => f.type === 'categorical');
    this.dim = opts.dim;
    this.withLr = opts.withLr;
    this.width = opts.dim + (opts.withLr ? 1 : 0);
    this.lambda = opts.lambda;
    this.mode = opts.mode;
    this.adam = opts.adam ?? TORCH_ADAM;
    this.offsets = [];
    this.vocab = [];
    let rows = 0;
    for (const f of this.fields) {
      if (!f.vocabSize || f.vocabSize < 1) throw new UserError(`field "${f.name}": categorical field without a vocabSize`);
      this.offsets.push(rows);
      this.vocab.push(f.vocabSize);
      rows += f.vocabSize;
    }
    this.totalRows = rows;
    this.rowBits = 32 - Math.clz32(Math.max(1, rows - 1));
    this.vocabI32 = Int32Array.from(this.vocab);
    this.offsetsI32 = Int32Array.from(this.offsets);
    const n = rows * this.width;
    const nPad = Math.ceil(n / 4) * 4;
    const mod = opts.mode === 'dense' && opts.simd !== false && n > 0 ? simdModule() : null;
    const mem = mod ? sharedMemory(3 * nPad * 4) : null;
    if (mod && mem) {
      this.W = new Float32Array(mem.buffer, 0, n);
      this.M = new Float32Array(mem.buffer, nPad * 4, n);
      this.V = new Float32Array(mem.buffer, 2 * nPad * 4, n);
      this.simd = instantiateSimd(mod, mem);
    } else {
      this.W = sharedF32(n);
      this.M = sharedF32(n);
      this.V = sharedF32(n);
    }
    this.marks = sharedI32(2 * rows);
    this.uniq = sharedI32(1024);
    this.G = sharedF32(1024 * this.width);
    this.initTables(new Rng(opts.seed));

    const threads = Math.max(1, opts.threads ?? availableParallelism());
    // Row ranges by element count; the main thread takes range 0, workers the rest.
    this.ranges = [];
    for (let k = 0; k < threads; k++) {
      this.ranges.push([Math.floor((rows * k) / threads), Math.floor((rows * (k + 1)) / threads)]);
      const quads = nPad / 4;
      this.simdRanges.push([4 * Math.floor((quads * k) / threads), 4 * Math.floor((quads * (k + 1)) / threads)]);
    }
    this.ctrl = sharedI32(2 * threads);
    this.params = new Float64Array(new SharedArrayBuffer(PARAMS_PER_WORKER * threads * 8));
    this.results = new Float64Array(new SharedArrayBuffer(threads * 8));
    if (threads > 1 && rows > 0) {
      for (let k = 1; k < threads; k++) {
        const w = this.simd ? new Worker(SIMD_WORKER_SRC, {
          eval: true,
          workerData: {
            index: k, ctrl: this.ctrl.buffer, params: this.params.buffer, results: this.results.buffer,
            module: mod, memory: mem,
          },
        }) : new Worker(WORKER_SRC, {
          eval: true,
          workerData: {
            index: k, ctrl: this.ctrl.buffer, params: this.params.buffer, results: this.results.buffer,
            W: this.W.buffer, M: this.M.buffer, V: this.V.buffer, marks: this.marks.buffer,
            G: this.G.buffer, uniq: this.uniq.buffer,
          },
        });
        w.unref();
        this.workers.push(w);
      }
      this.sent = { G: this.G.buffer as SharedArrayBuffer, uniq: this.uniq.buffer as SharedArrayBuffer };
    }
  }

  /** FuxiCTR FeatureEmbeddingDict: rows ≥ 1 ~ N(0, 1e-4²), padding row 0 = 0; field by field, row by row. */
  private initTables(rng: Rng): void {
    const W = this.W;
    let s = 0;
    for (let f = 0; f < this.fields.length; f++) {
      const base = this.offsets[f] * this.width;
      for (let i = base + this.width; i < base + this.vocab[f] * this.width; i++) {
        const x = Math.fround(1e-4 * rng.normal());
        W[i] = x;
        s += x * x;
      }
    }
    this.w2 = s;
  }

  /** Recomputes Σw² (after loading tables from a checkpoint). */
  recomputeW2(): void {
    let s = 0;
    const W = this.W;
    for (let i = 0; i < W.length; i++) s += W[i] * W[i];
    this.w2 = s;
  }

  /**
   * Maps local indices to global rows, deduplicates them (slot 0 = padding), and gathers the unique rows; with
   * `plan`, also lists each slot's first position and the repeats (for the training step's gradient). The store's
   * worker gathers half of the rows.
   */
  prepare(cat: Int32Array, batchSize: number, plan = false): PreparedBatch {
    const Fc = this.fields.length;
    const n = batchSize * Fc;
    if (cat.length < n) throw new UserError(`batch has ${cat.length} categorical values, expected ${batchSize}×${Fc}`);
    if (this.indicesBuf.length < n) this.indicesBuf = new BigInt64Array(n);
    // The plan's int64s are written as low words only: the buffers start zeroed and hold non-negative int32s.
    if (plan && this.planBufs.repPos.length < n) {
      this.planBufs = { first: new BigInt64Array(n + 1), repPos: new BigInt64Array(n), repSlot: new BigInt64Array(n) };
    }
    const first32 = new Int32Array(this.planBufs.first.buffer);
    const repPos32 = new Int32Array(this.planBufs.repPos.buffer);
    const repSlot32 = new Int32Array(this.planBufs.repSlot.buffer);
    let R = 0;
    if (this.uniq.length < n + 1) this.uniq = sharedI32(n + 1); // handed to the workers by the next update()
    const idx32 = new Int32Array(this.indicesBuf.buffer, 0, 2 * n);
    const marks = this.marks;
    const uniq = this.uniq;
    this.stepStamp = this.stepStamp >= 0x7ffffff0 ? this.resetStamps() : this.stepStamp + 1;
    const st = this.stepStamp;
    let U = 1;
    uniq[0] = -1;
    const vocab = this.vocabI32;
    const offsets = this.offsetsI32;
    // marks and W are far larger than the caches and each position's work is long: like lazyRows, a short
    // pass over a chunk first starts its loads together (the values read are discarded).
    let sink = 0;
    for (let b = 0, p = 0; b < batchSize; b++) {
      if ((b & 63) === 0) {
        for (let q = p, e = Math.min(batchSize, b + 64) * Fc, f = 0; q < e; q++) {
          const g = offsets[f] + cat[q];
          sink += marks[2 * g];
          if (++f === Fc) f = 0;
        }
      }
      for (let f = 0; f < Fc; f++, p++) {
        const local = cat[p];
        let s = 0;
        if (local !== 0) {
          if (local < 0 || local >= vocab[f]) {
            throw new UserError(
              `field "${this.fields[f].name}": index ${local} in batch row ${b} is outside its vocabulary (size ${this.vocab[f]})`,
            );
          }
          const g = offsets[f] + local;
          if (marks[2 * g] !== st) {
            marks[2 * g] = st;
            marks[2 * g + 1] = U;
            if (plan) first32[2 * U] = p;
            uniq[U++] = g;
            idx32[2 * p] = U - 1;
            idx32[2 * p + 1] = 0;
            continue;
          }
          s = marks[2 * g + 1];
        }
        idx32[2 * p] = s;
        idx32[2 * p + 1] = 0;
        if (plan) {
          repPos32[2 * R] = p;
          repSlot32[2 * R++] = s;
        }
      }
    }
    if (U > 2) this.renumberSlots(U, n, plan ? R : -1, idx32, first32, repSlot32);
    this.U = U;
    const width = this.width;
    // One buffer for every step (the feeds live only for the step's run): slot 0, the padding row, is never written.
    if (this.rowsBuf.length < U * width) this.rowsBuf = new Float32Array(Math.ceil(U * 1.25) * width);
    const rows = this.rowsBuf.subarray(0, U * width);
    this.sink = sink + this.gatherHalves(rows, U);
    const prepared: PreparedBatch = { indices: this.indicesBuf.subarray(0, n), rows, unique: U };
    if (plan) {
      const b = this.planBufs;
      prepared.plan = { first: b.first.subarray(0, U), repPos: b.repPos.subarray(0, R), repSlot: b.repSlot.subarray(0, R) };
    }
    return prepared;
  }

  /**
   * Renumbers slots 1..U−1 in ascending order of their rows' blocks (see slot-order.ts): uniq, the rows' marks
   * (where read), the positions' indices and, with a plan (R ≥ 0 repeats), each slot's first position and the
   * repeats' slots.
   */
  private renumberSlots(U: number, n: number, R: number, idx32: Int32Array, first32: Int32Array, repSlot32: Int32Array): void {
    const order = blockSlotOrder(this.uniq, U, this.rowBits, this.sortScratch);
    if (this.renum.newOf.length < U) {
      const m = Math.ceil(U * 1.25);
      this.renum = { newOf: new Int32Array(m), old: new Int32Array(m) };
    }
    const { newOf, old } = this.renum;
    const uniq = this.uniq;
    old.set(uniq.subarray(0, U));
    newOf[0] = 0;
    for (let j = 1; j < U; j++) {
      const s = order[j - 1];
      newOf[s] = j;
      uniq[j] = old[s];
    }
    // Past the deduplication, only the plain dense kernel reads a row's slot from marks: the others go by uniq.
    if (this.mode === 'dense' && !this.simd) {
      const marks = this.marks;
      for (let j = 1; j < U; j++) marks[2 * uniq[j] + 1] = j;
    }
    for (let p = 0; p < 2 * n; p += 2) idx32[p] = newOf[idx32[p]];
    if (R < 0) return;
    for (let s = 1; s < U; s++) old[s] = first32[2 * s];
    for (let j = 1; j < U; j++) first32[2 * j] = old[order[j - 1]];
    for (let r = 0; r < 2 * R; r += 2) repSlot32[r] = newOf[repSlot32[r]];
  }

  /**
   * The unique rows into `rows` ([U, width], slot 0 left as is): slots [1, mid) here and [mid, U) on worker 1, which
   * writes them into the shared G (free until the step's update) for this thread to copy; rows cannot go to the
   * worker because onnxruntime-node does not take shared memory. Here alone while the worker does not hold this
   * step's uniq or a large enough G yet (the next update hands them over), and on the SIMD path.
   */
  private gatherHalves(rows: Float32Array, U: number): number {
    const width = this.width;
    const mid = 1 + ((U - 1) >> 1);
    const split = this.workers.length > 0 && !this.simd && U >= 1024 && this.sent.uniq === this.uniq.buffer &&
      this.sent.G === this.G.buffer && this.G.length >= U * width;
    if (!split) return this.gather(this.W, this.uniq, 1, U, width, rows);
    this.gen = (this.gen + 1) & 0x3fffffff;
    const p = this.params;
    const b = PARAMS_PER_WORKER;
    p[b + 1] = mid; p[b + 2] = U; p[b + 3] = width; p[b + 11] = 2;
    Atomics.store(this.ctrl, 2, this.gen);
    Atomics.notify(this.ctrl, 2);
    const t = this.gather(this.W, this.uniq, 1, mid, width, rows);
    this.joinWorkers(2);
    rows.set(this.G.subarray(mid * width, U * width), mid * width);
    return t;
  }

  private resetStamps(): number {
    this.marks.fill(0);
    return 1;
  }

  /**
   * Applies one Adam step with the batch gradient G ([U, width], row 0 ignored), the global clip coefficient and the
   * L2 term λ·w. Dense: every row of every table (PyTorch). Lazy: touched rows only.
   */
  async update(G: ArrayLike<number>, coef: number, lr: number, step: number): Promise<void> {
    const { beta1, beta2, eps } = this.adam;
    const bc1 = 1 - Math.pow(beta1, step);
    const bc2 = 1 - Math.pow(beta2, step);
    const stepSize = lr / bc1;
    const sqrtBc2 = Math.sqrt(bc2);
    const U = this.U;
    const width = this.width;
    await this.shareBuffers(U * width);
    const Gs = this.G;
    if (G instanceof Float32Array) Gs.set(G.subarray(0, U * width));
    else for (let i = 0; i < U * width; i++) Gs[i] = G[i];
    // The padding slot's gradient never reaches a table row.
    Gs.fill(0, 0, width);
    if (this.mode === 'lazy') {
      this.w2 += this.lazyHalves(Gs, U, coef, stepSize, sqrtBc2);
      return;
    }
    if (this.simd) {
      this.w2 = this.denseSimd(Gs, U, coef, stepSize, sqrtBc2);
      return;
    }
    const threads = this.ranges.length;
    const useWorkers = this.workers.length === threads - 1 && threads > 1;
    if (useWorkers) {
      this.gen = (this.gen + 1) & 0x3fffffff;
      for (let k = 1; k < threads; k++) {
        const p = this.params;
        const b = PARAMS_PER_WORKER * k;
        p[b] = this.stepStamp; p[b + 1] = this.ranges[k][0]; p[b + 2] = this.ranges[k][1]; p[b + 3] = width;
        p[b + 4] = this.lambda; p[b + 5] = coef; p[b + 6] = beta1; p[b + 7] = beta2; p[b + 8] = stepSize;
        p[b + 9] = sqrtBc2; p[b + 10] = eps; p[b + 11] = 0;
        Atomics.store(this.ctrl, 2 * k, this.gen);
        Atomics.notify(this.ctrl, 2 * k);
      }
    }
    const [r0, r1] = useWorkers ? this.ranges[0] : [0, this.totalRows];
    let sum = this.dense(this.W, this.M, this.V, Gs, this.marks, this.stepStamp, r0, r1, width,
      this.lambda, coef, beta1, beta2, stepSize, sqrtBc2, eps);
    if (useWorkers) sum += this.joinWorkers(threads);
    this.w2 = sum;
  }

  /**
   * Lazy step in two fixed halves of the slots, [1, mid) here and [mid, U) on worker 1 when there is one (the rows
   * are distinct, so the halves never touch the same element). The Σw² change is summed half 0 + half 1 either way,
   * so the numbers do not depend on the core count.
   */
  private lazyHalves(Gs: Float32Array, U: number, coef: number, stepSize: number, sqrtBc2: number): number {
    const { beta1, beta2, eps } = this.adam;
    const mid = 1 + ((U - 1) >> 1);
    const run = (s0: number, s1: number) =>
      this.lazy(this.W, this.M, this.V, Gs, this.uniq, s0, s1, this.width, this.lambda, coef, beta1, beta2, stepSize, sqrtBc2, eps);
    if (this.workers.length === 0) {
      const d0 = run(1, mid);
      return d0 + run(mid, U);
    }
    this.gen = (this.gen + 1) & 0x3fffffff;
    const p = this.params;
    const b = PARAMS_PER_WORKER;
    p[b] = 0; p[b + 1] = mid; p[b + 2] = U; p[b + 3] = this.width; p[b + 4] = this.lambda; p[b + 5] = coef;
    p[b + 6] = beta1; p[b + 7] = beta2; p[b + 8] = stepSize; p[b + 9] = sqrtBc2; p[b + 10] = eps; p[b + 11] = 1;
    Atomics.store(this.ctrl, 2, this.gen);
    Atomics.notify(this.ctrl, 2);
    const d0 = run(1, mid);
    return d0 + this.joinWorkers(2);
  }

  /** Waits for workers 1..threads−1 to finish the current generation and returns the sum of their Σw² results. */
  private joinWorkers(threads: number): number {
    const t0 = Date.now();
    let sum = 0;
    for (let k = 1; k < threads; k++) {
      // A dead worker cannot signal (and its 'error' event cannot arrive while this thread waits): give up loudly.
      while (Atomics.load(this.ctrl, 2 * k + 1) !== this.gen) {
        Atomics.wait(this.ctrl, 2 * k + 1, Atomics.load(this.ctrl, 2 * k + 1), 100);
        if (Date.now() - t0 > 120_000) throw new Error(`embedding update: worker ${k} did not finish within 120 s`);
      }
      sum += this.results[k];
    }
    return sum;
  }

  /**
   * SIMD dense step: touched rows are updated exactly into side buffers first (reading the old values), then every
   * row gets the no-batch-gradient update in f32x4 across the threads, then the touched rows are overwritten with
   * their side values and Σw² corrected. Returns Σw² of the new tables.
   */
  private denseSimd(Gs: Float32Array, U: number, coef: number, stepSize: number, sqrtBc2: number): number {
    const { beta1, beta2, eps } = this.adam;
    const width = this.width;
    const need = U * width;
    if (this.side.W.length < need) {
      const m = Math.ceil(need * 1.25);
      this.side = { W: new Float32Array(m), M: new Float32Array(m), V: new Float32Array(m) };
    }
    const side = this.side;
    const right = this.touched(this.W, this.M, this.V, Gs, this.uniq, 1, U, width, this.lambda, coef, beta1, beta2,
      stepSize, sqrtBc2, eps, side.W, side.M, side.V);
    const cl = coef * this.lambda;
    const wOff = this.W.byteOffset, mOff = this.M.byteOffset, vOff = this.V.byteOffset;
    const threads = this.simdRanges.length;
    const useWorkers = this.workers.length === threads - 1 && threads > 1;
    const args = (e0: number, e1: number) =>
      [e0, e1, wOff, mOff, vOff, cl, beta1, 1 - beta1, beta2, 1 - beta2, stepSize, 1 / sqrtBc2, eps] as const;
    if (useWorkers) {
      this.gen = (this.gen + 1) & 0x3fffffff;
      for (let k = 1; k < threads; k++) {
        const a = args(this.simdRanges[k][0], this.simdRanges[k][1]);
        this.params.set(a, PARAMS_PER_WORKER * k);
        Atomics.store(this.ctrl, 2 * k, this.gen);
        Atomics.notify(this.ctrl, 2 * k);
      }
    }
    const [e0, e1] = useWorkers ? this.simdRanges[0] : [0, this.simdRanges[threads - 1][1]];
    let sum = this.simd!(...args(e0, e1));
    if (useWorkers) sum += this.joinWorkers(threads);
    let wrong = 0;
    const W = this.W, M = this.M, V = this.V, uniq = this.uniq;
    for (let s = 1, j = width; s < U; s++) {
      const base = uniq[s] * width;
      for (let c = 0; c < width; c++, j++) {
        const i = base + c;
        wrong += W[i] * W[i];
        W[i] = side.W[j];
        M[i] = side.M[j];
        V[i] = side.V[j];
      }
    }
    return sum - wrong + right;
  }

  /**
   * Grows the shared gradient buffer when a batch has more unique rows, and hands the workers whichever of G and
   * uniq (regrown by prepare) they do not hold yet.
   */
  private async shareBuffers(n: number): Promise<void> {
    if (this.G.length < n) this.G = sharedF32(Math.ceil(n * 1.25));
    if (this.simd || this.workers.length === 0) return; // SIMD workers read neither (touched rows are done here)
    const G = this.G.buffer as SharedArrayBuffer;
    const uniq = this.uniq.buffer as SharedArrayBuffer;
    if (this.sent.G === G && this.sent.uniq === uniq) return;
    const msg = { G: this.sent.G === G ? undefined : G, uniq: this.sent.uniq === uniq ? undefined : uniq };
    await Promise.all(
      this.workers.map(
        (w) => new Promise<void>((resolve) => {
          w.once('message', () => resolve());
          w.postMessage(msg);
        }),
      ),
    );
    this.sent = { G, uniq };
  }

  /** Copy of one field's table: its D embedding columns (lr = false) or its LR column (lr = true). */
  table(field: string, lr = false): { data: Float32Array; rows: number; dim: number } {
    const f = this.fields.findIndex((x) => x.name === field);
    if (f < 0) throw new UserError(`no categorical field named "${field}"`);
    if (lr && !this.withLr) throw new UserError('the model has no LogisticRegression tables');
    const rows = this.vocab[f];
    const dim = lr ? 1 : this.dim;
    const out = new Float32Array(rows * dim);
    const base = this.offsets[f] * this.width;
    for (let r = 0; r < rows; r++) {
      const src = base + r * this.width + (lr ? this.dim : 0);
      for (let c = 0; c < dim; c++) out[r * dim + c] = this.W[src + c];
    }
    return { data: out, rows, dim };
  }

  async dispose(): Promise<void> {
    for (let k = 1; k <= this.workers.length; k++) {
      Atomics.store(this.ctrl, 2 * k, -1);
      Atomics.notify(this.ctrl, 2 * k);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

/**
 * Squared norm of the table gradient λ·W + G (pre-clip) without touching untouched rows:
 * dense: λ²‖W‖² + Σ_touched(‖λw+G‖² − λ²‖w‖²); lazy (only touched rows get a gradient): Σ_touched ‖λw+G‖².
 * The compiled train program computes the same expression in the graph; this host copy serves tests and checks.
 */
export function tableGradNorm2(store: EmbeddingStore, rows: Float32Array, G: ArrayLike<number>, U: number): number {
  const lam = store.lambda;
  const width = store.width;
  let touched = 0;
  let sub = 0;
  for (let i = width; i < U * width; i++) {
    const w = rows[i];
    const g = lam * w + G[i];
    touched += g * g;
    sub += lam * lam * w * w;
  }
  return store.mode === 'dense' ? lam * lam * store.w2 + touched - sub : touched;
}
