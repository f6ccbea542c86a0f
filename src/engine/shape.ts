// Static shape inference. A Dim is a number or a symbolic name ('B'); products of symbols with numbers are kept
// in a canonical string form ('16*B', 'B*U') so that reshapes through flattened symbolic dims still compare equal.

export type Dim = number | string;
export type Shape = readonly Dim[];

interface Mono {
  coef: number;
  syms: string[];
}

function parse(d: Dim): Mono {
  if (typeof d === 'number') return { coef: d, syms: [] };
  let coef = 1;
  const syms: string[] = [];
  for (const part of d.split('*')) {
    if (/^\d+$/.test(part)) coef *= Number(part);
    else syms.push(part);
  }
  syms.sort();
  return { coef, syms };
}

function fmt(m: Mono): Dim {
  if (m.syms.length === 0 || m.coef === 0) return m.coef;
  return (m.coef === 1 ? '' : `${m.coef}*`) + m.syms.join('*');
}

/** Canonical form of a dim (so 'B*2' and '2*B' compare equal). */
export function canonDim(d: Dim): Dim {
  return fmt(parse(d));
}

export function dimEq(a: Dim, b: Dim): boolean {
  return canonDim(a) === canonDim(b);
}

export function dimMul(a: Dim, b: Dim): Dim {
  const x = parse(a);
  const y = parse(b);
  return fmt({ coef: x.coef * y.coef, syms: [...x.syms, ...y.syms].sort() });
}

/** a / b, or null when it does not divide exactly (symbolically). */
export function dimDiv(a: Dim, b: Dim): Dim | null {
  const x = parse(a);
  const y = parse(b);
  if (y.coef === 0 || x.coef % y.coef !== 0) return null;
  const syms = [...x.syms];
  for (const s of y.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return null;
    syms.splice(i, 1);
  }
  return fmt({ coef: x.coef / y.coef, syms });
}

