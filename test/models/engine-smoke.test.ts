// Every model (DIS and GEN) compiles in the real Engine (EngineContext, train/eval/record programs) and fits one
// repeated synthetic batch: the training loss must fall, predictions must be probabilities, and `record` must
// return the interaction tensors [B, F·D].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type Snapshot } from '../../src/engine/engine.js';
import type { FieldInfo, Batch } from '../../src/data/types.js';
import { modelFn } from '../../src/models/index.js';
import { Rng } from '../../src/util/rng.js';
import { tinyConfig } from './tiny.js';

const fields: FieldInfo[] = [
  { name: 'n1', type: 'numeric' },
  { name: 'c1', type: 'categorical', vocabSize: 7 },
  { name: 'c2', type: 'categorical', vocabSize: 5 },
  { name: 'c3', type: 'categorical', vocabSize: 9 },
];
const D = 4;
const N = 64;

function batch(seed: number): Batch {
  const rng = new Rng(seed);
  const cat = new Int32Array(N * 3);
  const num = new Float32Array(N);
  const label = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    cat[i * 3] = 1 + rng.int(5);
    cat[i * 3 + 1] = 1 + rng.int(3);
    cat[i * 3 + 2] = 1 + rng.int(7);
    num[i] = rng.uniform();
    label[i] = (cat[i * 3] + cat[i * 3 + 1]) % 2 === 0 ? 1 : 0; // needs an interaction of c1 and c2
  }
  return { size: N, cat, num, label };
}

for (const m of ['FM', 'FmFM', 'FwFM', 'DeepFM', 'IPNN', 'xDeepFM', 'DCNv2', 'CrossNetV2'])
  for (const par of ['dis', 'gen'] as const)
    test(`engine trains ${m} ${par}`, async () => {
      const cfg = tinyConfig(m, par, { netDropout: 0.1, ...(m === 'FwFM' ? { linearType: 'FiLV' as const } : {}) });
      const engine = await Engine.create({
        model: modelFn(cfg), fields, embeddingDim: D, learningRate: 0.01, embeddingRegularizer: 1e-6,
        netRegularizer: 1e-6, clipNorm: 10, embeddingOptimizer: 'dense', seed: 3, device: 'cpu', threads: 1,
      });
      try {
        const b = batch(1);
        const losses: number[] = [];
        for (let s = 0; s < 25; s++) losses.push((await engine.trainStep(b)).loss);
        assert.ok(losses.every(Number.isFinite), `${losses}`);
        assert.ok(losses[24] < losses[0], `${m} ${par}: loss ${losses[0]} → ${losses[24]}`);
        const p = await engine.predict(b);
        assert.equal(p.length, N);
        assert.ok(p.every((v) => v >= 0 && v <= 1), `${m} ${par}: predictions ${p.slice(0, 8)}`);
        const rec = await engine.record(b);
        assert.deepEqual(rec['interaction.left']?.shape, [N, fields.length * D]);
        assert.deepEqual(rec['interaction.right']?.shape, [N, fields.length * D]);
      } finally {
        await engine.dispose();
      }
    });

test('engine trains the ablation variants; use_random_predict draws its fields per step, repeatably per seed', async () => {
  const variants = [
    { useAtt: true }, { moreLayers: true }, { fieldShare: true }, { expGroupIdx: 1 as const },
    { concatEmb: false, smallTransformation: true }, { predictTarget: { mode: 'random' as const, numTarget: 2 } },
  ];
  const randomLosses: number[][] = [];
  for (const over of [...variants, { predictTarget: { mode: 'high_cardinality' as const, numTarget: 2 } }]) {
    const cfg = tinyConfig('DCNv2', 'gen', { netDropout: 0.1, ...over });
    const run = async () => {
      const engine = await Engine.create({
        model: modelFn(cfg), fields, embeddingDim: D, learningRate: 0.01, embeddingRegularizer: 1e-6,
        netRegularizer: 1e-6, clipNorm: 10, embeddingOptimizer: 'dense', seed: 3, device: 'cpu', threads: 1,
      });
      try {
        const losses: number[] = [];
        for (let s = 0; s < 25; s++) losses.push((await engine.trainStep(batch(1))).loss);
        return { losses, sites: engine.programs.train.fieldChoices.length, p: await engine.predict(batch(1)) };
      } finally {
        await engine.dispose();
      }
    };
    const a = await run();
    const label = JSON.stringify(over);
    assert.ok(a.losses.every(Number.isFinite) && a.losses[24] < a.losses[0], `${label}: ${a.losses}`);
    assert.ok(a.p.every((v) => v >= 0 && v <= 1), label);
    if (over.predictTarget?.mode === 'random') {
      assert.equal(a.sites, cfg.numCrossLayers, 'one random choice per cross layer');
      assert.deepEqual((await run()).losses, a.losses, 'same seed, same draws');
      randomLosses.push(a.losses);
    } else assert.equal(a.sites, 0);
    // Random fields in training are not the fixed evaluation choice (the top-2 by cardinality, = the 'high' mode).
    if (over.predictTarget?.mode === 'high_cardinality') assert.notDeepEqual(a.losses.slice(1), randomLosses[0].slice(1));
  }
});

