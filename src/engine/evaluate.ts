// Runs a graph once through onnxruntime-node (tests and tools). Sessions are cached by a hash of the model bytes.
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { DType, Tensor } from './graph.js';
import { toOnnx, type TypedArray } from './onnx.js';
import { grad } from './autodiff.js';

export interface Value {
  data: TypedArray;
  shape: number[];
}
export interface FeedValue {
  data: TypedArray | ArrayLike<number>;
  shape: number[];
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** onnxruntime's extended fusions (e.g. x·sigmoid(x) -> QuickGelu) have float-only kernels, so float64 graphs
 *  are run with basic optimisations only. */
export function sessionOptionsFor(floatType: 'float32' | 'float64'): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: floatType === 'float64' ? 'basic' : 'all' };
}

function session(bytes: Uint8Array, floatType: 'float32' | 'float64'): Promise<ort.InferenceSession> {
  const key = createHash('sha1').update(bytes).digest('hex') + floatType;
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(bytes, sessionOptionsFor(floatType));
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

function toOrt(t: Tensor, v: FeedValue): ort.Tensor {
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (v.data.length !== n) throw new Error(`evaluate: feed '${t.name}' has ${v.data.length} values for shape [${v.shape.join(', ')}]`);
  if (v.shape.length !== t.rank || v.shape.some((d, i) => typeof t.shape[i] === 'number' && t.shape[i] !== d))
    throw new Error(`evaluate: feed '${t.name}' has shape [${v.shape.join(', ')}], input is [${t.shape.join(', ')}]`);
  const conv: Record<DType, () => ort.Tensor> = {
    float32: () => new ort.Tensor('float32', v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number>), v.shape),
    float64: () => new ort.Tensor('float64', v.data instanceof Float64Array ? v.data : Float64Array.from(v.data as ArrayLike<number>), v.shape),
    int64: () =>
      new ort.Tensor('int64', v.data instanceof BigInt64Array ? v.data : BigInt64Array.from(Array.from(v.data as ArrayLike<number>, (x) => BigInt(x))), v.shape),
    int32: () => new ort.Tensor('int32', v.data instanceof Int32Array ? v.data : Int32Array.from(v.data as ArrayLike<number>), v.shape),
    bool: () => new ort.Tensor('bool', v.data instanceof Uint8Array ? v.data : Uint8Array.from(v.data as ArrayLike<number>), v.shape),
    uint8: () => new ort.Tensor('uint8', v.data instanceof Uint8Array ? v.data : Uint8Array.from(v.data as ArrayLike<number>), v.shape),
  };
  return conv[t.dtype]();
}

export async function evaluate(outputs: Record<string, Tensor>, feeds: Record<string, FeedValue>): Promise<Record<string, Value>> {
  const first = Object.values(outputs)[0];
  if (!first) throw new Error('evaluate: no outputs');
  const g = first.graph;
  const bytes = toOnnx(g, { outputs });
  const sess = await session(bytes, g.floatType);
  const byName = new Map(g.inputs.map((t) => [t.name, t]));
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const name of sess.inputNames) {
    const t = byName.get(name)!;
    const v = feeds[name];
    if (!v) throw new Error(`evaluate: missing feed for input '${name}'`);
    ortFeeds[name] = toOrt(t, v);
  }
  const res = await sess.run(ortFeeds);
  const out: Record<string, Value> = {};
  for (const key of Object.keys(outputs)) {
    const r = res[key];
    out[key] = { data: r.data as TypedArray, shape: [...r.dims] };
  }
  return out;
}

export interface GradCheckResult {
  /** Largest |analytic − numeric| / max(1, |analytic|, |numeric|) over the checked elements. */
  maxErr: number;
  worst: string;
  checked: number;
}

/**
 * Central finite differences against `grad` (use a float64 graph). `wrt` must be inputs fed in `feeds`.
 * A non-scalar `out` is contracted with a fixed random tensor first, so every output element matters.
 * At most `maxPerInput` elements of each input are perturbed (chosen by a seeded stride).
 */
export async function gradCheck(
  out: Tensor,
  wrt: readonly Tensor[],
  feeds: Record<string, FeedValue>,
  opts: { eps?: number; maxPerInput?: number; seed?: number } = {},
): Promise<GradCheckResult> {
  const eps = opts.eps ?? 1e-6;
  const g = out.graph;
  for (const w of wrt) if (w.kind !== 'input' || !feeds[w.name]) throw new Error(`gradCheck: ${w.name} must be a fed input`);
  const fwd = await evaluate({ out }, feeds);
  let loss = out;
  const allFeeds: Record<string, FeedValue> = { ...feeds };
  if (out.rank > 0) {
    const projName = `gradcheck_proj_${g.inputs.length}`;
    const proj = g.input(projName, out.shape, out.dtype);
    let s = (opts.seed ?? 7) >>> 0;
    const n = fwd.out.data.length;
    const pv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      pv[i] = 0.5 + s / 4294967296; // in [0.5, 1.5): no element is ignored
    }
    allFeeds[projName] = { data: out.dtype === 'float64' ? pv : Float32Array.from(pv), shape: fwd.out.shape };
    loss = out.mul(proj).sum();
  }
  const grads = grad(loss, wrt);
  const outputs: Record<string, Tensor> = { loss };
  grads.forEach((t, i) => (outputs[`grad_${i}`] = t));
  const an = await evaluate(outputs, allFeeds);
  const lossOnly = async (f: Record<string, FeedValue>) => Number((await evaluate({ loss }, f)).loss.data[0]);

  let maxErr = 0;
  let worst = '';
  let checked = 0;
  for (let wi = 0; wi < wrt.length; wi++) {
    const w = wrt[wi];
    const base = Float64Array.from(feeds[w.name].data as ArrayLike<number>);
    const ga = an[`grad_${wi}`];
    if (ga.data.length !== base.length) throw new Error(`gradCheck: gradient of ${w.name} has ${ga.data.length} values, input has ${base.length}`);
    const maxN = opts.maxPerInput ?? 40;
    const stride = Math.max(1, Math.floor(base.length / maxN));
    for (let i = 0; i < base.length; i += stride) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[i] += eps;
      minus[i] -= eps;
      const conv = (a: Float64Array) => (w.dtype === 'float64' ? a : Float32Array.from(a));
      const lp = await lossOnly({ ...allFeeds, [w.name]: { data: conv(plus), shape: feeds[w.name].shape } });
      const lm = await lossOnly({ ...allFeeds, [w.name]: { data: conv(minus), shape: feeds[w.name].shape } });
      const num = (lp - lm) / (2 * eps);
      const a = Number(ga.data[i]);
      const err = Math.abs(a - num) / Math.max(1, Math.abs(a), Math.abs(num));
      checked++;
      if (err > maxErr || Number.isNaN(err)) {
        maxErr = Number.isNaN(err) ? Infinity : err;
        worst = `${w.name}[${i}]: analytic ${a}, numeric ${num}`;
      }
    }
  }
  return { maxErr, worst, checked };
}
