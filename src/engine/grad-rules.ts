// One gradient rule per ONNX op the builder emits. A rule gets the node, its inputs x, outputs y, the incoming
// gradients gy (one per output; null where an output received none) and which inputs need a gradient, and
// returns one gradient per input (null: none). Rules reuse forward outputs (sigmoid's y, exp's y) and undo
// broadcasting with `unbroadcast`. Shapes may be symbolic: anything shape-dependent goes through ops helpers
// that fall back to run-time Shape nodes.
import type { Node, Tensor } from './graph.js';
import { isFloat } from './graph.js';
import * as ops from './ops.js';
import { dimEq, isStatic, normAxes, type Dim } from './shape.js';
import { TreePlanner, pairwiseSums } from './row-sum-tree.js';

export interface GradCtx {
  node: Node;
  x: readonly Tensor[];
  y: readonly Tensor[];
  gy: readonly (Tensor | null)[];
  needs: readonly boolean[];
}
export type GradRule = (c: GradCtx) => (Tensor | null)[];

/** Sums g over the axes along which `target` was broadcast to g's shape, giving target's shape. */
export function unbroadcast(g: Tensor, target: Tensor): Tensor {
  const lead = g.rank - target.rank;
  const inner: number[] = [];
  target.shape.forEach((d, i) => {
    if (dimEq(d, 1) && !dimEq(g.shape[i + lead], 1)) inner.push(i + lead);
  });
  const leading = Array.from({ length: lead }, (_, i) => i);
  if ((lead === 1 && inner.length === 0) || (lead === 0 && inner.length === 1 && inner[0] === 0)) {
    const s = sumFirstAxis(g);
    if (s) return ops.reshape(s, target.shape, target);
  }
  if (inner.length === 0) return ops.reduceSum(g, leading, false);
  const r = ops.reduceSum(g, [...leading, ...inner], true);
  return lead === 0 ? r : ops.reshape(r, target.shape, target);
}

/**
 * Σ over axis 0 of g as [1, rows] · g[rows, rest] ([1, rest] out), or null where the rest is not static or small.
 * onnxruntime's GEMM does it 3-4× faster than its ReduceSum over axis 0 (bias gradients, batch-wide sums).
 */
function sumFirstAxis(g: Tensor): Tensor | null {
  if (g.rank < 2 || !isFloat(g.dtype) || !isStatic(g.shape.slice(1))) return null;
  const rest = (g.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  if (rest < 16 || dimEq(g.shape[0], 1)) return null;
  const flat = g.rank === 2 ? g : ops.reshape(g, [g.shape[0], rest]);
  const ones = ops.expand(g.graph.sharedConstant(1, [1, 1], g.dtype), [1, g.shape[0]], g);
  return ops.matmul(ones, flat);
}

function constInts(t: Tensor, what: string): number[] {
  if (t.kind !== 'constant' || !t.value) throw new Error(`grad: ${what} must be a constant (got ${t.name})`);
  return Array.from(t.value as BigInt64Array, Number);
}

/** Swap the last two axes. */
function swapLast(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 1], perm[t.rank - 2]] = [perm[t.rank - 2], perm[t.rank - 1]];
  return ops.transpose(t, perm);
}

/** Expands g (the gradient of a reduction over `axes`) back to x's shape. */
function unreduce(g: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const kept = keepdims ? g : ops.unsqueeze(g, axes);
  return ops.expand(kept, x.shape, x);
}

/** Only builds what is needed: lazily evaluated per-input gradients. */
function each(c: GradCtx, fs: ((() => Tensor | null) | null)[]): (Tensor | null)[] {
  return fs.map((f, i) => (c.needs[i] && f ? f() : null));
}

