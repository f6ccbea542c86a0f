// Experiment configs: FuxiCTR load_model_config semantics, and every Table 1 id loads and builds at full size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment, defaultExperiment, listExperiments, experimentFile } from '../../src/models/config.js';
import { modelNames, table1Models } from '../../src/models/catalog.js';
import { getModel } from '../../src/models/index.js';
import { UserError } from '../../src/util/errors.js';
import { TestContext } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'ge4rec-cfg-'));
const file = join(dir, 'X.yaml');
writeFileSync(
  file,
  `Base:
  early_stop_patience: 2
  embedding_dim: 8
  net_regularizer: 0.5
  model_id: ignored
X_a:
  model: FM
  dataset_id: criteo_x1_7b681156
  batch_size: 64
  regularizer: 2.0e-6
  model_id: also_ignored
X_b:
  model: PNN
  dataset_id: avazu_x4_3bbbc4c9
  embedding_dim: 4
  batch_size: 32
  embedding_regularizer: l2(1.0e-5)
  emb_activation: relu
  concat_emb: true
  gamma: 3
  monitor: {AUC: 1, logloss: -1}
  hidden_units: [7, 5]
`,
);

test('Base is merged under the experiment block; experiment keys win', () => {
  const a = loadExperiment(file, 'X_a');
  assert.equal(a.embeddingDim, 8);
  assert.equal(a.earlyStopPatience, 2);
  const b = loadExperiment(file, 'X_b');
  assert.equal(b.embeddingDim, 4);
  assert.equal(b.netRegularizer, 0.5);
  assert.equal(b.embeddingRegularizer, 1e-5);
  assert.equal(b.dataset, 'avazu_x4');
  assert.equal(b.model, 'IPNN');
  assert.equal(b.paradigm, 'gen');
  assert.deepEqual(b.monitor, { AUC: 1, logloss: -1 });
  assert.deepEqual(b.modelConfig.hiddenUnits, [7, 5]);
});

test('`regularizer` sets both regularisers and model_id is dropped', () => {
  const a = loadExperiment(file, 'X_a');
  assert.equal(a.embeddingRegularizer, 2e-6);
  assert.equal(a.netRegularizer, 2e-6);
  assert.equal('model_id' in a.raw, false);
  assert.equal(a.paradigm, 'dis');
  assert.deepEqual(a.monitor, { AUC: 1 });
});

test('an unknown expid is a UserError listing the ids in the file', () => {
  assert.throws(() => loadExperiment(file, 'X_c'), (e: unknown) => e instanceof UserError && /X_a, X_b/.test(e.message) && e.message.includes(file));
  assert.throws(() => loadExperiment(file, 'Base'), UserError);
  assert.throws(() => defaultExperiment('NoSuchModel', 'criteo_x1', 'gen'), UserError);
});

test('bad values name the file, the experiment and the key', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'E1:\n  model: FM\n  dataset_id: criteo_x1_x\n  embedding_dim: ten\n  batch_size: 2\n');
  assert.throws(() => loadExperiment(bad, 'E1'), (e: unknown) => e instanceof UserError && /bad\.yaml.*E1.*embedding_dim/.test(e.message));
});

const FACTS = {
  // GEN gamma and embedding_regularizer as [criteo_x1, avazu_x4], from facts §1 (DIS gamma is always 1)
  FM: { gamma: [0.1, 6], embReg: [5e-6, 1e-6] },
  FmFM: { gamma: [6, 36], embReg: [1e-6, 1e-6] },
  DeepFM: { gamma: [0.1, 6], embReg: [1e-5, 0] },
  IPNN: { gamma: [0.005, 6], embReg: [1e-5, 1e-9] },
  xDeepFM: { gamma: [0.01, 6], embReg: [1e-5, 0] },
  DCNv2: { gamma: [0.01, 8], embReg: [1e-5, 0] },
  CrossNetV2: { gamma: [0.01, 8], embReg: [1e-5, 0] },
  FwFM: { gamma: [6, 6], embReg: [5e-6, 1e-6] },
} as const;

