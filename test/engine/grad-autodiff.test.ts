// Autodiff mechanics: the checker catches wrong rules, unconnected inputs get zeros, seeds, float32 Softplus,
// and the emitted backward graphs are lean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, type Tensor } from '../../src/engine/graph.js';
import * as ops from '../../src/engine/ops.js';
import { grad } from '../../src/engine/autodiff.js';
import { overrideGradRuleForTest, unbroadcast } from '../../src/engine/grad-rules.js';
import { evaluate, gradCheck } from '../../src/engine/evaluate.js';
import { reachable } from '../../src/engine/onnx.js';

function sigmoidCase() {
  const G = new Graph({ floatType: 'float64' });
  const a = G.input('a', [2, 3]);
  const b = G.input('b', [3]);
  const out = a.mul(b).sigmoid();
  const feeds = { a: { data: [0.1, -0.4, 0.9, 1.3, -2, 0.5], shape: [2, 3] }, b: { data: [0.7, -1.1, 0.3], shape: [3] } };
  return { out, wrt: [a, b], feeds };
}

test('the finite-difference check passes the real rule and catches a wrong one', async () => {
  const ok = sigmoidCase();
  assert.ok((await gradCheck(ok.out, ok.wrt, ok.feeds)).maxErr < 1e-6);
  // Wrong: sigmoid'(x) taken as y instead of y(1 − y).
  const restore = overrideGradRuleForTest('Sigmoid', (c) => [ops.mul(c.gy[0]!, c.y[0])]);
  try {
    const bad = sigmoidCase();
    const r = await gradCheck(bad.out, bad.wrt, bad.feeds);
    assert.ok(r.maxErr > 1e-2, `wrong rule not caught (max error ${r.maxErr})`);
  } finally {
    restore();
  }
});

test('the checker catches a broadcast gradient that is not summed', async () => {
  const restore = overrideGradRuleForTest('Mul', (c) => [
    c.needs[0] ? unbroadcast(ops.mul(c.gy[0]!, c.x[1]), c.x[0]) : null,
    // Wrong: takes one row of the broadcast gradient instead of summing over it.
    c.needs[1] ? ops.mul(c.gy[0]!, c.x[0]).slice(0, 0, 1).squeeze(0) : null,
  ]);
  try {
    const bad = sigmoidCase();
    const r = await gradCheck(bad.out, bad.wrt, bad.feeds);
    assert.ok(r.maxErr > 1e-2, `wrong rule not caught (max error ${r.maxErr})`);
  } finally {
    restore();
  }
});

test('gather gradient must sum repeated indices: a scatter without reduction is caught', async () => {
  const build = () => {
    const G = new Graph({ floatType: 'float64' });
    const t = G.input('t', [4, 2]);
    const idx = G.input('idx', [5], 'int64');
    return { G, t, out: t.gather(idx).tanh(), feeds: { t: { data: [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8], shape: [4, 2] }, idx: { data: [1, 1, 3, 1, 0], shape: [5] } } };
  };
  const good = build();
  assert.ok((await gradCheck(good.out, [good.t], good.feeds)).maxErr < 1e-6);
  const restore = overrideGradRuleForTest('Gather', (c) => {
    const [data, idx] = c.x;
    const zeros = ops.zerosLike(data);
    const t = data.graph.addNode('ScatterND', [zeros, ops.unsqueeze(idx, -1), c.gy[0]!], {}, [{ shape: data.shape, dtype: data.dtype }])[0];
    return [t, null];
  });
  try {
    const bad = build();
    const r = await gradCheck(bad.out, [bad.t], bad.feeds);
    assert.ok(r.maxErr > 1e-2, `non-accumulating scatter not caught (max error ${r.maxErr})`);
  } finally {
    restore();
  }
});