const rules: Record<string, GradRule> = {
  Add: (c) => each(c, [() => unbroadcast(c.gy[0]!, c.x[0]), () => unbroadcast(c.gy[0]!, c.x[1])]),
  Sub: (c) => each(c, [() => unbroadcast(c.gy[0]!, c.x[0]), () => ops.neg(unbroadcast(c.gy[0]!, c.x[1]))]),
  Mul: (c) => each(c, [() => unbroadcast(ops.mul(c.gy[0]!, c.x[1]), c.x[0]), () => unbroadcast(ops.mul(c.gy[0]!, c.x[0]), c.x[1])]),
  Div: (c) =>
    each(c, [
      () => unbroadcast(ops.div(c.gy[0]!, c.x[1]), c.x[0]),
      () => ops.neg(unbroadcast(ops.div(ops.mul(c.gy[0]!, c.y[0]), c.x[1]), c.x[1])),
    ]),
  Sum: (c) => c.x.map((x, i) => (c.needs[i] ? unbroadcast(c.gy[0]!, x) : null)),
  Neg: (c) => [ops.neg(c.gy[0]!)],
  Identity: (c) => [c.gy[0]],
  // g · [y > 0] as a multiply by the cast comparison: onnxruntime's Where costs more than Cast and Mul together.
  // The values are Where's except that an infinite or NaN g at y = 0 gives NaN (0 · ∞), where training has
  // already diverged, and that a negative g gives −0 there.
  Relu: (c) => [ops.mul(c.gy[0]!, ops.cast(ops.greater(c.y[0], 0), c.y[0].dtype))],
  Sigmoid: (c) => [ops.mul(c.gy[0]!, ops.mul(c.y[0], ops.sub(1, c.y[0])))],
  Tanh: (c) => [ops.mul(c.gy[0]!, ops.sub(1, ops.mul(c.y[0], c.y[0])))],
  Softplus: (c) => [ops.mul(c.gy[0]!, ops.sigmoid(c.x[0]))],
  Exp: (c) => [ops.mul(c.gy[0]!, c.y[0])],
  Log: (c) => [ops.div(c.gy[0]!, c.x[0])],
  Sqrt: (c) => [ops.div(ops.mul(c.gy[0]!, 0.5), c.y[0])],
  Abs: (c) => [ops.mul(c.gy[0]!, ops.sign(c.x[0]))],
  Pow: (c) => {
    const p = Number(c.x[1].value?.[0]);
    if (c.x[1].kind !== 'constant' || c.x[1].value!.length !== 1) throw new Error('grad(Pow): exponent must be a scalar constant');
    return each(c, [() => ops.mul(c.gy[0]!, ops.mul(ops.pow(c.x[0], p - 1), p)), null]);
  },
  // Gradient passes where the value was not clipped (PyTorch clamp: boundaries included).
  Clip: (c) => each(c, [() => ops.where(ops.equal(c.x[0], c.y[0]), c.gy[0]!, 0), null, null]),
  // Ties send the whole gradient to the first operand.
  Max: (c) => minMax(c),
  Min: (c) => minMax(c),
  Cast: (c) => [isFloat(c.x[0].dtype) ? ops.cast(c.gy[0]!, c.x[0].dtype) : null],

  MatMul: (c) => {
    const [a, b] = c.x;
    const g = c.gy[0]!;
    if (a.rank === 2 && b.rank === 2) return each(c, [() => ops.gemm(g, b, false, true), () => ops.gemm(a, g, true, false)]);
    if (b.rank === 2) {
      // [..., K] @ [K, N]: transpose the small weight, and fold the batch dims into one Gemm for dB.
      const K = b.shape[0];
      const N = b.shape[1];
      return each(c, [
        () => ops.matmul(g, ops.transpose(b)),
        () => ops.gemm(ops.reshape(a, [-1, K]), ops.reshape(g, [-1, N]), true, false),
      ]);
    }
    return each(c, [() => unbroadcast(ops.matmul(g, swapLast(b)), a), () => unbroadcast(ops.matmul(swapLast(a), g), b)]);
  },
  Gemm: (c) => {
    const tA = (c.node.attrs.transA as { v: number } | undefined)?.v === 1;
    const tB = (c.node.attrs.transB as { v: number } | undefined)?.v === 1;
    const [a, b] = c.x;
    const g = c.gy[0]!;
    return each(c, [
      () => (tA ? ops.gemm(b, g, tB, true) : ops.gemm(g, b, false, !tB)),
      () => (tB ? ops.gemm(g, a, true, tA) : ops.gemm(a, g, !tA, false)),
    ]);
  },

  ReduceSum: (c) => {
    const axes = constInts(c.x[1], 'ReduceSum axes');
    const keep = (c.node.attrs.keepdims as { v: number }).v === 1;
    return each(c, [() => unreduce(c.gy[0]!, c.x[0], normAxes('grad', axes, c.x[0].rank), keep), null]);
  },
  ReduceMean: (c) => {
    const x = c.x[0];
    const axes = normAxes('grad', (c.node.attrs.axes as { v: number[] }).v, x.rank);
    const keep = (c.node.attrs.keepdims as { v: number }).v === 1;
    const reduced: Dim[] = axes.map((a) => x.shape[a]);
    // Scale the small gradient before expanding it; the count is read at run time if it is symbolic.
    let scaled: Tensor;
    if (isStatic(reduced)) scaled = ops.mul(c.gy[0]!, 1 / (reduced as number[]).reduce((p, q) => p * q, 1));
    else {
      // size(y)/size(x) depends on shapes only: one ratio per shape pair is shared by all such reductions.
      const key = `meanratio|${x.dtype}|${x.shape.join(',')}|${axes.join(',')}`;
      let ratio = x.graph.memo.get(key);
      if (!ratio) {
        ratio = ops.div(ops.cast(ops.size(c.y[0]), x.dtype), ops.cast(ops.size(x), x.dtype));
        x.graph.memo.set(key, ratio);
      }
      scaled = ops.mul(c.gy[0]!, ratio);
    }
    return [unreduce(scaled, x, axes, keep)];
  },
  Softmax: (c) => {
    const axis = (c.node.attrs.axis as { v: number }).v;
    const y = c.y[0];
    const gy = ops.mul(c.gy[0]!, y);
    return [ops.sub(gy, ops.mul(y, ops.reduceSum(gy, [axis], true)))];
  },

  Reshape: (c) => each(c, [() => ops.reshape(c.gy[0]!, c.x[0].shape, c.x[0]), null]),
  Transpose: (c) => {
    const perm = (c.node.attrs.perm as { v: number[] }).v;
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [ops.transpose(c.gy[0]!, inv)];
  },
  Unsqueeze: (c) => each(c, [() => ops.squeeze(c.gy[0]!, constInts(c.x[1], 'Unsqueeze axes')), null]),
  Squeeze: (c) => each(c, [() => ops.unsqueeze(c.gy[0]!, constInts(c.x[1], 'Squeeze axes')), null]),
  Concat: (c) => {
    const axis = (c.node.attrs.axis as { v: number }).v;
    const sizes = c.x.map((x) => x.shape[axis]);
    if (!isStatic(sizes)) throw new Error(`grad(Concat): concatenated dims must be static, got [${sizes.join(', ')}]`);
    const parts = ops.split(c.gy[0]!, axis, sizes as number[]);
    return parts.map((p, i) => (c.needs[i] ? p : null));
  },
  Split: (c) => {
    const axis = (c.node.attrs.axis as { v: number }).v;
    const parts = c.gy.map((g, i) => g ?? ops.zerosLike(c.y[i]));
    return each(c, [() => ops.concat(parts, axis), null]);
  },
  Slice: (c) => {
    const x = c.x[0];
    const [s] = constInts(c.x[1], 'Slice starts');
    const [e] = constInts(c.x[2], 'Slice ends');
    const [axis] = constInts(c.x[3], 'Slice axes');
    const dim = x.shape[axis] as number;
    return each(c, [() => ops.padAxis(c.gy[0]!, axis, s, dim - e), null, null, null]);
  },
  Expand: (c) => each(c, [() => unbroadcast(c.gy[0]!, c.x[0]), null]),
  Where: (c) => {
    const [cond, a, b] = c.x;
    const g = c.gy[0]!;
    return each(c, [null, () => unbroadcast(ops.where(cond, g, 0), a), () => unbroadcast(ops.where(cond, 0, g), b)]);
  },
  Gather: (c) => {
    const [data, idx] = c.x;
    const axis = (c.node.attrs.axis as { v: number }).v;
    return each(c, [() => gatherGrad(data, idx, c.gy[0]!, axis), null]);
  },
};

