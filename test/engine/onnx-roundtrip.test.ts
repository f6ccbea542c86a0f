// Serialised graphs load in onnxruntime and give the values of a plain TypeScript computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { Graph } from '../../src/engine/graph.js';
import * as ops from '../../src/engine/ops.js';
import { toOnnx } from '../../src/engine/onnx.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { grad } from '../../src/engine/autodiff.js';
import { Rng } from '../../src/util/rng.js';

const { onnx } = onnxProto;

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])), `at ${i}: ${actual[i]} vs ${expected[i]}`);
}

function randn(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.normal());
}

test('MLP-like forward with symbolic batch matches a TS computation', async () => {
  const rng = new Rng(1);
  const B = 5, I = 4, H = 3;
  const xv = randn(rng, B * I), wv = randn(rng, I * H), bv = randn(rng, H);
  const G = new Graph();
  const x = G.input('x', ['B', I]);
  const w = G.constant(wv, [I, H]);
  const b = G.constant(bv, [H]);
  const h = x.matmul(w).add(b).relu();
  const p = h.sum([1]).sigmoid();
  const out = await evaluate({ p, h }, { x: { data: xv, shape: [B, I] } });
  const hRef: number[] = [];
  const pRef: number[] = [];
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let c = 0; c < H; c++) {
      let v = bv[c];
      for (let k = 0; k < I; k++) v += xv[r * I + k] * wv[k * H + c];
      v = Math.max(0, v);
      hRef.push(v);
      s += v;
    }
    pRef.push(1 / (1 + Math.exp(-s)));
  }
  assert.deepEqual(out.h.shape, [B, H]);
  assert.deepEqual(out.p.shape, [B]);
  close(out.h.data as Float32Array, hRef);
  close(out.p.data as Float32Array, pRef);
});

test('shape ops, gather with repeated indices, where, softmax, concat/split in float64', async () => {
  const G = new Graph({ floatType: 'float64' });
  const table = G.input('table', [4, 2]);
  const idx = G.input('idx', ['B'], 'int64');
  const e = table.gather(idx); // [B, 2]
  const cat = ops.concat([e, e.mul(2)], 1); // [B, 4]
  const [l, r] = cat.split(1, [1, 3]);
  const sm = r.softmax(-1);
  const wh = ops.where(l.greater(0), l, l.neg());
  const flat = cat.reshape([-1]);
  const tv = [1, -2, 3, 4, -5, 6, 7, -8];
  const iv = [2, 0, 2];
  const out = await evaluate({ wh, sm, flat }, { table: { data: tv, shape: [4, 2] }, idx: { data: iv, shape: [3] } });
  const rows = iv.map((i) => [tv[2 * i], tv[2 * i + 1]]);
  close(out.flat.data as Float64Array, rows.flatMap(([a, b]) => [a, b, 2 * a, 2 * b]), 1e-12);
  close(out.wh.data as Float64Array, rows.map(([a]) => Math.abs(a)), 1e-12);
  const smRef = rows.flatMap(([a, b]) => {
    const v = [b, 2 * a, 2 * b];
    const m = Math.max(...v);
    const ex = v.map((q) => Math.exp(q - m));
    const s = ex.reduce((p, q) => p + q, 0);
    return ex.map((q) => q / s);
  });
  close(out.sm.data as Float64Array, smRef, 1e-12);
  assert.deepEqual(out.flat.shape, [12]);
});

test('reshape through a flattened symbolic dim and expand to a symbolic shape', async () => {
  const G = new Graph();
  const x = G.input('x', ['B', 3, 2]);
  const y = x.reshape([-1, 2]).mul(10).reshape(['B', 3, 2]).transpose([0, 2, 1]);
  const v = G.input('v', [1, 3]);
  const z = v.unsqueeze(0).expand(['B', 2, 3]).add(y);
  const xv = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const out = await evaluate({ z }, { x: { data: xv, shape: [2, 3, 2] }, v: { data: [100, 200, 300], shape: [1, 3] } });
  const ref: number[] = [];
  for (let b = 0; b < 2; b++) for (let j = 0; j < 2; j++) for (let i = 0; i < 3; i++) ref.push(10 * xv[b * 6 + i * 2 + j] + 100 * (i + 1));
  assert.deepEqual(out.z.shape, [2, 2, 3]);
  close(out.z.data as Float32Array, ref);
});

