// The machine's own matrix-product rate, measured in the same process and with the same threads as the suite: the
// reference the suite's training throughput is divided by, so that a slower or busier machine does not read as a
// slower ge4rec.
import * as ort from 'onnxruntime-node';
import { Graph } from '../engine/graph.js';
import { toOnnx } from '../engine/onnx.js';
import * as ops from '../engine/ops.js';
import { createSession, releaseSession, type Device } from '../engine/session.js';
import { Rng } from '../util/rng.js';

const N = 512;

/** GFLOP/s of a float32 [512, 512] × [512, 512] product, best of a few timed rounds of at least `seconds` each. */
export async function gemmGflops(device: Device, threads: number, seconds = 0.15, rounds = 2): Promise<number> {
  const g = new Graph();
  const a = g.input('a', [N, N]);
  const b = g.input('b', [N, N]);
  const bytes = toOnnx(g, { outputs: { c: ops.matmul(a, b) } });
  const o = { device, threads };
  const session = await createSession(bytes, o);
  try {
    const rng = new Rng(1);
    const fill = () => Float32Array.from({ length: N * N }, () => rng.uniform() - 0.5);
    const feeds = { a: new ort.Tensor('float32', fill(), [N, N]), b: new ort.Tensor('float32', fill(), [N, N]) };
    for (let i = 0; i < 3; i++) await session.run(feeds);
    let best = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < seconds * 1000) {
        await session.run(feeds);
        n++;
      }
      const s = (performance.now() - t0) / 1000;
      best = Math.max(best, (2 * N * N * N * n) / s / 1e9);
    }
    return best;
  } finally {
    await releaseSession(bytes, o);
  }
}