function minMax(c: GradCtx): (Tensor | null)[] {
  const [a, b] = c.x;
  const first = ops.equal(a, c.y[0]);
  const g = c.gy[0]!;
  return each(c, [() => unbroadcast(ops.where(first, g, 0), a), () => unbroadcast(ops.where(first, 0, g), b)]);
}

/** Scatter-add of g back into zeros shaped like data; repeated indices accumulate (ScatterND reduction 'add'). */
/**
 * Gather's gradient sums g over the positions that read each row of data. Where indices may repeat (runtime indices,
 * or constants with repeats) it is a ScatterElements 'add', which onnxruntime runs sequentially: exact and the same
 * on every run. Its ScatterND 'add' is multi-threaded without atomics and loses updates on repeats at scale (seen
 * here: identical runs differed by 7.5 with 2 threads), so it is used only for constant indices that never repeat.
 * On CUDA both scatter-adds are atomic: there (Graph.orderedSums) constant repeated indices get a fixed-order sum.
 */
function gatherGrad(data: Tensor, idx: Tensor, g: Tensor, axis: number): Tensor {
  if (constantUnique(idx, data.shape[axis])) return scatterGrad(data, ops.cast(idx, 'int64'), g, axis);
  if (data.graph.orderedSums) {
    const ordered = treeGrad(data, idx, g, axis) ?? oneHotGrad(data, idx, g, axis);
    if (ordered) return ordered;
  }
  const r = idx.rank;
  const pre = g.shape.slice(0, axis);
  const post = g.shape.slice(axis + r);
  const flat = r === 1 ? g : ops.reshape(g, [...pre, -1, ...post]); // index dims flattened into one
  const i64 = ops.cast(idx, 'int64');
  const line = ops.reshape(i64, flat.shape.map((_, k) => (k === axis ? -1 : 1))); // along `axis`, 1 elsewhere
  return ops.scatterElementsAdd(ops.zerosLike(data), ops.expand(line, flat.shape, flat), flat, axis);
}

