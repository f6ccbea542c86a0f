// DIS configs reduce to the textbook models, and the parameters each model creates follow FuxiCTR's choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getModel } from '../../src/models/index.js';
import { genEncoder } from '../../src/models/layers/gen.js';
import { crossNet } from '../../src/models/layers/cross.js';
import { TestContext, maxRelErr } from './harness.js';
import { tinyConfig } from './tiny.js';

const B = 4, F = 5, D = 3;

test('FM DIS is the classic FM: LR + b + Σ_d ½[(Σ_f e_fd)² − Σ_f e_fd²]', async () => {
  const ctx = new TestContext({ B, F, D, seed: 11 });
  const logits = getModel('FM')(ctx, tinyConfig('FM', 'dis'));
  const got = await ctx.run({ logits });
  const E = ctx.values.get('E')!.data;
  const lr = ctx.values.get('lr')!.data;
  const bias = ctx.values.get('lr.bias')!.data[0];
  const want = Array.from({ length: B }, (_, b) => {
    let s = lr[b] + bias;
    for (let d = 0; d < D; d++) {
      let sum = 0, sq = 0;
      for (let f = 0; f < F; f++) {
        const v = E[(b * F + f) * D + d];
        sum += v;
        sq += v * v;
      }
      s += 0.5 * (sum * sum - sq);
    }
    return s;
  });
  assert.ok(maxRelErr(got.logits, want) < 1e-10, `${Array.from(got.logits)} vs ${want}`);
});

test('DCNv2 DIS cross layers are x_{l+1} = x_l + x_0 ⊙ (x_l W_l) without bias (first layer: x + x ⊙ (W x))', async () => {
  const ctx = new TestContext({ B, F, D, seed: 12 });
  const n = F * D;
  const x0 = ctx.featureEmbedding().reshape(['B', n]);
  const out = crossNet(ctx, x0, n, tinyConfig('DCNv2', 'dis', { numCrossLayers: 3 }));
  const got = await ctx.run({ out });
  assert.deepEqual([...ctx.params.keys()], ['cross.0.weight', 'cross.1.weight', 'cross.2.weight']);
  const E = ctx.values.get('E')!.data;
  const want: number[] = [];
  for (let b = 0; b < B; b++) {
    const z = Array.from(E.slice(b * n, (b + 1) * n));
    let x = [...z];
    for (let l = 0; l < 3; l++) {
      const W = ctx.values.get(`cross.${l}.weight`)!.data; // [in, out]
      const wx = Array.from({ length: n }, (_, o) => x.reduce((s, v, i) => s + v * W[i * n + o], 0));
      x = x.map((v, i) => v + z[i] * wx[i]);
    }
    want.push(...x);
  }
  assert.ok(maxRelErr(got.out, want) < 1e-10);
});

test('GEN is the identity in DIS (no parameters) and γ·act(xA) [+ x] in GEN', async () => {
  const ctx = new TestContext({ B, F, D, seed: 13 });
  const x = ctx.featureEmbedding().reshape(['B', F * D]);
  assert.equal(genEncoder(ctx, 'g0', x, F * D, tinyConfig('FM', 'dis')), x);
  assert.equal(ctx.params.size, 0);
  const y = genEncoder(ctx, 'g1', x, F * D, { embActivation: 'relu', concatEmb: true, gamma: 6, genResidual: true });
  const info = ctx.params.get('g1.A')!;
  assert.deepEqual(info.shape, [F * D, F * D]);
  assert.deepEqual(info.init, { kind: 'xavier_normal', fanIn: F * D, fanOut: F * D });
  assert.equal(info.reg, 'net');
  assert.equal(ctx.params.size, 1, 'the GEN Linear has no bias');
  const got = await ctx.run({ y });
  const E = ctx.values.get('E')!.data;
  const A = ctx.values.get('g1.A')!.data;
  const n = F * D;
  const want: number[] = [];
  for (let b = 0; b < B; b++)
    for (let o = 0; o < n; o++) {
      let h = 0;
      for (let i = 0; i < n; i++) h += E[b * n + i] * A[i * n + o];
      want.push(6 * Math.max(0, h) + E[b * n + o]);
    }
  assert.ok(maxRelErr(got.y, want) < 1e-10);
});

test('DIS models create no GEN parameters; GEN models create one A per encoder', () => {
  const expectA: Record<string, number> = { FM: 1, FmFM: 1, FwFM: 1, DeepFM: 1, IPNN: 1, xDeepFM: 2, DCNv2: 2, CrossNetV2: 2 };
  for (const [m, count] of Object.entries(expectA)) {
    for (const par of ['dis', 'gen'] as const) {
      const ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
      getModel(m)(ctx, tinyConfig(m, par));
      const As = [...ctx.params.keys()].filter((k) => k.endsWith('.A'));
      assert.equal(As.length, par === 'dis' ? 0 : count, `${m} ${par}: ${As}`);
    }
  }
});

test('LR usage follows GE4Rec: with bias in FM, DeepFM, FmFM; without in xDeepFM; none in IPNN, DCNv2, FwFM FeLV', () => {
  const expected: Record<string, boolean[]> = {
    FM: [true], DeepFM: [true], FmFM: [true], xDeepFM: [false], IPNN: [], DCNv2: [], CrossNetV2: [], FwFM: [],
  };
  for (const [m, calls] of Object.entries(expected)) {
    const ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
    getModel(m)(ctx, tinyConfig(m, 'gen'));
    assert.deepEqual(ctx.lrCalls, calls, m);
  }
});

test('parameter shapes, inits and regularisers of FmFM, FwFM and the DCNv2 head', () => {
  const P = (F * (F - 1)) / 2;
  let ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
  getModel('FmFM')(ctx, tinyConfig('FmFM', 'gen'));
  const M = ctx.params.get('interaction_weight')!;
  assert.deepEqual(M.shape, [P, D, D]);
  assert.deepEqual(M.init, { kind: 'xavier_normal', fanIn: D * D, fanOut: P * D });
  assert.equal(M.reg, 'none');

  ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
  getModel('FwFM')(ctx, tinyConfig('FwFM', 'gen'));
  assert.ok(ctx.params.has('gen.bias'), 'FwFM inlines a biased GEN Linear');
  assert.deepEqual(ctx.params.get('interaction_weight.weight')!.shape, [P, 1]);
  assert.ok(!ctx.params.has('interaction_weight.bias'), 'FwFM never uses the r Linear bias');

  ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
  getModel('CrossNetV2')(ctx, tinyConfig('CrossNetV2', 'gen'));
  assert.deepEqual(ctx.params.get('fc.0.weight')!.shape, [F * D, 2 * F * D]);
  assert.deepEqual(ctx.params.get('fc.1.weight')!.shape, [2 * F * D, 1]);
  assert.ok(!ctx.params.has('cross.0.bias'));
  for (const [name, info] of ctx.params) if (!name.endsWith('.bias')) assert.equal(info.init.kind, 'xavier_normal', name);
});

test('CrossNetV2 refuses a non-crossnet_only structure', () => {
  const ctx = new TestContext({ B, F, D, seed: 1, buildOnly: true });
  assert.throws(() => getModel('CrossNetV2')(ctx, tinyConfig('CrossNetV2', 'gen', { modelStructure: 'parallel' })), /crossnet_only/);
});
