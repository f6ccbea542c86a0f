// Graph ops: each checks its operands, infers the static output shape (shape.ts) and emits ONNX nodes (opset 17).
// Light algebraic clean-up happens here (x·1, x+0, constant folding of tiny constants), so gradient rules can be
// written plainly and still produce lean graphs.
import type { Attr, Attrs, DType, Graph, Tensor } from './graph.js';
import { isFloat } from './graph.js';
import {
  broadcastShapes,
  concatShape,
  dimEq,
  expandShape,
  fmtShape,
  gatherShape,
  isStatic,
  matmulShape,
  normAxes,
  normAxis,
  reduceShape,
  reshapeShape,
  ShapeError,
  sliceBounds,
  squeezeShape,
  transposeShape,
  unsqueezeShape,
  type Dim,
} from './shape.js';

export type TensorLike = Tensor | number;

const int = (v: number): Attr => ({ kind: 'int', v });
const ints = (v: readonly number[]): Attr => ({ kind: 'ints', v: [...v] });

function node1(op: string, inputs: Tensor[], attrs: Attrs, shape: readonly Dim[], dtype: DType): Tensor {
  return inputs[0].graph.addNode(op, inputs, attrs, [{ shape, dtype }])[0];
}

function i64(g: Graph, v: readonly number[]): Tensor {
  return g.sharedConstant(v, [v.length], 'int64');
}

function requireFloat(op: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new ShapeError(`${op}: expects a float tensor, got ${x.dtype} (${x.name})`);
}

// ---------------------------------------------------------------- constants and scalars

function constScalarValue(t: Tensor): number | null {
  if (t.kind !== 'constant' || !t.value || t.value.length === 0) return null;
  const v0 = Number(t.value[0]);
  for (let i = 1; i < t.value.length; i++) if (Number(t.value[i]) !== v0) return null;
  return v0;
}

function asTensor(x: TensorLike, like: Tensor): Tensor {
  if (typeof x !== 'number') return x;
  return like.graph.sharedConstant(x, [], like.dtype);
}

function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new ShapeError(`${op}: at least one operand must be a Tensor`);
  const ta = typeof a === 'number' ? asTensor(a, b as Tensor) : a;
  const tb = asTensor(b, ta);
  if (ta.graph !== tb.graph) throw new ShapeError(`${op}: operands belong to different graphs`);
  if (ta.dtype !== tb.dtype) throw new ShapeError(`${op}: dtypes differ: ${ta.dtype} ${fmtShape(ta.shape)} vs ${tb.dtype} ${fmtShape(tb.shape)}`);
  return [ta, tb];
}

const sameShape = (a: readonly Dim[], b: readonly Dim[]) => a.length === b.length && a.every((d, i) => dimEq(d, b[i]));

/** Folds elementwise ops over tiny constants (e.g. scale factors built by gradient rules). */
function foldConstants(op: string, a: Tensor, b: Tensor, shape: readonly Dim[]): Tensor | null {
  if (a.kind !== 'constant' || b.kind !== 'constant' || !isFloat(a.dtype) || !isStatic(shape)) return null;
  const n = shape.reduce((x, y) => x * y, 1);
  if (n > 64 || (a.value!.length !== n && a.value!.length !== 1) || (b.value!.length !== n && b.value!.length !== 1)) return null;
  const f: Record<string, (x: number, y: number) => number> = {
    Add: (x, y) => x + y,
    Sub: (x, y) => x - y,
    Mul: (x, y) => x * y,
    Div: (x, y) => x / y,
  };
  const av = a.value as Float32Array | Float64Array;
  const bv = b.value as Float32Array | Float64Array;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(f[op](av[av.length === 1 ? 0 : i], bv[bv.length === 1 ? 0 : i]));
  return a.graph.sharedConstant(out, shape, a.dtype);
}