export function sizeOf(shape: Shape): Dim {
  let n: Dim = 1;
  for (const d of shape) n = dimMul(n, d);
  return n;
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function fmtShape(shape: Shape): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : `'${d}'`)).join(', ')}]`;
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

function fail(op: string, msg: string): never {
  throw new ShapeError(`${op}: ${msg}`);
}

/** Normalises an axis against a rank (negative axes count from the end). */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) fail(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normAxis(op, a, rank));
  if (new Set(out).size !== out.length) fail(op, `repeated axis in [${axes.join(', ')}]`);
  return out.sort((a, b) => a - b);
}

/** Numpy broadcasting of any number of shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const e = canonDim(s[k]);
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) fail(op, `cannot broadcast shapes ${shapes.map(fmtShape).join(' and ')} (dim ${i}: ${d} vs ${e})`);
    }
    out.push(d);
  }
  return out;
}

/** Numpy matmul for operands of rank >= 2 (1-D operands are lifted by the op before reaching here). */
export function matmulShape(a: Shape, b: Shape): Dim[] {
  if (a.length < 2 || b.length < 2) fail('matmul', `operands must have rank >= 2, got ${fmtShape(a)} and ${fmtShape(b)}`);
  const k1 = a[a.length - 1];
  const k2 = b[b.length - 2];
  if (!dimEq(k1, k2)) fail('matmul', `inner dims differ: ${fmtShape(a)} @ ${fmtShape(b)}`);
  let batch: Dim[];
  try {
    batch = broadcastShapes('matmul', a.slice(0, -2), b.slice(0, -2));
  } catch {
    fail('matmul', `batch dims do not broadcast: ${fmtShape(a)} @ ${fmtShape(b)}`);
  }
  return [...batch, canonDim(a[a.length - 2]), canonDim(b[b.length - 1])];
}

export function reduceShape(op: string, x: Shape, axes: readonly number[], keepdims: boolean): Dim[] {
  const ax = normAxes(op, axes, x.length);
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (ax.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(d);
  });
  return out;
}

/** Target shape of a reshape with at most one -1 (inferred, symbolically if needed). */
export function reshapeShape(x: Shape, target: readonly Dim[]): Dim[] {
  const neg = target.filter((d) => d === -1).length;
  if (neg > 1) fail('reshape', `at most one -1 allowed, got ${fmtShape(target)}`);
  for (const d of target) {
    if (typeof d === 'number' && (d < -1 || !Number.isInteger(d))) fail('reshape', `bad dim ${d} in ${fmtShape(target)}`);
    if (d === 0) fail('reshape', `0 dims are not supported in ${fmtShape(target)}`);
  }
  const total = sizeOf(x);
  const known = sizeOf(target.filter((d) => d !== -1));
  if (neg === 1) {
    const rest = dimDiv(total, known);
    if (rest === null) fail('reshape', `cannot reshape ${fmtShape(x)} to ${fmtShape(target)}`);
    return target.map((d) => (d === -1 ? rest : canonDim(d)));
  }
  if (!dimEq(total, known)) fail('reshape', `cannot reshape ${fmtShape(x)} (size ${total}) to ${fmtShape(target)} (size ${known})`);
  return target.map(canonDim);
}

export function transposeShape(x: Shape, perm: readonly number[]): Dim[] {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.length || sorted.some((p, i) => p !== i))
    fail('transpose', `perm [${perm.join(', ')}] is not a permutation of rank ${x.length} (shape ${fmtShape(x)})`);
  return perm.map((p) => x[p]);
}

export function concatShape(xs: Shape[], axis: number): Dim[] {
  if (xs.length === 0) fail('concat', 'no inputs');
  const rank = xs[0].length;
  const a = normAxis('concat', axis, rank);
  let sum: Dim = 0;
  let symbolic = false;
  const out = [...xs[0]];
  for (const s of xs) {
    if (s.length !== rank) fail('concat', `ranks differ: ${xs.map(fmtShape).join(', ')}`);
    s.forEach((d, i) => {
      if (i !== a && !dimEq(d, xs[0][i])) fail('concat', `shapes differ off axis ${a}: ${xs.map(fmtShape).join(', ')}`);
    });
    if (typeof s[a] === 'number' && !symbolic) sum = (sum as number) + (s[a] as number);
    else symbolic = true;
  }
  if (symbolic) {
    // Sum of symbolic dims: only the single-input case keeps its name; otherwise a compound name.
    const names = xs.map((s) => String(s[a]));
    out[a] = xs.length === 1 ? xs[0][a] : `(${names.join('+')})`;
  } else out[a] = sum;
  return out;
}

/** Static [start, end) for slicing a numeric dim, numpy-style clamping and negative indices. */
export function sliceBounds(dim: number, start: number, end: number): [number, number] {
  const norm = (v: number) => (v < 0 ? Math.max(0, v + dim) : Math.min(v, dim));
  const s = norm(start);
  const e = Math.max(s, norm(end));
  return [s, e];
}

export function unsqueezeShape(x: Shape, axes: readonly number[]): Dim[] {
  const rank = x.length + axes.length;
  const ax = normAxes('unsqueeze', axes, rank);
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : x[k++]);
  return out;
}

export function squeezeShape(x: Shape, axes: readonly number[]): Dim[] {
  const ax = normAxes('squeeze', axes, x.length);
  for (const a of ax) if (x[a] !== 1) fail('squeeze', `dim ${a} of ${fmtShape(x)} is not 1`);
  return x.filter((_, i) => !ax.includes(i));
}

export function gatherShape(data: Shape, indices: Shape, axis: number): Dim[] {
  const a = normAxis('gather', axis, data.length);
  return [...data.slice(0, a), ...indices, ...data.slice(a + 1)];
}

/** ONNX Expand: bidirectional broadcast of x against the target shape. */
export function expandShape(x: Shape, target: Shape): Dim[] {
  return broadcastShapes('expand', x, target);
}
