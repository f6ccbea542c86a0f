// Static shape inference of every op, with broadcasting, symbolic dims and the errors on bad shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/engine/graph.js';
import * as ops from '../../src/engine/ops.js';

const g = () => new Graph();

test('elementwise binary ops broadcast numpy-style, including symbolic dims and scalars', () => {
  const G = g();
  const a = G.input('a', [3, 1, 4]);
  const b = G.input('b', [2, 4]);
  assert.deepEqual(a.add(b).shape, [3, 2, 4]);
  assert.deepEqual(a.sub(b).shape, [3, 2, 4]);
  assert.deepEqual(b.mul(a).shape, [3, 2, 4]);
  assert.deepEqual(a.div(b).shape, [3, 2, 4]);
  const x = G.input('x', ['B', 1, 16]);
  const y = G.input('y', ['B', 39, 16]);
  assert.deepEqual(x.mul(y).shape, ['B', 39, 16]);
  assert.deepEqual(x.mul(0.5).shape, ['B', 1, 16]);
  assert.deepEqual(ops.sub(1, x).shape, ['B', 1, 16]);
  assert.equal(x.mul(0.5).dtype, 'float32');
});

test('broadcast mismatch names both shapes', () => {
  const G = g();
  const a = G.input('a', [3, 4]);
  const b = G.input('b', [2, 4]);
  assert.throws(() => a.add(b), /\[3, 4\].*\[2, 4\]/);
  const s = G.input('s', ['B', 4]);
  const t = G.input('t', ['U', 4]);
  assert.throws(() => s.mul(t), /\['B', 4\].*\['U', 4\]/);
});

test('unary ops keep shape; dtype checks', () => {
  const G = g();
  const x = G.input('x', ['B', 5]);
  for (const f of ['neg', 'relu', 'sigmoid', 'tanh', 'softplus', 'log', 'exp', 'sqrt', 'square', 'abs', 'identity'] as const)
    assert.deepEqual(x[f]().shape, ['B', 5], f);
  assert.deepEqual(x.pow(3).shape, ['B', 5]);
  const i = G.input('i', ['B'], 'int64');
  assert.throws(() => i.relu(), /float/);
  assert.throws(() => x.add(i), /dtypes differ/);
});

test('matmul: 2-D, batched with broadcasting, 1-D operands, errors', () => {
  const G = g();
  const x = G.input('x', ['B', 8]);
  const w = G.input('w', [8, 3]);
  assert.deepEqual(x.matmul(w).shape, ['B', 3]);
  const e = G.input('e', ['B', 5, 8]);
  assert.deepEqual(e.matmul(w).shape, ['B', 5, 3]);
  const k = G.input('k', [4, 1, 8, 2]);
  const m = G.input('m', [3, 6, 8]);
  assert.deepEqual(m.matmul(k).shape, [4, 3, 6, 2]);
  const v = G.input('v', [8]);
  assert.deepEqual(v.matmul(w).shape, [3]);
  assert.deepEqual(x.matmul(v).shape, ['B']);
  assert.throws(() => w.matmul(x), /inner dims/);
  const bad = G.input('bad', [2, 8, 3]);
  assert.throws(() => m.matmul(bad), /batch dims/);
});

test('reductions with axes and keepdims; softmax', () => {
  const G = g();
  const x = G.input('x', ['B', 4, 6]);
  assert.deepEqual(x.sum([1]).shape, ['B', 6]);
  assert.deepEqual(x.sum([1, -1], true).shape, ['B', 1, 1]);
  assert.deepEqual(x.mean().shape, []);
  assert.deepEqual(x.mean(0, true).shape, [1, 4, 6]);
  assert.throws(() => x.sum([3]), /axis 3 out of range/);
  assert.deepEqual(x.softmax(1).shape, ['B', 4, 6]);
});

test('reshape: -1 inference, symbolic dims copied and flattened', () => {
  const G = g();
  const x = G.input('x', ['B', 4, 6]);
  assert.deepEqual(x.reshape(['B', -1]).shape, ['B', 24]);
  assert.deepEqual(x.reshape([-1, 6]).shape, ['4*B', 6]);
  assert.deepEqual(x.reshape([-1, 6]).reshape(['B', 4, 6]).shape, ['B', 4, 6]);
  assert.deepEqual(x.reshape(['B', 2, 2, 6]).shape, ['B', 2, 2, 6]);
  assert.throws(() => x.reshape(['B', 5]), /cannot reshape/);
  assert.throws(() => x.reshape([-1, -1]), /one -1/);
  const s = G.input('s', [2, 3]);
  assert.deepEqual(s.reshape([3, 2]).shape, [3, 2]);
  assert.throws(() => s.reshape([4, 2]), /\[2, 3\]/);
});