function binary(op: 'Add' | 'Sub' | 'Mul' | 'Div', a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(op.toLowerCase(), a, b);
  const shape = broadcastShapes(op.toLowerCase(), ta.shape, tb.shape);
  const folded = foldConstants(op, ta, tb, shape);
  if (folded) return folded;
  const ca = constScalarValue(ta);
  const cb = constScalarValue(tb);
  // Identities that leave the other operand's shape unchanged.
  if (op === 'Add' && ca === 0 && sameShape(shape, tb.shape)) return tb;
  if ((op === 'Add' || op === 'Sub') && cb === 0 && sameShape(shape, ta.shape)) return ta;
  if (op === 'Mul' && ca === 1 && sameShape(shape, tb.shape)) return tb;
  if ((op === 'Mul' || op === 'Div') && cb === 1 && sameShape(shape, ta.shape)) return ta;
  if (op === 'Mul' && ca === -1 && sameShape(shape, tb.shape)) return neg(tb);
  if (op === 'Mul' && cb === -1 && sameShape(shape, ta.shape)) return neg(ta);
  if (op === 'Sub' && ca === 0 && sameShape(shape, tb.shape)) return neg(tb);
  return node1(op, [ta, tb], {}, shape, ta.dtype);
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('Add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('Sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('Mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('Div', a, b);

/** Sum of several same-shaped tensors (ONNX Sum); used to accumulate gradients. */
export function addN(xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new ShapeError('addN: no inputs');
  if (xs.length === 1) return xs[0];
  if (xs.length === 2) return add(xs[0], xs[1]);
  const shape = broadcastShapes('addN', ...xs.map((x) => x.shape));
  for (const x of xs) if (x.dtype !== xs[0].dtype) throw new ShapeError(`addN: dtypes differ (${x.dtype} vs ${xs[0].dtype})`);
  return node1('Sum', [...xs], {}, shape, xs[0].dtype);
}

// ---------------------------------------------------------------- elementwise unary

function unary(op: string, x: Tensor, attrs: Attrs = {}): Tensor {
  requireFloat(op, x);
  return node1(op, [x], attrs, x.shape, x.dtype);
}

export function neg(x: Tensor): Tensor {
  if (x.producer?.op === 'Neg') return x.producer.inputs[0];
  return unary('Neg', x);
}
export const relu = (x: Tensor): Tensor => unary('Relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('Sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('Tanh', x);
export const log = (x: Tensor): Tensor => unary('Log', x);
export const exp = (x: Tensor): Tensor => unary('Exp', x);
export const sqrt = (x: Tensor): Tensor => unary('Sqrt', x);
export const abs = (x: Tensor): Tensor => unary('Abs', x);
export const sign = (x: Tensor): Tensor => unary('Sign', x);
export const square = (x: Tensor): Tensor => mul(x, x);

/** log(1 + e^x). onnxruntime's CPU Softplus has no double kernel, so float64 graphs use the stable lowering
 *  relu(x) + log(1 + exp(-|x|)). */
export function softplus(x: Tensor): Tensor {
  requireFloat('softplus', x);
  if (x.dtype === 'float32') return unary('Softplus', x);
  return add(relu(x), log(add(exp(neg(abs(x))), 1)));
}

export function pow(x: Tensor, p: number): Tensor {
  requireFloat('pow', x);
  if (p === 1) return x;
  if (p === 2) return mul(x, x);
  if (p === 0.5) return sqrt(x);
  return node1('Pow', [x, x.graph.sharedConstant(p, [], x.dtype)], {}, x.shape, x.dtype);
}

export function clip(x: Tensor, lo: number, hi: number): Tensor {
  requireFloat('clip', x);
  const g = x.graph;
  return node1('Clip', [x, g.sharedConstant(lo, [], x.dtype), g.sharedConstant(hi, [], x.dtype)], {}, x.shape, x.dtype);
}

export function identity(x: Tensor): Tensor {
  return node1('Identity', [x], {}, x.shape, x.dtype);
}

// ---------------------------------------------------------------- comparison, selection, casts

export function equal(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands('equal', a, b);
  return node1('Equal', [ta, tb], {}, broadcastShapes('equal', ta.shape, tb.shape), 'bool');
}

/** Elementwise max / min with broadcasting (ONNX Max / Min). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands('maximum', a, b);
  requireFloat('maximum', ta);
  return node1('Max', [ta, tb], {}, broadcastShapes('maximum', ta.shape, tb.shape), ta.dtype);
}
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands('minimum', a, b);
  requireFloat('minimum', ta);
  return node1('Min', [ta, tb], {}, broadcastShapes('minimum', ta.shape, tb.shape), ta.dtype);
}

/** Number of elements of x as an int64 scalar (ONNX Size). */
export function size(x: Tensor): Tensor {
  return node1('Size', [x], {}, [], 'int64');
}

export function greater(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands('greater', a, b);
  return node1('Greater', [ta, tb], {}, broadcastShapes('greater', ta.shape, tb.shape), 'bool');
}

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new ShapeError(`where: condition must be bool, got ${cond.dtype} (${cond.name})`);
  const [ta, tb] = operands('where', a, b);
  return node1('Where', [cond, ta, tb], {}, broadcastShapes('where', cond.shape, ta.shape, tb.shape), ta.dtype);
}

const ONNX_DTYPE: Record<DType, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 };
export function onnxDataType(d: DType): number {
  return ONNX_DTYPE[d];
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return node1('Cast', [x], { to: int(ONNX_DTYPE[dtype]) }, x.shape, dtype);
}

/** x · mask / (1 − p), mask a fed 0/1 tensor (broadcastable to x). */
export function dropout(x: Tensor, mask: Tensor, p: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new ShapeError(`dropout: p must be in [0, 1), got ${p}`);
  if (p === 0) return x;
  // Scaling the mask (not x) leaves one multiply for the backward pass: dx = g · scaledMask.
  return mul(x, mul(cast(mask, x.dtype), 1 / (1 - p)));
}

// ---------------------------------------------------------------- linear algebra

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a);
  if (a.dtype !== b.dtype) throw new ShapeError(`matmul: dtypes differ: ${a.dtype} vs ${b.dtype}`);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`matmul: scalar operand (${fmtShape(a.shape)} @ ${fmtShape(b.shape)})`);
  // 1-D operands follow numpy: lift to 2-D, multiply, drop the lifted axis.
  if (a.rank === 1 && b.rank === 1) return squeeze(matmul(unsqueeze(a, 0), unsqueeze(b, -1)), [0, 1]);
  if (a.rank === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.rank === 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  return node1('MatMul', [a, b], {}, matmulShape(a.shape, b.shape), a.dtype);
}