test('every model × dataset × paradigm id exists, matches the paper-code values, and builds at full size', () => {
  assert.deepEqual(table1Models(), ['FM', 'FmFM', 'CrossNetV2', 'DeepFM', 'xDeepFM', 'IPNN', 'DCNv2']);
  for (const m of modelNames() as (keyof typeof FACTS)[]) {
    const main = [`${m}_avazu_x4_dis`, `${m}_avazu_x4_gen`, `${m}_criteo_x1_dis`, `${m}_criteo_x1_gen`];
    const ids = listExperiments(experimentFile(m));
    // Besides the four Table 1 ids, a file may hold only the paper's ablation variants (DCNv2.yaml).
    assert.deepEqual(ids.filter((id) => main.includes(id)).sort(), main.sort());
    for (const id of ids.filter((x) => !main.includes(x)))
      assert.equal(loadExperiment(experimentFile(m), id).variant, id, `${id} is neither a Table 1 id nor an ablation variant`);
    const text = readFileSync(experimentFile(m), 'utf8');
    for (const ds of ['criteo_x1', 'avazu_x4'] as const) {
      const k = ds === 'criteo_x1' ? 0 : 1;
      for (const par of ['dis', 'gen'] as const) {
        const e = defaultExperiment(m, ds, par);
        assert.match(text, new RegExp(`# reproduces GE4Rec \\S+ .*@[0-9a-f]{7}[\\s\\S]*?\\n${e.expid}:`), `${e.expid} has a provenance comment`);
        assert.equal(e.paradigm, par, e.expid);
        assert.equal(e.embeddingDim, ds === 'criteo_x1' ? 10 : 16);
        assert.equal(e.batchSize, ds === 'criteo_x1' ? 4096 : 10000);
        assert.equal(e.seed, ds === 'criteo_x1' ? 2021 : 2019);
        assert.equal(e.learningRate, 1e-3);
        assert.equal(e.epochs, 100);
        assert.equal(e.earlyStopPatience, 2);
        assert.equal(e.embeddingRegularizer, FACTS[m].embReg[k], e.expid);
        assert.equal(e.modelConfig.gamma, par === 'dis' ? 1 : FACTS[m].gamma[k], e.expid);
        if (par === 'gen') assert.equal(e.modelConfig.embActivation, 'relu');
        const F = ds === 'criteo_x1' ? 39 : 24;
        const fields = Array.from({ length: F }, (_, f) =>
          ds === 'criteo_x1' && f < 13 ? { name: `I${f + 1}`, type: 'numeric' as const } : { name: `c${f}`, type: 'categorical' as const, vocabSize: 100 });
        const ctx = new TestContext({ B: 2, F, D: e.embeddingDim, seed: 1, buildOnly: true }, fields);
        const logits = getModel(e.model)(ctx, e.modelConfig);
        assert.deepEqual(logits.shape, ['B'], e.expid);
        assert.ok(ctx.records.has('interaction.left') && ctx.records.has('interaction.right'), e.expid);
        assert.deepEqual(ctx.records.get('interaction.left')!.shape, ['B', F * e.embeddingDim]);
      }
    }
  }
});

test('GEN-specific keys of DCNv2/CrossNetV2 per facts §1.8', () => {
  const c = defaultExperiment('DCNv2', 'criteo_x1', 'gen').modelConfig;
  assert.deepEqual([c.genResidual, c.useGenRst, c.crossDrop, c.numCrossLayers, c.modelStructure], [true, true, 0.1, 3, 'parallel']);
  const a = defaultExperiment('CrossNetV2', 'avazu_x4', 'gen').modelConfig;
  assert.deepEqual([a.genResidual, a.useGenRst, a.crossDrop, a.numCrossLayers, a.modelStructure], [true, true, 0, 5, 'crossnet_only']);
  assert.equal(defaultExperiment('CrossNetV2', 'avazu_x4', 'dis').modelConfig.useGenRst, false);
});

test('DCNv2 ablation ids: keys as the paper sets them, on the GEN config of their dataset, each builds', () => {
  const file = experimentFile('DCNv2');
  for (const ds of ['criteo_x1', 'avazu_x4'] as const) {
    const gen = defaultExperiment('DCNv2', ds, 'gen');
    const id = (s: string) => loadExperiment(file, `DCNv2_${ds}_${s}`);
    assert.equal(gen.variant, null);
    assert.deepEqual([id('group0').modelConfig.expGroupIdx, id('group1').modelConfig.expGroupIdx], [0, 1]);
    const own = id('own_source').modelConfig;
    assert.deepEqual([own.concatEmb, own.smallTransformation, own.paradigm], [false, true, 'gen']);
    assert.equal(id('field_share').modelConfig.fieldShare, true);
    assert.equal(id('2layer').modelConfig.moreLayers, true);
    assert.equal(id('2layer').modelConfig.gamma, ds === 'avazu_x4' ? 6 : gen.modelConfig.gamma);
    const att = id('fs_use_att').modelConfig;
    assert.deepEqual([att.useAtt, att.embActivation, att.gamma], [true, 'linear', 1]);
    assert.deepEqual(id('fs_use_random_cardinality_predict').modelConfig.predictTarget, { mode: 'random', numTarget: 5 });
    assert.deepEqual(id('fs_use_hard_mask_predict').modelConfig.predictTarget, { mode: 'random', numTarget: 19 });
    assert.deepEqual(id('fs_use_masked_predict').modelConfig.predictTarget, { mode: 'masked', numTarget: 10 });
    assert.deepEqual(id('fs_use_field_mask_predict').modelConfig.predictTarget, { mode: 'field_masked', numTarget: 10 });
    assert.deepEqual(id('fs_use_hard_mask_predict_zero').modelConfig.predictTarget, { mode: 'hard_masked', numTarget: 10 });
    assert.equal(id('sigmoid').modelConfig.gamma, ds === 'avazu_x4' ? 1 : gen.modelConfig.gamma);
    for (const a of ['linear', 'tanh', 'silu', 'elu'] as const) assert.equal(id(a).modelConfig.embActivation, a);
    for (const e of listExperiments(file).filter((x) => x.startsWith(`DCNv2_${ds}_`) && !/_(dis|gen)$/.test(x))) {
      const x = loadExperiment(file, e);
      assert.equal(x.variant, e);
      // Everything else is the GEN config's.
      for (const k of ['embeddingDim', 'batchSize', 'seed', 'learningRate', 'embeddingRegularizer'] as const) assert.equal(x[k], gen[k], `${e} ${k}`);
      assert.deepEqual([x.modelConfig.numCrossLayers, x.modelConfig.crossDrop, x.modelConfig.genResidual], [gen.modelConfig.numCrossLayers, gen.modelConfig.crossDrop, true]);
      const F = ds === 'criteo_x1' ? 39 : 24;
      const fields = Array.from({ length: F }, (_, f) => ({ name: `c${f}`, type: 'categorical' as const, vocabSize: 100 + f }));
      const ctx = new TestContext({ B: 2, F, D: x.embeddingDim, seed: 1, buildOnly: true }, fields);
      assert.deepEqual(getModel(x.model)(ctx, x.modelConfig).shape, ['B'], e);
    }
  }
});