/**
 * Gather's gradient for constant indices with repeats, summed in the fixed pairwise order of row-sum-tree.ts, with the
 * plan as constants (Graph.orderedSums). Needs static dims before the gathered axis (a zero slice is appended there).
 */
function treeGrad(data: Tensor, idx: Tensor, g: Tensor, axis: number): Tensor | null {
  const n = data.shape[axis];
  const pre = g.shape.slice(0, axis);
  const post = data.shape.slice(axis + 1);
  if (idx.kind !== 'constant' || !idx.value || typeof n !== 'number' || !isStatic(pre) || !isStatic(post)) return null;
  const values = Array.from(idx.value as ArrayLike<number | bigint>, (v) => (Number(v) < 0 ? Number(v) + n : Number(v)));
  const k = values.length;
  // Slots in order of first occurrence (slot 0 is the planner's padding slot and stays unused).
  const slotOf = new Int32Array(n);
  const first = new Int32Array(2 * (n + 1));
  const repPos = new Int32Array(2 * k);
  const repSlot = new Int32Array(2 * k);
  let U = 1;
  let R = 0;
  values.forEach((v, p) => {
    if (slotOf[v] === 0) {
      slotOf[v] = U;
      first[2 * U++] = p;
    } else {
      repPos[2 * R] = p;
      repSlot[2 * R++] = slotOf[v];
    }
  });
  const plan = new TreePlanner().plan(k, U, first, R, repPos, repSlot, 32);
  const gr = data.graph;
  const i64 = (x: ArrayLike<number | bigint>) => gr.constant(Array.from(x, Number), [x.length], 'int64');
  const zeroShape = [...pre, 1, ...post] as number[];
  const zero = gr.constant(new Array<number>(zeroShape.reduce((a, b) => a * b, 1)).fill(0), zeroShape, g.dtype);
  const rounds = plan.a.filter((a) => a.length > 0).map((a, r): [Tensor, Tensor] => [i64(a), i64(plan.b[r])]);
  // A value never gathered reads V_0's zero slice (at k).
  const final = Array.from({ length: n }, (_, v) => (slotOf[v] ? Number(plan.final[slotOf[v]]) : k));
  return pairwiseSums(ops.reshape(g, [...pre, k, ...post]), zero, axis, rounds, i64(final));
}

