// Host-side dropout masks: 1 keeps, 0 drops, with P(drop) = p at 16-bit resolution (two draws per 32-bit word:
// |p − p_eff| < 8e-6), from the engine's seeded dropout stream, so a seed and a step fix every mask.
// Each mask takes 16 words of the stream (util/rng's xoshiro128**) to seed four xoshiro128** lanes, which the
// WebAssembly SIMD kernel of dropout-simd.ts runs side by side (~4x the single generator's speed); where wasm SIMD
// is missing, the same bytes come from plain JavaScript. The kernel source is shared with the mask worker.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Rng } from '../util/rng.js';
import { LANES_JS_SRC, maskModuleBytes } from './dropout-simd.js';

const DRAW_SRC = `
function drawMask(rs, mask, p, simdFill) {
  const thr = Math.round(p * 65536);
  const lanes = new Int32Array(16);
  seedLanes(rs, lanes);
  if (simdFill) simdFill(lanes, mask, thr);
  else fillLanesJs(lanes, mask, thr);
}
// One step's masks in order, each into its buffer in bufs when that is large enough.
function drawStep(rs, sites, bufs, simdFill) {
  return sites.map((s, i) => {
    const b = bufs[i];
    const m = b && b.byteLength >= s.n ? new Uint8Array(b, 0, s.n) : new Uint8Array(s.n);
    drawMask(rs, m, s.p, simdFill);
    return m;
  });
}
`;

type Fill = (lanes: Int32Array, mask: Uint8Array, thr: number) => void;
interface Kernels {
  drawMask: (rs: Int32Array, mask: Uint8Array, p: number, simdFill: Fill | null) => void;
  drawStep: (rs: Int32Array, sites: readonly MaskSite[], bufs: ArrayBuffer[], simdFill: Fill | null) => Uint8Array[];
  makeSimdFill: (bytes: Uint8Array) => Fill | null;
}
const kernels = new Function(`${LANES_JS_SRC}\n${DRAW_SRC}\nreturn { drawMask, drawStep, makeSimdFill };`)() as Kernels;
let simdFill: Fill | null | undefined;
const mainFill = (): Fill | null => (simdFill === undefined ? (simdFill = kernels.makeSimdFill(maskModuleBytes())) : simdFill);

/** Draws one mask from `rng` (advancing it by 16 words); `simd: false` forces the plain JavaScript path. */
export function fillDropoutMask(rng: Rng, mask: Uint8Array, p: number, simd = true): void {
  const rs = Int32Array.from(rng.getState());
  kernels.drawMask(rs, mask, p, simd ? mainFill() : null);
  rng.setState([rs[0], rs[1], rs[2], rs[3]]);
}

/** Whether masks are drawn by the WebAssembly SIMD kernel here. */
export function simdMasks(): boolean {
  return mainFill() !== null;
}

// The worker fills one step's masks in order from the given state, into the buffers sent back to it when they
// are large enough (no fresh pages to fault in every step), and transfers them back with the new state.
const WORKER_SRC = `
const { parentPort, workerData } = require('node:worker_threads');
${LANES_JS_SRC}
${DRAW_SRC}
const simdFill = workerData.simd ? makeSimdFill(workerData.bytes) : null;
parentPort.on('message', (job) => {
  const rs = Int32Array.from(job.state);
  const masks = drawStep(rs, job.sites, job.bufs, simdFill);
  parentPort.postMessage({ id: job.id, state: Array.from(rs), masks }, masks.map((m) => m.buffer));
});
`;

export interface MaskSite {
  n: number;
  p: number;
}

interface StepMasks {
  state: number[];
  masks: Uint8Array[];
}

/** One step's masks drawn in place from `state` (not advancing any Rng): the new state comes back with them. */
function drawMasks(state: readonly number[], sites: readonly MaskSite[], spare: ArrayBuffer[]): StepMasks {
  const rs = Int32Array.from(state);
  const masks = kernels.drawStep(rs, sites, spare, mainFill());
  return { state: Array.from(rs), masks };
}

/**
 * Draws a step's dropout masks on a worker thread while the main thread prepares the embedding rows, so the two
 * host jobs of a step use both cores. The masks are the same bytes fillDropoutMask draws in the same order (the
 * stream does not depend on where it runs). Without a second core it draws them in place. A step's masks are
 * drawn into the buffers of the step before (see `take`).
 */
export class DropoutMasks {
  private worker: Worker | null = null;
  private pending: Promise<StepMasks> | null = null;
  private nextId = 0;
  /** The buffers of the masks last taken, reused by the next step. */
  private spare: ArrayBuffer[] = [];

  constructor(
    private readonly rng: Rng,
    parallel = availableParallelism() > 1,
  ) {
    if (parallel) {
      const simd = simdMasks();
      this.worker = new Worker(WORKER_SRC, { eval: true, workerData: { simd, bytes: simd ? maskModuleBytes() : null } });
      this.worker.unref();
    }
  }

  /** Starts drawing one step's masks; collect them with `take`. The stream only advances in `take`. */
  async start(sites: readonly MaskSite[]): Promise<void> {
    // A step abandoned between start and take (an error in between) may have a reply in flight: drain it first.
    if (this.pending) {
      const abandoned = await this.pending.catch(() => null);
      if (abandoned) this.spare = abandoned.masks.map((m) => m.buffer as ArrayBuffer);
    }
    this.pending = null;
    const state = this.rng.getState();
    const spare = this.spare;
    this.spare = [];
    const w = this.worker;
    if (!w || sites.length === 0) {
      this.pending = Promise.resolve(drawMasks(state, sites, spare));
      return;
    }
    const id = this.nextId++;
    this.pending = new Promise<StepMasks>((resolve, reject) => {
      const onMsg = (r: StepMasks & { id: number }) => {
        if (r.id !== id) return;
        w.off('message', onMsg);
        w.off('error', onErr);
        resolve(r);
      };
      const onErr = (e: Error) => {
        w.off('message', onMsg);
        reject(new Error(`dropout mask worker failed: ${e.message}`));
      };
      w.on('message', onMsg);
      w.once('error', onErr);
    });
    w.postMessage({ id, state, sites: sites.map((s) => ({ n: s.n, p: s.p })), bufs: spare }, spare);
  }

  /**
   * The masks of the step started last; advances the dropout stream past them. They stay valid until the next
   * `start`, which draws into their buffers again (and may hand them to the worker thread, detaching them here).
   */
  async take(): Promise<Uint8Array[]> {
    if (!this.pending) throw new Error('DropoutMasks.take: no step started');
    const p = this.pending;
    this.pending = null;
    const r = await p;
    this.rng.setState(r.state);
    this.spare = r.masks.map((m) => m.buffer as ArrayBuffer);
    return r.masks;
  }

  async dispose(): Promise<void> {
    if (this.pending) await this.pending.catch(() => undefined);
    this.pending = null;
    await this.worker?.terminate();
    this.worker = null;
  }
}
