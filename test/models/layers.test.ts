// The pair layers at a size where ordering mistakes show (F = 6, P = 15), against brute-force loops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherPairs, pairwiseInner, pairwiseSum, triuPairs } from '../../src/models/layers/interaction.js';
import { activation } from '../../src/models/layers/activation.js';
import { TestContext, maxRelErr, to3d } from './harness.js';

const B = 2, F = 6, D = 3;

test('triuPairs is torch.triu_indices(F, F, 1) order', () => {
  const { left, right } = triuPairs(4);
  assert.deepEqual(left, [0, 0, 0, 1, 1, 2]);
  assert.deepEqual(right, [1, 2, 3, 2, 3, 3]);
});

test('pairwiseInner, pairwiseSum and gatherPairs agree with loops over i<j', async () => {
  const ctx = new TestContext({ B, F, D, seed: 9 });
  const L = ctx.featureEmbedding();
  const R = ctx.extraFeatureEmbedding('r');
  const { li, rj } = gatherPairs(ctx, L, R, F);
  const got = await ctx.run({ inner: pairwiseInner(ctx, L, R, F), sum: pairwiseSum(ctx, L, R, F), li, rj });
  const l = to3d(ctx.values.get('E')!.data, B, F, D);
  const r = to3d(ctx.values.get('E.r')!.data, B, F, D);
  const inner: number[] = [], sums: number[] = [], lis: number[] = [], rjs: number[] = [];
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < F; i++)
      for (let j = i + 1; j < F; j++) {
        const v = l[b][i].reduce((a, x, d) => a + x * r[b][j][d], 0);
        inner.push(v);
        lis.push(...l[b][i]);
        rjs.push(...r[b][j]);
        s += v;
      }
    sums.push(s);
  }
  assert.ok(maxRelErr(got.inner, inner) < 1e-12);
  assert.ok(maxRelErr(got.sum, sums) < 1e-12);
  assert.deepEqual(Array.from(got.li), lis);
  assert.deepEqual(Array.from(got.rj), rjs);
});

test('activations match their definitions, and unknown names are refused', async () => {
  const ctx = new TestContext({ B: 1, F: 1, D: 5, seed: 1 });
  const x = ctx.feed('x', [5], [5], () => 0);
  ctx.values.get('x')!.data.set([-3, -0.5, 0, 0.7, 40]);
  const names = ['relu', 'tanh', 'sigmoid', 'silu', 'elu', 'linear'];
  const got = await ctx.run(Object.fromEntries(names.map((n) => [n, activation(x, n)])));
  const xs = [-3, -0.5, 0, 0.7, 40];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const want: Record<string, number[]> = {
    relu: xs.map((v) => Math.max(0, v)), tanh: xs.map(Math.tanh), sigmoid: xs.map(sig),
    silu: xs.map((v) => v * sig(v)), elu: xs.map((v) => (v > 0 ? v : Math.expm1(v))), linear: xs,
  };
  for (const n of names) assert.ok(maxRelErr(got[n], want[n]) < 1e-12, `${n}: ${Array.from(got[n])}`);
  assert.throws(() => activation(x, 'prelu'), /unsupported activation 'prelu'/);
});