/**
 * Gather's gradient for constant indices with repeats as a product with their one-hot matrix, Sᵀ·g along `axis`: a
 * fixed summation order where the scatter-add would be atomic (Graph.orderedSums). Null where the shapes do not allow
 * it (runtime indices, a symbolic gathered axis or trailing dims); those keep the ScatterElements form.
 */
function oneHotGrad(data: Tensor, idx: Tensor, g: Tensor, axis: number): Tensor | null {
  const n = data.shape[axis];
  const post = data.shape.slice(axis + 1);
  if (idx.kind !== 'constant' || !idx.value || typeof n !== 'number' || !isStatic(post)) return null;
  const values = Array.from(idx.value as ArrayLike<number | bigint>, (v) => (Number(v) < 0 ? Number(v) + n : Number(v)));
  const k = values.length;
  if (n * k > 1 << 22) return null;
  const st = new Array<number>(n * k).fill(0); // Sᵀ [n, k]
  values.forEach((v, j) => (st[v * k + j] = 1));
  const p = (post as number[]).reduce((a, b) => a * b, 1);
  const pre = g.shape.slice(0, axis);
  const flat = ops.reshape(g, [...pre, k, p]); // the index dims in one, the trailing dims in one
  const sum = ops.matmul(data.graph.constant(st, [n, k], g.dtype), flat); // [..., n, p]
  return ops.reshape(sum, data.shape);
}

/** True for constant indices none of which repeats (then a parallel scatter cannot race). */
function constantUnique(idx: Tensor, n: Dim): boolean {
  if (idx.kind !== 'constant' || !idx.value || typeof n !== 'number') return false;
  const seen = new Uint8Array(n);
  for (const v of Array.from(idx.value as ArrayLike<number | bigint>, Number)) {
    const i = v < 0 ? v + n : v;
    if (seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

function scatterGrad(data: Tensor, idx: Tensor, g: Tensor, axis: number): Tensor {
  const r = idx.rank;
  if (axis === 0) return ops.scatterNDAdd(ops.zerosLike(data), ops.unsqueeze(idx, -1), g);
  // Move the gathered axis to the front of data (and the index dims to the front of g), scatter, move back.
  const dPerm = [axis, ...data.shape.map((_, i) => i).filter((i) => i !== axis)];
  const gPerm = [
    ...Array.from({ length: r }, (_, i) => axis + i),
    ...Array.from({ length: axis }, (_, i) => i),
    ...Array.from({ length: g.rank - axis - r }, (_, i) => axis + r + i),
  ];
  const zeros = ops.expand(data.graph.sharedConstant(0, [], data.dtype), dPerm.map((p) => data.shape[p]), data);
  const sc = ops.scatterNDAdd(zeros, ops.unsqueeze(idx, -1), ops.transpose(g, gPerm));
  const inv = new Array<number>(dPerm.length);
  dPerm.forEach((p, i) => (inv[p] = i));
  return ops.transpose(sc, inv);
}

/** Ops whose outputs carry no gradient. */
const NO_GRAD = new Set(['Greater', 'Equal', 'Shape', 'Size', 'Sign']);

export function gradRule(op: string): GradRule | null | undefined {
  if (NO_GRAD.has(op)) return null;
  return rules[op];
}

/** The op types that have a gradient rule (for coverage checks). */
export function gradRuleOps(): string[] {
  return Object.keys(rules).sort();
}

/** Test-only hook: replaces one rule and returns a function that restores the original. */
export function overrideGradRuleForTest(op: string, rule: GradRule): () => void {
  const old = rules[op];
  rules[op] = rule;
  return () => {
    if (old) rules[op] = old;
    else delete rules[op];
  };
}
