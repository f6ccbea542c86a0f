// Reads the weights back out of a model this engine exported (model.onnx): every float initializer by name.
// A finished run keeps only model.onnx, so `ge4rec analyze` reloads the best weights from it.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { UserError } from '../util/errors.js';

const { onnx } = onnxProto;

export interface Initializer {
  dims: number[];
  data: Float32Array | Float64Array;
}

/** The float32/float64 initializers of an ONNX model file. */
export function readOnnxInitializers(path: string): Map<string, Initializer> {
  let model: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    model = onnx.ModelProto.decode(readFileSync(path));
  } catch (e) {
    throw new UserError(`${path}: not a readable ONNX model (${(e as Error).message})`);
  }
  const out = new Map<string, Initializer>();
  for (const t of model.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map((d) => Number(d));
    const n = dims.reduce((a, b) => a * b, 1);
    // rawData may be a view into a larger buffer (a Buffer from protobufjs): copy it to an aligned buffer of its own.
    const raw = t.rawData && t.rawData.length ? new Uint8Array(t.rawData) : null;
    let data: Float32Array | Float64Array;
    if (t.dataType === onnx.TensorProto.DataType.FLOAT) {
      data = raw ? new Float32Array(raw.buffer, 0, n) : Float32Array.from(t.floatData ?? []);
    } else if (t.dataType === onnx.TensorProto.DataType.DOUBLE) {
      data = raw ? new Float64Array(raw.buffer, 0, n) : Float64Array.from(t.doubleData ?? []);
    } else {
      continue;
    }
    if (data.length !== n) throw new UserError(`${path}: initializer ${t.name} has ${data.length} values for shape [${dims.join(', ')}]`);
    out.set(t.name ?? '', { dims, data });
  }
  return out;
}
