// The graph builder: a Graph owns ONNX-level nodes; a Tensor is an immutable handle to one value in it.
// Nodes are kept in creation order, which is a valid topological order (a node only sees earlier tensors),
// and generated names come from one counter, so the same build gives the same names and the same ONNX bytes.
import * as ops from './ops.js';
import type { TensorLike } from './ops.js';
import { fmtShape, type Dim, type Shape } from './shape.js';

export type { Dim, Shape } from './shape.js';
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';
export type FloatType = 'float32' | 'float64';

export type Attr =
  | { kind: 'int'; v: number }
  | { kind: 'float'; v: number }
  | { kind: 'ints'; v: number[] }
  | { kind: 'string'; v: string };
export type Attrs = Readonly<Record<string, Attr>>;

export type ConstData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** One ONNX node. `op` is the ONNX op_type (default domain). */
export interface Node {
  readonly id: number;
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly attrs: Attrs;
  readonly outputs: readonly Tensor[];
}

export type TensorKind = 'input' | 'constant' | 'op';

export class Tensor {
  /** For kind 'op': the producing node and which of its outputs this is. */
  producer: Node | null = null;
  outputIndex = 0;

  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: readonly Dim[],
    readonly dtype: DType,
    readonly kind: TensorKind,
    /** Values of a constant (typed to its dtype). */
    readonly value?: ConstData,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `Tensor(${this.name}, ${fmtShape(this.shape)}, ${this.dtype})`;
  }

  add(b: TensorLike): Tensor { return ops.add(this, b); }
  sub(b: TensorLike): Tensor { return ops.sub(this, b); }
  mul(b: TensorLike): Tensor { return ops.mul(this, b); }
  div(b: TensorLike): Tensor { return ops.div(this, b); }
  neg(): Tensor { return ops.neg(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softplus(): Tensor { return ops.softplus(this); }
  log(): Tensor { return ops.log(this); }
  exp(): Tensor { return ops.exp(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  pow(p: number): Tensor { return ops.pow(this, p); }
  square(): Tensor { return ops.square(this); }
  abs(): Tensor { return ops.abs(this); }
  matmul(b: Tensor): Tensor { return ops.matmul(this, b); }
  sum(axes?: number | readonly number[], keepdims = false): Tensor { return ops.reduceSum(this, axes, keepdims); }
  mean(axes?: number | readonly number[], keepdims = false): Tensor { return ops.reduceMean(this, axes, keepdims); }
  reshape(shape: readonly Dim[]): Tensor { return ops.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  slice(axis: number, start: number, end: number): Tensor { return ops.slice(this, axis, start, end); }
  split(axis: number, sizes: readonly number[]): Tensor[] { return ops.split(this, axis, sizes); }
  unsqueeze(axes: number | readonly number[]): Tensor { return ops.unsqueeze(this, axes); }
  squeeze(axes: number | readonly number[]): Tensor { return ops.squeeze(this, axes); }
  gather(indices: Tensor, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  expand(shape: readonly Dim[]): Tensor { return ops.expand(this, shape); }
  greater(b: TensorLike): Tensor { return ops.greater(this, b); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  dropout(mask: Tensor, p: number): Tensor { return ops.dropout(this, mask, p); }
  identity(): Tensor { return ops.identity(this); }
  clip(lo: number, hi: number): Tensor { return ops.clip(this, lo, hi); }
  maximum(b: TensorLike): Tensor { return ops.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops.minimum(this, b); }
}

export interface GraphOptions {
  floatType?: FloatType;
  /** Gradients that sum repeated reads must add in a fixed order: no scatter-add (CUDA's adds atomically). */
  orderedSums?: boolean;
}

export class Graph {
  readonly floatType: FloatType;
  readonly orderedSums: boolean;
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly constants: Tensor[] = [];
  private readonly used = new Set<string>();
  private counter = 0;
  /** Where each symbolic dim can be read at run time: the first input that has it, and the axis. */
  private readonly dimSources = new Map<string, { tensor: Tensor; axis: number }>();
  /** Memo tables for small derived values (constants, Shape nodes), so rules do not emit duplicates. */
  readonly memo = new Map<string, Tensor>();

  constructor(opts: GraphOptions = {}) {
    this.floatType = opts.floatType ?? 'float32';
    this.orderedSums = opts.orderedSums ?? false;
  }

  private freshName(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  input(name: string, shape: readonly Dim[], dtype?: DType): Tensor {
    if (this.used.has(name)) throw new Error(`Graph.input: name '${name}' is already used`);
    for (const d of shape)
      if (typeof d === 'number' ? !(Number.isInteger(d) && d >= 0) : !/^[A-Za-z_][A-Za-z0-9_]*$/.test(d))
        throw new Error(`Graph.input '${name}': bad dim ${JSON.stringify(d)} in ${fmtShape(shape)}`);
    this.used.add(name);
    const t = new Tensor(this, name, [...shape], dtype ?? this.floatType, 'input');
    this.inputs.push(t);
    shape.forEach((d, axis) => {
      if (typeof d === 'string' && !this.dimSources.has(d)) this.dimSources.set(d, { tensor: t, axis });
    });
    return t;
  }

  constant(value: number | ArrayLike<number>, shape?: readonly number[], dtype?: DType): Tensor {
    const dt = dtype ?? this.floatType;
    const shp = shape ? [...shape] : typeof value === 'number' ? [] : [value.length];
    const n = shp.reduce((a, b) => a * b, 1);
    // A single number with a shape fills it.
    const vals = typeof value === 'number' ? new Array<number>(n).fill(value) : Array.from(value);
    if (n !== vals.length) throw new Error(`Graph.constant: ${vals.length} values do not fill shape ${fmtShape(shp)}`);
    const data = toConstData(vals, dt);
    const t = new Tensor(this, this.freshName('const'), shp, dt, 'constant', data);
    this.constants.push(t);
    return t;
  }

  /** A constant shared by every caller asking for the same small value (keeps emitted graphs lean). */
  sharedConstant(value: number | readonly number[], shape: readonly number[], dtype: DType): Tensor {
    const key = `c|${dtype}|${shape.join(',')}|${typeof value === 'number' ? value : value.join(',')}`;
    let t = this.memo.get(key);
    if (!t) {
      t = this.constant(typeof value === 'number' ? [value] : value, shape, dtype);
      this.memo.set(key, t);
    }
    return t;
  }

  /** Adds one ONNX node; used by ops.ts. */
  addNode(op: string, inputs: readonly Tensor[], attrs: Attrs, outs: readonly { shape: readonly Dim[]; dtype: DType }[]): Tensor[] {
    for (const t of inputs)
      if (t.graph !== this) throw new Error(`${op}: input ${t.name} belongs to another graph`);
    const id = this.nodes.length;
    const name = this.freshName(op.toLowerCase());
    const outputs = outs.map((o, i) => new Tensor(this, outs.length === 1 ? name : `${name}:${i}`, [...o.shape], o.dtype, 'op'));
    const node: Node = { id, op, name, inputs: [...inputs], attrs, outputs };
    outputs.forEach((t, i) => {
      t.producer = node;
      t.outputIndex = i;
    });
    this.nodes.push(node);
    return outputs;
  }

  dimSource(sym: string): { tensor: Tensor; axis: number } | undefined {
    return this.dimSources.get(sym);
  }
}

export function toConstData(vals: ArrayLike<number>, dtype: DType): ConstData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(vals);
    case 'float64':
      return Float64Array.from(vals);
    case 'int64':
      return BigInt64Array.from(Array.from(vals, (v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(vals);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(vals);
  }
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}
