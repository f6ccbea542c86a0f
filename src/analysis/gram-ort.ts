// The centered cross product Xcᵀ·Yc through onnxruntime (a float64 MatMul built with the engine's graph builder):
// at the paper's size (50,000 × 390) it takes about a second where the JS kernel in matrix.ts takes ten or more.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { Graph } from '../engine/graph.js';
import { toOnnx } from '../engine/onnx.js';
import { matmul, transpose } from '../engine/ops.js';
import { columnMeans, type CrossProduct, type Mat } from './matrix.js';

let session: Promise<ort.InferenceSession> | undefined;

function gramSession(): Promise<ort.InferenceSession> {
  if (!session) {
    const g = new Graph({ floatType: 'float64' });
    const x = g.input('X', ['R', 'N']);
    const y = g.input('Y', ['R', 'M']);
    const bytes = toOnnx(g, { outputs: { G: matmul(transpose(x, [1, 0]), y) } });
    session = ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: Math.max(1, availableParallelism()),
      graphOptimizationLevel: 'all',
    });
    session.catch(() => (session = undefined));
  }
  return session;
}

/** Rows per MatMul call: bounds the float64 copies (2 × 4096 × cols × 8 bytes). */
const ROWS = 4096;

function centerInto(m: Mat, mean: Float64Array, r0: number, n: number, out: Float64Array): void {
  const c = m.cols;
  for (let r = 0; r < n; r++) {
    const src = (r0 + r) * c;
    const dst = r * c;
    for (let j = 0; j < c; j++) out[dst + j] = m.data[src + j] - mean[j];
  }
}

export const centeredCrossProductOrt: CrossProduct = async (x: Mat, y?: Mat): Promise<Float64Array> => {
  const yy = y ?? x;
  if (yy.rows !== x.rows) throw new Error(`row counts differ: ${x.rows} vs ${yy.rows}`);
  const s = await gramSession();
  const mx = columnMeans(x);
  const my = y ? columnMeans(yy) : mx;
  const out = new Float64Array(x.cols * yy.cols);
  const bx = new Float64Array(ROWS * x.cols);
  const by = y ? new Float64Array(ROWS * yy.cols) : bx;
  for (let r0 = 0; r0 < x.rows; r0 += ROWS) {
    const n = Math.min(ROWS, x.rows - r0);
    centerInto(x, mx, r0, n, bx);
    if (y) centerInto(yy, my, r0, n, by);
    const res = await s.run({
      X: new ort.Tensor('float64', bx.subarray(0, n * x.cols), [n, x.cols]),
      Y: new ort.Tensor('float64', by.subarray(0, n * yy.cols), [n, yy.cols]),
    });
    const g = res.G.data as Float64Array;
    for (let i = 0; i < out.length; i++) out[i] += g[i];
    res.G.dispose();
  }
  if (!y) {
    // Exact symmetry, as the JS kernel gives: the eigen solver assumes it.
    const n = x.cols;
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) out[a * n + b] = out[b * n + a];
  }
  return out;
};