/** ONNX Gemm: op(a) · op(b) for 2-D a, b (transposes folded into the kernel, no bias). */
export function gemm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`gemm: needs 2-D operands, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const [m, k1] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (!dimEq(k1, k2)) throw new ShapeError(`gemm: inner dims differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''}`);
  const attrs: Record<string, Attr> = {};
  if (transA) attrs.transA = int(1);
  if (transB) attrs.transB = int(1);
  return node1('Gemm', [a, b], attrs, [m, n], a.dtype);
}

// ---------------------------------------------------------------- reductions

function axesList(x: Tensor, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  return typeof axes === 'number' ? [axes] : [...axes];
}

export function reduceSum(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normAxes('reduceSum', axesList(x, axes), x.rank);
  if (ax.length === 0) return x;
  const shape = reduceShape('reduceSum', x.shape, ax, keepdims);
  return node1('ReduceSum', [x, i64(x.graph, ax)], { keepdims: int(keepdims ? 1 : 0) }, shape, x.dtype);
}

export function reduceMean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  requireFloat('reduceMean', x);
  const ax = normAxes('reduceMean', axesList(x, axes), x.rank);
  if (ax.length === 0) return x;
  const shape = reduceShape('reduceMean', x.shape, ax, keepdims);
  // Opset 17: ReduceMean still takes axes as an attribute.
  return node1('ReduceMean', [x], { axes: ints(ax), keepdims: int(keepdims ? 1 : 0) }, shape, x.dtype);
}

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('softmax', x);
  const a = normAxis('softmax', axis, x.rank);
  return node1('Softmax', [x], { axis: int(a) }, x.shape, x.dtype);
}

// ---------------------------------------------------------------- run-time shapes

/** Shape(x)[start:end] as an int64 1-D tensor, shared per (tensor, range). */
function shapeSlice(x: Tensor, start: number, end: number): Tensor {
  const g = x.graph;
  const key = `shape|${x.name}|${start}|${end}`;
  let t = g.memo.get(key);
  if (!t) {
    const attrs: Record<string, Attr> = {};
    if (start !== 0) attrs.start = int(start);
    if (end !== x.rank) attrs.end = int(end);
    t = node1('Shape', [x], attrs, [end - start], 'int64');
    g.memo.set(key, t);
  }
  return t;
}

/** The shape of x as an int64 1-D tensor: a constant when static, else a (shared) Shape node. */
export function shapeOf(x: Tensor): Tensor {
  if (isStatic(x.shape)) return i64(x.graph, x.shape as number[]);
  return shapeSlice(x, 0, x.rank);
}

/** A run-time int64 shape tensor for `dims`; symbolic dims are read from the inputs that define them,
 *  or from `like` (a tensor whose dims may share names), products of symbols via Mul. */
export function shapeTensor(g: Graph, dims: readonly Dim[], like?: Tensor): Tensor {
  if (isStatic(dims)) return i64(g, dims as number[]);
  if (like && like.rank === dims.length && dims.every((d, i) => dimEq(d, like.shape[i]))) return shapeOf(like);
  const parts: Tensor[] = [];
  let pending: number[] = [];
  const flush = () => {
    if (pending.length) parts.push(i64(g, pending));
    pending = [];
  };
  for (const d of dims) {
    if (typeof d === 'number') {
      pending.push(d);
      continue;
    }
    flush();
    parts.push(symbolicDim(g, d, like));
  }
  flush();
  return parts.length === 1 ? parts[0] : concat(parts, 0);
}

function symbolicDim(g: Graph, d: string, like?: Tensor): Tensor {
  const key = `dim|${d}`;
  const hit = g.memo.get(key);
  if (hit) return hit;
  if (like) {
    const i = like.shape.findIndex((e) => dimEq(e, d));
    if (i >= 0) return shapeSlice(like, i, i + 1);
  }
  let coef = 1;
  let acc: Tensor | null = null;
  for (const part of d.split('*')) {
    if (/^\d+$/.test(part)) {
      coef *= Number(part);
      continue;
    }
    const src = g.dimSource(part);
    if (!src) throw new ShapeError(`symbolic dim '${part}' (in '${d}') has no input that defines it`);
    const s = shapeSlice(src.tensor, src.axis, src.axis + 1);
    acc = acc ? node1('Mul', [acc, s], {}, [1], 'int64') : s;
  }
  if (!acc) throw new ShapeError(`bad symbolic dim '${d}'`);
  if (coef !== 1) acc = node1('Mul', [acc, i64(g, [coef])], {}, [1], 'int64');
  g.memo.set(key, acc);
  return acc;
}

// ---------------------------------------------------------------- shape ops

/** `like`: a tensor whose run-time shape equals the target, used when symbolic dims cannot be resolved otherwise. */
export function reshape(x: Tensor, target: readonly Dim[], like?: Tensor): Tensor {
  const out = reshapeShape(x.shape, target);
  if (sameShape(out, x.shape)) return x;
  const g = x.graph;
  let shapeT: Tensor;
  const hasNeg = target.includes(-1);
  // Symbolic dims: copy in place (0) where the input has the same dim at the same index; one more may become -1.
  const spec: (number | null)[] = target.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i < x.rank && dimEq(x.shape[i], d)) return 0;
    return null;
  });
  const unresolved = spec.filter((s) => s === null).length;
  if (unresolved === 0) shapeT = i64(g, spec as number[]);
  else if (unresolved === 1 && !hasNeg) shapeT = i64(g, spec.map((s) => (s === null ? -1 : s)));
  else shapeT = shapeTensor(g, out, like ?? x);
  return node1('Reshape', [x, shapeT], {}, out, x.dtype);
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  const shape = transposeShape(x.shape, p);
  if (p.every((v, i) => v === i)) return x;
  // Transpose of a transpose collapses into one.
  if (x.producer?.op === 'Transpose') {
    const inner = (x.producer.attrs.perm as { v: number[] }).v;
    return transpose(x.producer.inputs[0], p.map((i) => inner[i]));
  }
  return node1('Transpose', [x], { perm: ints(p) }, shape, x.dtype);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: no inputs');
  for (const x of xs) if (x.dtype !== xs[0].dtype) throw new ShapeError(`concat: dtypes differ (${x.dtype} vs ${xs[0].dtype})`);
  const shape = concatShape(xs.map((x) => x.shape), axis);
  if (xs.length === 1) return xs[0];
  return node1('Concat', [...xs], { axis: int(normAxis('concat', axis, xs[0].rank)) }, shape, xs[0].dtype);
}

export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normAxis('slice', axis, x.rank);
  const dim = x.shape[a];
  if (typeof dim !== 'number') throw new ShapeError(`slice: axis ${a} of ${fmtShape(x.shape)} is symbolic; slicing needs a static dim`);
  const [s, e] = sliceBounds(dim, start, end);
  if (s === 0 && e === dim) return x;
  const shape = [...x.shape];
  shape[a] = e - s;
  const g = x.graph;
  return node1('Slice', [x, i64(g, [s]), i64(g, [e]), i64(g, [a])], {}, shape, x.dtype);
}

export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = normAxis('split', axis, x.rank);
  const dim = x.shape[a];
  const total = sizes.reduce((p, q) => p + q, 0);
  if (typeof dim !== 'number' || total !== dim || sizes.some((s) => !(Number.isInteger(s) && s > 0)))
    throw new ShapeError(`split: sizes [${sizes.join(', ')}] do not split axis ${a} of ${fmtShape(x.shape)}`);
  if (sizes.length === 1) return [x];
  const outs = sizes.map((s) => {
    const shape = [...x.shape];
    shape[a] = s;
    return { shape, dtype: x.dtype };
  });
  return x.graph.addNode('Split', [x, i64(x.graph, sizes)], { axis: int(a) }, outs);
}

export function unsqueeze(x: Tensor, axes: number | readonly number[]): Tensor {
  const ax = typeof axes === 'number' ? [axes] : [...axes];
  if (ax.length === 0) return x;
  const shape = unsqueezeShape(x.shape, ax);
  const norm = normAxes('unsqueeze', ax, shape.length);
  return node1('Unsqueeze', [x, i64(x.graph, norm)], {}, shape, x.dtype);
}

export function squeeze(x: Tensor, axes: number | readonly number[]): Tensor {
  const ax = typeof axes === 'number' ? [axes] : [...axes];
  if (ax.length === 0) return x;
  const shape = squeezeShape(x.shape, ax);
  return node1('Squeeze', [x, i64(x.graph, normAxes('squeeze', ax, x.rank))], {}, shape, x.dtype);
}

export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  if (indices.dtype !== 'int64' && indices.dtype !== 'int32')
    throw new ShapeError(`gather: indices must be int64 or int32, got ${indices.dtype} (${indices.name})`);
  const a = normAxis('gather', axis, data.rank);
  return node1('Gather', [data, indices], { axis: int(a) }, gatherShape(data.shape, indices.shape, a), data.dtype);
}

export function expand(x: Tensor, shape: readonly Dim[], like?: Tensor): Tensor {
  const out = expandShape(x.shape, shape);
  if (sameShape(out, x.shape)) return x;
  return node1('Expand', [x, shapeTensor(x.graph, out, like)], {}, out, x.dtype);
}

/** Zeros with x's shape and dtype (a scalar expanded at run time, no stored buffer). */
export function zerosLike(x: Tensor): Tensor {
  return expand(x.graph.sharedConstant(0, [], x.dtype), x.shape, x);
}

/** ScatterND without reduction: out = data; out[indices[i]] = updates[i] (indices must not repeat). */
export function scatterND(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  if (indices.dtype !== 'int64') throw new ShapeError(`scatterND: indices must be int64, got ${indices.dtype}`);
  return node1('ScatterND', [data, indices, updates], {}, data.shape, data.dtype);
}

/** ScatterND with reduction 'add' (opset 16): out = data; out[indices[i]] += updates[i]; repeats accumulate. */
export function scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  if (indices.dtype !== 'int64') throw new ShapeError(`scatterNDAdd: indices must be int64, got ${indices.dtype}`);
  return node1('ScatterND', [data, indices, updates], { reduction: { kind: 'string', v: 'add' } }, data.shape, data.dtype);
}

/** Constant zero-padding along one axis (Pad, opset 13+). */
export function padAxis(x: Tensor, axis: number, before: number, after: number): Tensor {
  if (before === 0 && after === 0) return x;
  const a = normAxis('pad', axis, x.rank);
  const pads = new Array<number>(2 * x.rank).fill(0);
  pads[a] = before;
  pads[x.rank + a] = after;
  const shape = [...x.shape];
  const d = shape[a];
  if (typeof d !== 'number') throw new ShapeError(`pad: axis ${a} of ${fmtShape(x.shape)} is symbolic`);
  shape[a] = d + before + after;
  return node1('Pad', [x, i64(x.graph, pads)], {}, shape, x.dtype);
}

/**
 * ScatterElements with reduction 'add' (opset 16): out = data; out[..., indices[i..], ...] += updates[i..] along
 * `axis`. onnxruntime runs this kernel sequentially, so repeated indices accumulate exactly and deterministically
 * (its ScatterND 'add' is multi-threaded and loses updates on repeats; test/engine/grad-gather-determinism.test.ts).
 */
export function scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  if (indices.dtype !== 'int64') throw new ShapeError(`scatterElementsAdd: indices must be int64, got ${indices.dtype}`);
  const a = normAxis('scatterElementsAdd', axis, data.rank);
  return node1('ScatterElements', [data, indices, updates], { axis: int(a), reduction: { kind: 'string', v: 'add' } }, data.shape, data.dtype);
}