test('unconnected inputs get zeros of their shape; int inputs are rejected as wrt', async () => {
  const G = new Graph();
  const x = G.input('x', ['B', 3]);
  const w = G.input('w', [3, 2]);
  const unused = G.input('unused', ['B', 5]);
  const loss = x.sum();
  const [gx, gw, gu] = grad(loss, [x, w, unused]);
  assert.deepEqual(gw.shape, [3, 2]);
  assert.deepEqual(gu.shape, ['B', 5]);
  const r = await evaluate({ gx, gw, gu }, { x: { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, unused: { data: new Array(10).fill(1), shape: [2, 5] } });
  assert.deepEqual(Array.from(r.gx.data as Float32Array), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(r.gw.data as Float32Array), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(r.gu.shape, [2, 5]);
  assert.deepEqual(Array.from(r.gu.data as Float32Array), new Array(10).fill(0));
  const i = G.input('i', [3], 'int64');
  assert.throws(() => grad(loss, [i]), /int64/);
});

test('an explicit seed is the incoming gradient, also with a symbolic batch', async () => {
  const G = new Graph();
  const x = G.input('x', ['B', 2]);
  const seed = G.input('seed', ['B', 2]);
  const [gx] = grad(x.mul(3), [x], seed);
  const r = await evaluate({ gx }, { x: { data: [1, 2, 3, 4], shape: [2, 2] }, seed: { data: [1, 0, -1, 2], shape: [2, 2] } });
  assert.deepEqual(Array.from(r.gx.data as Float32Array), [3, 0, -3, 6]);
  // Default seed for a non-scalar loss with a symbolic dim: ones.
  const [gx2] = grad(x.mul(3), [x]);
  const r2 = await evaluate({ gx2 }, { x: { data: [1, 2, 3, 4], shape: [2, 2] } });
  assert.deepEqual(Array.from(r2.gx2.data as Float32Array), [3, 3, 3, 3]);
  assert.throws(() => grad(x.sum(), [x], seed), /seed/);
});

test('float32 Softplus node: gradient within float32 finite-difference accuracy', async () => {
  // onnxruntime has no double Softplus kernel, so float64 graphs lower it; the native node is checked in float32.
  const G = new Graph();
  const a = G.input('a', [8]);
  const out = a.softplus();
  assert.equal(out.producer!.op, 'Softplus');
  const r = await gradCheck(out, [a], { a: { data: [-3, -1.2, -0.3, 0.1, 0.4, 1, 2.2, 4], shape: [8] } }, { eps: 1e-2 });
  assert.ok(r.maxErr < 2e-3, `max error ${r.maxErr} at ${r.worst}`);
});

test('Cast: the gradient is cast back to the source float type (float32 finite differences)', async () => {
  const G = new Graph();
  const a = G.input('a', [5]);
  const out = a.cast('float64').square().mul(1.5).cast('float32');
  const r = await gradCheck(out, [a], { a: { data: [-1.5, -0.2, 0.3, 0.8, 2], shape: [5] } }, { eps: 1e-2 });
  assert.ok(r.maxErr < 1e-3, `max error ${r.maxErr} at ${r.worst}`);
  const [ga] = grad(out.sum(), [a]);
  assert.equal(ga.dtype, 'float32');
});

function opsOf(ts: Tensor[]): string[] {
  return reachable(ts).nodes.map((n) => n.op);
}

test('lean backward graphs: Gemm with transposes for 2-D matmul, no Mul by 1, no Transpose of batch tensors', () => {
  const G = new Graph();
  const x = G.input('x', ['B', 8]);
  const w = G.input('w', [8, 4]);
  const b = G.input('b', [4]);
  const h = x.matmul(w).add(b).relu();
  const loss = h.mean();
  const [gx, gw, gb] = grad(loss, [x, w, b]);
  const back = reachable([gx, gw, gb]).nodes;
  const gemms = back.filter((n) => n.op === 'Gemm');
  assert.equal(gemms.length, 2);
  assert.ok(gemms.some((n) => n.attrs.transB?.kind === 'int' && n.attrs.transB.v === 1));
  assert.ok(gemms.some((n) => n.attrs.transA?.kind === 'int' && n.attrs.transA.v === 1));
  assert.ok(!back.some((n) => n.op === 'Transpose'), 'no Transpose in a 2-D MLP backward');
  for (const n of back) {
    if (n.op !== 'Mul' && n.op !== 'Div') continue;
    for (const t of n.inputs)
      if (t.kind === 'constant') assert.ok(Array.from(t.value as Float32Array).some((v) => v !== 1), `${n.name} multiplies by 1`);
  }
  // Sigmoid's backward reuses its forward output instead of recomputing it.
  const s = x.sigmoid();
  const [gs] = grad(s.sum(), [x]);
  assert.equal(opsOf([gs]).filter((o) => o === 'Sigmoid').length, 1);

  // [B, F, K] @ [K, N]: only the small weight is transposed; dW is one Gemm over the flattened batch.
  const e = G.input('e', ['B', 5, 8]);
  const [ge, gw2] = grad(e.matmul(w).sum(), [e, w]);
  const tr = reachable([ge, gw2]).nodes.filter((n) => n.op === 'Transpose');
  assert.equal(tr.length, 1);
  assert.equal(tr[0].inputs[0], w);
  assert.equal(gw2.producer!.op, 'Gemm');
});
