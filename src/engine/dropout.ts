// Host-side dropout masks: 1 keeps, 0 drops, with P(drop) = p at 16-bit resolution (two draws per 32-bit random
// word: |p − p_eff| < 8e-6), from the engine's seeded dropout stream, so a seed and a step fix every mask.
// The generator is util/rng's xoshiro128** run on local copies of its state (the same words nextU32 would give,
// without a method call per word); the state is written back at the end. The kernel is JavaScript source so that
// the main thread and the mask worker run the same code (see embedding-kernel.ts for the same pattern).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Rng } from '../util/rng.js';

/** fillMask(st, mask, p): st is the xoshiro128** state as 4 int32 words, advanced in place. */
const MASK_KERNEL_SRC = `
function fillMask(st, mask, p) {
  const thr = Math.round(p * 65536);
  const n = mask.length;
  let a = st[0] | 0, b = st[1] | 0, c = st[2] | 0, d = st[3] | 0;
  // Branch-free: ((h − thr) >> 31) + 1 is 1 when the 16-bit draw h ≥ thr (keep) and 0 otherwise; a branch here is
  // mispredicted on a tenth of the values and took most of the time.
  for (let i = 0; i < n; i += 2) {
    const x = Math.imul(b, 5);
    const r = Math.imul((x << 7) | (x >>> 25), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    mask[i] = (((r & 0xffff) - thr) >> 31) + 1;
    if (i + 1 < n) mask[i + 1] = (((r >>> 16) - thr) >> 31) + 1;
  }
  st[0] = a; st[1] = b; st[2] = c; st[3] = d;
}
`;

type MaskKernel = (st: Int32Array, mask: Uint8Array, p: number) => void;
const fillMask = new Function(`${MASK_KERNEL_SRC}\nreturn fillMask;`)() as MaskKernel;

export function fillDropoutMask(rng: Rng, mask: Uint8Array, p: number): void {
  const st = Int32Array.from(rng.getState());
  fillMask(st, mask, p);
  rng.setState([st[0], st[1], st[2], st[3]]);
}

// The worker fills one step's masks in order from the given state and transfers them back with the new state.
const WORKER_SRC = `
const { parentPort } = require('node:worker_threads');
${MASK_KERNEL_SRC}
parentPort.on('message', (job) => {
  const st = Int32Array.from(job.state);
  const masks = job.sites.map((s) => {
    const m = new Uint8Array(s.n);
    fillMask(st, m, s.p);
    return m;
  });
  parentPort.postMessage({ id: job.id, state: Array.from(st), masks }, masks.map((m) => m.buffer));
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

/** One step's masks drawn from `state` (not advancing any Rng): the new state comes back with them. */
function drawMasks(state: readonly number[], sites: readonly MaskSite[]): StepMasks {
  const st = Int32Array.from(state);
  const masks = sites.map((s) => {
    const m = new Uint8Array(s.n);
    fillMask(st, m, s.p);
    return m;
  });
  return { state: Array.from(st), masks };
}

/**
 * Draws a step's dropout masks on a worker thread while the main thread prepares the embedding rows, so the two
 * host jobs of a step use both cores. The masks are the same bytes fillDropoutMask draws in the same order (the
 * stream does not depend on where it runs). Without a second core it draws them in place.
 */
export class DropoutMasks {
  private worker: Worker | null = null;
  private pending: Promise<StepMasks> | null = null;
  private nextId = 0;

  constructor(
    private readonly rng: Rng,
    parallel = availableParallelism() > 1,
  ) {
    if (parallel) {
      this.worker = new Worker(WORKER_SRC, { eval: true });
      this.worker.unref();
    }
  }

  /** Starts drawing one step's masks; collect them with `take`. The stream only advances in `take`. */
  async start(sites: readonly MaskSite[]): Promise<void> {
    // A step abandoned between start and take (an error in between) may have a reply in flight: drain it first.
    if (this.pending) await this.pending.catch(() => undefined);
    this.pending = null;
    const state = this.rng.getState();
    const w = this.worker;
    if (!w || sites.length === 0) {
      this.pending = Promise.resolve(drawMasks(state, sites));
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
    w.postMessage({ id, state, sites: sites.map((s) => ({ n: s.n, p: s.p })) });
  }

  /** The masks of the step started last; advances the dropout stream past them. */
  async take(): Promise<Uint8Array[]> {
    if (!this.pending) throw new Error('DropoutMasks.take: no step started');
    const p = this.pending;
    this.pending = null;
    const r = await p;
    this.rng.setState(r.state);
    return r.masks;
  }

  async dispose(): Promise<void> {
    if (this.pending) await this.pending.catch(() => undefined);
    this.pending = null;
    await this.worker?.terminate();
    this.worker = null;
  }
}