test("the paper's config layout loads: `<<:` merge keys, its ablation keys, and clear errors for what its code cannot run", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-official-'));
  const file = join(dir, 'model_config.yaml');
  // The shape of the paper's @2054a DCNv2 file: an anchored Avazu base, the GEN id on it, ablation ids on that.
  writeFileSync(file, `
Base: {model_root: ./checkpoints/, early_stop_patience: 2}
DCNv2_avazu_x4_011_19794dc6: &default_avazu
  model: DCNv2
  dataset_id: avazu_x4_3bbbc4c9
  embedding_dim: 16
  batch_size: 10000
  seed: 2019
  epochs: 1
  model_structure: parallel
  num_cross_layers: 5
  parallel_dnn_hidden_units: [2000, 2000, 2000, 2000]
  emb_activation: linear
  concat_emb: false
  gamma: 1
  small_transformation: false
DCNv2_avazu_fs: &default_avazu_fs
  <<: *default_avazu
  emb_activation: relu
  concat_emb: true
  gamma: 8
  gen_residual: true
  use_gen_rst: true
DCNv2_avazu_group1:
  <<: *default_avazu_fs
  exp_group_idx: 1
DCNv2_avazu_group2:
  <<: *default_avazu_fs
  exp_group_idx: 2
DCNv2_avazu_ab_no_concat:
  <<: *default_avazu
  emb_activation: tanh
  gamma: 12
  small_transformation: true
DCNv2_avazu_fs_use_hard_mask_predict:
  <<: *default_avazu_fs
  use_random_predict: true
  num_target: 19
DCNv2_avazu_hard_mask:
  <<: *default_avazu_fs
  use_hard_mask_predict: true
DCNv2_avazu_masked:
  <<: *default_avazu_fs
  use_masked_predict: true
  num_target: 10
DCNv2_avazu_two_masks:
  <<: *default_avazu_fs
  use_mask_predict: true
  use_field_mask_predict: true
DCNv2_avazu_two_targets:
  <<: *default_avazu_fs
  use_random_predict: true
  use_low_cardinality_predict: true
`);
  const gen = loadExperiment(file, 'DCNv2_avazu_fs');
  assert.deepEqual([gen.paradigm, gen.variant, gen.modelConfig.gamma, gen.embeddingDim, gen.epochs], ['gen', null, 8, 16, 1]);
  assert.equal(loadExperiment(file, 'DCNv2_avazu_group1').modelConfig.expGroupIdx, 1);
  assert.equal(loadExperiment(file, 'DCNv2_avazu_group1').variant, 'DCNv2_avazu_group1');
  const nc = loadExperiment(file, 'DCNv2_avazu_ab_no_concat');
  assert.deepEqual([nc.paradigm, nc.modelConfig.smallTransformation, nc.modelConfig.genResidual], ['gen', true, false]);
  assert.deepEqual(loadExperiment(file, 'DCNv2_avazu_fs_use_hard_mask_predict').modelConfig.predictTarget, { mode: 'random', numTarget: 19 });
  assert.throws(() => loadExperiment(file, 'DCNv2_avazu_group2'), (e: Error) => e instanceof UserError && /exp_group_idx.*two cardinality groups/.test(e.message));
  // The masked targets: use_hard_mask_predict's num_target defaults to 1 as in the paper's DCNv2, the others' to 5.
  assert.deepEqual(loadExperiment(file, 'DCNv2_avazu_hard_mask').modelConfig.predictTarget, { mode: 'hard_masked', numTarget: 1 });
  assert.deepEqual(loadExperiment(file, 'DCNv2_avazu_masked').modelConfig.predictTarget, { mode: 'masked', numTarget: 10 });
  assert.equal(loadExperiment(file, 'DCNv2_avazu_masked').variant, 'DCNv2_avazu_masked');
  assert.throws(() => loadExperiment(file, 'DCNv2_avazu_two_masks'), (e: Error) => e instanceof UserError && /use_mask_predict and use_field_mask_predict are alternatives/.test(e.message));
  assert.throws(() => loadExperiment(file, 'DCNv2_avazu_two_targets'), /alternatives/);
});