test('transpose, concat, slice, split', () => {
  const G = g();
  const x = G.input('x', ['B', 4, 6]);
  assert.deepEqual(x.transpose([0, 2, 1]).shape, ['B', 6, 4]);
  assert.deepEqual(x.transpose().shape, [6, 4, 'B']);
  assert.throws(() => x.transpose([0, 0, 1]), /permutation/);
  const y = G.input('y', ['B', 2, 6]);
  assert.deepEqual(ops.concat([x, y], 1).shape, ['B', 6, 6]);
  assert.deepEqual(ops.concat([x, x], -1).shape, ['B', 4, 12]);
  assert.throws(() => ops.concat([x, y], 2), /differ/);
  assert.deepEqual(x.slice(2, 1, 4).shape, ['B', 4, 3]);
  assert.deepEqual(x.slice(-1, -2, 100).shape, ['B', 4, 2]);
  assert.throws(() => x.slice(0, 0, 1), /symbolic/);
  const parts = x.split(2, [1, 2, 3]);
  assert.deepEqual(parts.map((p) => p.shape), [['B', 4, 1], ['B', 4, 2], ['B', 4, 3]]);
  assert.throws(() => x.split(2, [1, 2]), /do not split/);
});

test('unsqueeze, squeeze, gather, expand, where, greater, cast, dropout', () => {
  const G = g();
  const x = G.input('x', ['B', 4]);
  assert.deepEqual(x.unsqueeze(1).shape, ['B', 1, 4]);
  assert.deepEqual(x.unsqueeze([0, -1]).shape, [1, 'B', 4, 1]);
  assert.deepEqual(x.unsqueeze(1).squeeze(1).shape, ['B', 4]);
  assert.throws(() => x.squeeze(1), /not 1/);
  const table = G.input('table', [100, 8]);
  const idx = G.input('idx', ['B', 3], 'int64');
  assert.deepEqual(table.gather(idx).shape, ['B', 3, 8]);
  assert.deepEqual(table.gather(idx, 1).shape, [100, 'B', 3]);
  assert.throws(() => table.gather(x), /indices/);
  assert.deepEqual(x.unsqueeze(1).expand(['B', 5, 4]).shape, ['B', 5, 4]);
  assert.throws(() => x.expand(['B', 3]), /broadcast/);
  const c = x.greater(0);
  assert.equal(c.dtype, 'bool');
  assert.deepEqual(ops.where(c, x, 0).shape, ['B', 4]);
  assert.throws(() => ops.where(x, x, x), /bool/);
  assert.equal(x.cast('float64').dtype, 'float64');
  const mask = G.input('mask', ['B', 4]);
  assert.deepEqual(x.dropout(mask, 0.2).shape, ['B', 4]);
  assert.equal(x.dropout(mask, 0), x);
});

test('generated names are unique and stable across identical builds', () => {
  const build = () => {
    const G = g();
    const x = G.input('x', ['B', 3]);
    const y = x.mul(2).relu().sum([1]);
    return G.nodes.map((n) => `${n.op}:${n.name}:${n.inputs.map((t) => t.name).join(',')}`).join('|') + y.name;
  };
  assert.equal(build(), build());
  const G = g();
  G.input('x', [1]);
  assert.throws(() => G.input('x', [2]), /already used/);
});

test('light simplifications: x*1, x+0, double transpose, fold tiny constants', () => {
  const G = g();
  const x = G.input('x', [2, 3]);
  assert.equal(x.mul(1), x);
  assert.equal(x.add(0), x);
  assert.equal(x.transpose().transpose(), x);
  const c = G.constant(2).mul(G.constant(3));
  assert.equal(c.kind, 'constant');
  assert.equal(Number(c.value![0]), 6);
  // A broadcasting multiply by 1 is not removed: it changes the shape.
  const one = G.constant(1, [4, 1, 1]);
  assert.deepEqual(x.mul(one).shape, [4, 2, 3]);
});

test('symbolic dim arithmetic is canonical', async () => {
  const { dimMul, dimDiv, dimEq, canonDim } = await import('../../src/engine/shape.js');
  assert.equal(dimMul('B', 4), '4*B');
  assert.equal(dimMul(4, 'B'), '4*B');
  assert.equal(dimMul('U', 'B'), 'B*U');
  assert.equal(dimMul(3, 5), 15);
  assert.equal(dimDiv('4*B', 2), '2*B');
  assert.equal(dimDiv('4*B', '2*B'), 2);
  assert.equal(dimDiv('4*B', 3), null);
  assert.equal(dimDiv('B', 'U'), null);
  assert.ok(dimEq('B*2', '2*B'));
  assert.equal(canonDim('1*B'), 'B');
});

test('gemm, clip, maximum/minimum shapes', () => {
  const G = g();
  const a = G.input('a', [4, 'B']);
  const b = G.input('b', [3, 4]);
  assert.deepEqual(ops.gemm(a, b, true, true).shape, ['B', 3]);
  assert.throws(() => ops.gemm(a, b), /inner dims/);
  assert.deepEqual(a.clip(0, 1).shape, [4, 'B']);
  assert.deepEqual(a.maximum(G.input('m', ['B'])).shape, [4, 'B']);
  assert.deepEqual(b.minimum(0).shape, [3, 4]);
});
