// ONNX serialisation through onnx-proto's static protobufjs schema. Only nodes that the outputs depend on are
// emitted; constants become initializers, symbolic dims become dim_param.
import onnxProto from 'onnx-proto';
import type { ConstData, DType, Graph, Node, Tensor } from './graph.js';
import { toConstData } from './graph.js';
import { onnxDataType } from './ops.js';

const { onnx } = onnxProto;

/** Opset 17: ScatterND reduction 'add' (16), Shape start/end (15), ReduceSum axes-as-input (13). */
export const DEFAULT_OPSET = 17;

export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

export interface ToOnnxOptions {
  outputs: Record<string, Tensor>;
  /** Graph inputs in this order (default: every input the outputs depend on, in creation order). */
  inputs?: Tensor[];
  /** Inputs stored in the model as initializers instead (export with weights inside). */
  initializers?: Map<Tensor, TypedArray>;
  opset?: number;
  graphName?: string;
  /** The model's metadata_props (key → value), in this order. */
  metadata?: Record<string, string>;
}

/** Nodes needed for `outputs`, in creation (topological) order, plus the leaf tensors they read. */
export function reachable(outputs: readonly Tensor[]): { nodes: Node[]; leaves: Tensor[] } {
  const seenNodes = new Set<Node>();
  const seenLeaves = new Set<Tensor>();
  const stack = [...outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (t.producer) {
      if (seenNodes.has(t.producer)) continue;
      seenNodes.add(t.producer);
      for (const i of t.producer.inputs) stack.push(i);
    } else seenLeaves.add(t);
  }
  const nodes = [...seenNodes].sort((a, b) => a.id - b.id);
  const leaves = [...seenLeaves];
  return { nodes, leaves };
}

function valueInfo(name: string, t: { shape: readonly (number | string)[]; dtype: DType }) {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxDataType(t.dtype),
        shape: { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** A byte view (no copy: the protobuf writer copies it into the output buffer). */
function rawBytes(data: ConstData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(name: string, shape: readonly number[], dtype: DType, data: ConstData) {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`toOnnx: initializer ${name} has ${data.length} values, shape [${shape.join(', ')}] needs ${expected}`);
  return { name, dims: [...shape], dataType: onnxDataType(dtype), rawData: rawBytes(data) };
}

function checkData(t: Tensor, data: TypedArray): ConstData {
  const ok: Record<DType, (d: TypedArray) => boolean> = {
    float32: (d) => d instanceof Float32Array,
    float64: (d) => d instanceof Float64Array,
    int64: (d) => d instanceof BigInt64Array,
    int32: (d) => d instanceof Int32Array,
    bool: (d) => d instanceof Uint8Array,
    uint8: (d) => d instanceof Uint8Array,
  };
  if (ok[t.dtype](data)) return data;
  if (t.dtype === 'int64' || data instanceof BigInt64Array) throw new Error(`toOnnx: initializer for ${t.name} (${t.dtype}) has the wrong array type`);
  return toConstData(data as ArrayLike<number>, t.dtype);
}

function attribute(name: string, a: Node['attrs'][string]) {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.v };
    case 'float':
      return { name, type: T.FLOAT, f: a.v };
    case 'ints':
      return { name, type: T.INTS, ints: a.v };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.v) };
  }
}

export function toOnnx(g: Graph, opts: ToOnnxOptions): Uint8Array {
  const outEntries = Object.entries(opts.outputs);
  if (outEntries.length === 0) throw new Error('toOnnx: no outputs');
  for (const [, t] of outEntries) if (t.graph !== g) throw new Error(`toOnnx: output ${t.name} belongs to another graph`);
  const { nodes, leaves } = reachable(outEntries.map(([, t]) => t));
  const inits = opts.initializers ?? new Map<Tensor, TypedArray>();

  const leafInputs = leaves.filter((t) => t.kind === 'input' && !inits.has(t));
  let inputs: Tensor[];
  if (opts.inputs) {
    inputs = opts.inputs.filter((t) => !inits.has(t));
    const missing = leafInputs.filter((t) => !inputs.includes(t));
    if (missing.length) throw new Error(`toOnnx: outputs depend on inputs not listed: ${missing.map((t) => t.name).join(', ')}`);
  } else {
    const order = new Map(g.inputs.map((t, i) => [t, i]));
    inputs = leafInputs.sort((a, b) => order.get(a)! - order.get(b)!);
  }

  // Outputs are named by their keys: an op output is renamed in place (no Identity copy in the session); an input,
  // a constant, or a tensor already exported under another key goes through an Identity.
  const used = new Set<string>([...nodes.flatMap((n) => n.outputs.map((t) => t.name)), ...leaves.map((t) => t.name)]);
  const rename = new Map<Tensor, string>();
  const identities: { from: Tensor; key: string }[] = [];
  const outputInfos = [];
  const seenKeys = new Set<string>();
  for (const [key, t] of outEntries) {
    if (seenKeys.has(key)) throw new Error(`toOnnx: duplicate output name ${key}`);
    seenKeys.add(key);
    if (key !== t.name && used.has(key)) throw new Error(`toOnnx: output name '${key}' clashes with a tensor of the graph`);
    if (t.kind === 'op') {
      if (!rename.has(t)) rename.set(t, key);
      else identities.push({ from: t, key });
    } else if (key !== t.name) identities.push({ from: t, key });
    // else: an input or constant exported under its own name needs no node.
    outputInfos.push(valueInfo(key, t));
  }
  const nameOf = (t: Tensor) => rename.get(t) ?? t.name;

  const nodeProtos = nodes.map((n) => ({
    name: n.name,
    opType: n.op,
    input: n.inputs.map(nameOf),
    output: n.outputs.map(nameOf),
    attribute: Object.keys(n.attrs)
      .sort()
      .map((k) => attribute(k, n.attrs[k])),
  }));
  for (const { from, key } of identities)
    nodeProtos.push({ name: `out_${key}`, opType: 'Identity', input: [nameOf(from)], output: [key], attribute: [] });

  const initializer = [];
  for (const t of leaves) {
    if (t.kind === 'constant') initializer.push(tensorProto(t.name, t.shape as number[], t.dtype, t.value!));
  }
  for (const [t, data] of inits) {
    if (!leaves.includes(t)) continue;
    if (!t.shape.every((d) => typeof d === 'number')) throw new Error(`toOnnx: initializer ${t.name} has symbolic shape`);
    initializer.push(tensorProto(t.name, t.shape as number[], t.dtype, checkData(t, data)));
  }
  initializer.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const model = {
    irVersion: 8,
    producerName: 'ge4rec',
    opsetImport: [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }],
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: opts.graphName ?? 'ge4rec',
      node: nodeProtos,
      input: inputs.map((t) => valueInfo(t.name, t)),
      output: outputInfos,
      initializer,
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