test('toOnnx: dead code is dropped, symbolic dims are dim_param, inputs become initializers, bytes are deterministic', async () => {
  const build = () => {
    const G = new Graph();
    const x = G.input('x', ['B', 2]);
    const w = G.input('w', [2, 2]);
    const unused = G.input('unused', [7]);
    unused.exp().log(); // dead
    x.tanh(); // dead
    const y = x.matmul(w).relu();
    return { G, x, w, y };
  };
  const a = build();
  const bytes = toOnnx(a.G, { outputs: { y: a.y } });
  const b2 = build();
  assert.deepEqual(bytes, toOnnx(b2.G, { outputs: { y: b2.y } }));
  const m = onnx.ModelProto.decode(bytes);
  assert.deepEqual(m.graph!.node!.map((n) => n.opType), ['MatMul', 'Relu']);
  assert.deepEqual(m.graph!.node![1].output, ['y']);
  assert.deepEqual(m.graph!.input!.map((i) => i.name), ['x', 'w']);
  assert.equal(m.graph!.input![0].type!.tensorType!.shape!.dim![0].dimParam, 'B');

  const withW = toOnnx(a.G, { outputs: { y: a.y }, initializers: new Map([[a.w, new Float32Array([1, 2, -3, 4])]]) });
  const sess = await ort.InferenceSession.create(withW);
  assert.deepEqual(sess.inputNames, ['x']);
  const r = await sess.run({ x: new ort.Tensor('float32', new Float32Array([1, 1, 2, 0]), [2, 2]) });
  close(r.y.data as Float32Array, [0, 6, 2, 4]);
});

test('outputs: renamed in place, shared by two keys, an input or a constant, and consumed downstream', async () => {
  const G = new Graph();
  const x = G.input('x', [3]);
  const h = x.mul(2);
  const z = h.add(1);
  const c = G.constant([5, 6], [2]);
  const bytes = toOnnx(G, { outputs: { h, h2: h, z, xo: x, c } });
  const m = onnx.ModelProto.decode(bytes);
  assert.equal(m.graph!.node!.filter((n) => n.opType === 'Identity').length, 3);
  const sess = await ort.InferenceSession.create(bytes);
  const r = await sess.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3]), [3]) });
  close(r.h.data as Float32Array, [2, 4, 6]);
  close(r.h2.data as Float32Array, [2, 4, 6]);
  close(r.z.data as Float32Array, [3, 5, 7]);
  close(r.xo.data as Float32Array, [1, 2, 3]);
  close(r.c.data as Float32Array, [5, 6]);
  assert.throws(() => toOnnx(G, { outputs: { [h.producer!.inputs[1].name]: z } }), /clashes/);
});

test('an input exported under its own name needs no node', async () => {
  const G = new Graph();
  const x = G.input('x', [2]);
  const y = x.add(1);
  const m = onnx.ModelProto.decode(toOnnx(G, { outputs: { x, y } }));
  assert.deepEqual(m.graph!.node!.map((n) => n.opType), ['Add']);
  const r = await evaluate({ x, y, [y.name]: y }, { x: { data: [1, 2], shape: [2] } });
  close(r[y.name].data as Float32Array, [2, 3]);
  close(r.x.data as Float32Array, [1, 2]);
  close(r.y.data as Float32Array, [2, 3]);
});

test('reshape needing run-time dims read from the inputs that define them', async () => {
  const G = new Graph();
  const x = G.input('x', ['B', 'U']);
  const flat = x.reshape([-1]);
  assert.deepEqual(flat.shape, ['B*U']);
  const back = flat.reshape(['U', 'B']); // two symbolic dims, neither in place: Shape nodes feed the target
  assert.deepEqual(back.shape, ['U', 'B']);
  const r = await evaluate({ back }, { x: { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] } });
  assert.deepEqual(r.back.shape, [3, 2]);
  close(r.back.data as Float32Array, [1, 2, 3, 4, 5, 6]);
});

test('float32 dropout and ReLU gradient: exactly x·mask·fround(1/(1−p)) and g·[y > 0]', async () => {
  const rng = new Rng(5);
  const B = 7, C = 33, p = 0.3;
  const G = new Graph();
  const x = G.input('x', ['B', C]);
  const m = G.input('m', ['B', C], 'uint8');
  const gIn = G.input('g', ['B', C]);
  const d = x.dropout(m, p);
  const y = x.relu();
  const [dx] = grad(y.mul(gIn).sum([0, 1]), [x]);
  const xv = Float32Array.from(randn(rng, B * C));
  const gv = Float32Array.from(randn(rng, B * C));
  const mv = Uint8Array.from({ length: B * C }, () => (rng.uniform() < p ? 0 : 1));
  const out = await evaluate({ d, dx }, { x: { data: xv, shape: [B, C] }, m: { data: mv, shape: [B, C] }, g: { data: gv, shape: [B, C] } });
  const scale = Math.fround(1 / (1 - p));
  const dv = out.d.data as Float32Array;
  const dxv = out.dx.data as Float32Array;
  for (let i = 0; i < B * C; i++) {
    assert.equal(dv[i], Math.fround(xv[i] * (mv[i] ? scale : 0)), `dropout at ${i}`);
    assert.ok(dxv[i] === (xv[i] > 0 ? gv[i] : 0), `relu grad at ${i}: ${dxv[i]}`); // −0 where g < 0 and y = 0
  }
});