test('engine trains the masked targets (c.2)-(c.4): one draw per step for all layers; the mask vectors learn and are regularised as embeddings', async () => {
  const make = (mode: 'masked' | 'field_masked' | 'hard_masked', lambda: number) =>
    Engine.create({
      model: modelFn(tinyConfig('DCNv2', 'gen', { netDropout: 0.1, predictTarget: { mode, numTarget: 2 } })), fields,
      embeddingDim: D, learningRate: 0.01, embeddingRegularizer: lambda, netRegularizer: 0, clipNorm: 10,
      embeddingOptimizer: 'dense', seed: 3, device: 'cpu', threads: 1,
    });
  const train = async (mode: 'masked' | 'field_masked' | 'hard_masked') => {
    const engine = await make(mode, 1e-6);
    try {
      const mask0 = engine.denseParameters().get('mask_emb')?.data.slice();
      const losses: number[] = [];
      for (let s = 0; s < 25; s++) losses.push((await engine.trainStep(batch(1))).loss);
      const mask = engine.denseParameters().get('mask_emb');
      return { losses, sites: engine.programs.train.fieldChoices.length, p: await engine.predict(batch(1)), mask0, mask: mask?.data, shape: mask?.shape };
    } finally {
      await engine.dispose();
    }
  };
  const runs = new Map<string, Awaited<ReturnType<typeof train>>>();
  for (const mode of ['masked', 'field_masked', 'hard_masked'] as const) {
    const a = await train(mode);
    runs.set(mode, a);
    assert.ok(a.losses.every(Number.isFinite) && a.losses[24] < a.losses[0], `${mode}: ${a.losses}`);
    assert.ok(a.p.every((v) => v >= 0 && v <= 1), mode);
    assert.equal(a.sites, 1, `${mode}: one field draw per step serves every layer`);
    assert.deepEqual((await train(mode)).losses, a.losses, `${mode}: same seed, same draws`);
    if (mode === 'hard_masked') assert.equal(a.mask, undefined);
    else {
      assert.deepEqual(a.shape, [mode === 'masked' ? 1 : fields.length, D]);
      assert.ok(a.mask!.some((v, i) => v !== a.mask0![i]), `${mode}: the mask vector trains`);
    }
  }
  assert.notDeepEqual(runs.get('masked')!.losses, runs.get('hard_masked')!.losses);
  assert.notDeepEqual(runs.get('masked')!.losses, runs.get('field_masked')!.losses);
  // embedding_regularizer λ adds (λ/2)·(‖host tables‖² + ‖mask_emb‖²) to the first loss (same seed, same init).
  const lambda = 0.5;
  const [on, off] = [await make('field_masked', lambda), await make('field_masked', 0)];
  try {
    const m = on.denseParameters().get('mask_emb')!.data;
    const m2 = Array.from(m).reduce((a, v) => a + v * v, 0);
    const w2 = (on.snapshot() as Snapshot).w2;
    const diff = (await on.trainStep(batch(2))).loss - (await off.trainStep(batch(2))).loss;
    const want = (lambda / 2) * (w2 + m2);
    assert.ok(m2 > 1, `mask_emb ~ N(0, 1): ‖m‖² = ${m2}`);
    assert.ok(Math.abs(diff - want) < 1e-5 * want, `loss difference ${diff}, expected ${want} (mask part ${(lambda / 2) * m2})`);
  } finally {
    await on.dispose();
    await off.dispose();
  }
});
