// FuxiCTR / GE4Rec model_config.yaml files as they are: merge keys, Base, dataset_id mapping, every key honoured,
// inert or refused, and a run label per experiment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultExperiment, loadExperiment, type ExperimentConfig } from '../../src/models/config.js';
import { runLabel } from '../../src/train/run.js';
import { tempDir } from '../data/helpers.js';

// The structure of GE4Rec's model_zoo/DCNv2/config/model_config.yaml: a Base block, a DIS block used as an anchor,
// GEN (_fs) and CrossNet ids built from it with merge keys. Values are the paper's Criteo x1 ones.
const GE4REC_STYLE = `
Base:
  model_root: './checkpoints/'
  num_workers: 3
  verbose: 1
  early_stop_patience: 2
  pickle_feature_encoder: True
  save_best_only: True
  eval_steps: null
  debug_mode: False
  group_id: null
  use_features: null
  feature_specs: null
  feature_config: null

DCNv2_criteo: &default_criteo
  model: DCNv2
  dataset_id: criteo_x1_001_28c60688
  loss: 'binary_crossentropy'
  metrics: ['AUC', 'logloss']
  task: binary_classification
  optimizer: adam
  model_structure: parallel
  use_low_rank_mixture: False
  low_rank: 32
  num_experts: 4
  learning_rate: 1.0e-3
  embedding_regularizer: 1.0e-5
  net_regularizer: 0
  batch_size: 4096
  embedding_dim: 10
  stacked_dnn_hidden_units: [400, 400, 400]
  parallel_dnn_hidden_units: [500, 500, 500]
  dnn_activations: relu
  num_cross_layers: 3
  net_dropout: 0.1
  batch_norm: False
  epochs: 100
  shuffle: True
  seed: 2021
  monitor: 'AUC'
  monitor_mode: 'max'
  emb_activation: linear
  concat_emb: False
  gamma: 1
  symmetric: False
  small_transformation: False
  use_fs: False
  linear_fs: False
  model_id: DCNv2_base
  patience: 3

DCNv2_criteo_fs:
  <<: *default_criteo
  emb_activation: relu
  concat_emb: True
  gamma: 0.01
  gen_residual: True
  use_gen_rst: True
  cross_drop: 0.1

CrossNet_criteo_fs:
  <<: *default_criteo
  model_structure: crossnet_only
  emb_activation: relu
  concat_emb: True
  gamma: 0.01
  gen_residual: True
  use_gen_rst: True
  cross_drop: 0.1

DCNv2_bad:
  <<: *default_criteo
`;

/** What training uses: everything but the id, the file and the raw block. */
function trained(e: ExperimentConfig): unknown {
  const { expid: _e, file: _f, raw: _r, datasetId: _d, ...rest } = e;
  return rest;
}

function withFile<T>(text: string, fn: (file: string) => T): T {
  const t = tempDir('mcfg');
  try {
    const file = join(t.dir, 'model_config.yaml');
    writeFileSync(file, text);
    return fn(file);
  } finally {
    t.cleanup();
  }
}

test('GE4Rec-style DCNv2 config (merge keys, Base, _fs, crossnet_only) resolves to the built-in experiments', () => {
  withFile(GE4REC_STYLE, (file) => {
    const dis = loadExperiment(file, 'DCNv2_criteo');
    const gen = loadExperiment(file, 'DCNv2_criteo_fs');
    const cross = loadExperiment(file, 'CrossNet_criteo_fs');
    assert.equal(dis.dataset, 'criteo_x1');
    assert.deepEqual(trained(dis), trained(defaultExperiment('DCNv2', 'criteo_x1', 'dis')));
    assert.deepEqual(trained(gen), trained(defaultExperiment('DCNv2', 'criteo_x1', 'gen')));
    // model DCNv2 with crossnet_only is what the catalog calls CrossNetV2
    assert.equal(cross.model, 'CrossNetV2');
    assert.deepEqual(trained(cross), trained(defaultExperiment('CrossNetV2', 'criteo_x1', 'gen')));
    // two expids never share a folder; the built-in ids keep the plain model folder
    const labels = [dis, gen, cross].map(runLabel);
    assert.deepEqual(labels, ['DCNv2+DCNv2_criteo', 'DCNv2+DCNv2_criteo_fs', 'CrossNetV2+CrossNet_criteo_fs']);
    assert.equal(runLabel(defaultExperiment('CrossNetV2', 'avazu_x4', 'gen')), 'CrossNetV2');
    assert.throws(() => runLabel({ ...gen, expid: '../x' }), /expid: "\.\.\/x" cannot be used/);
  });
});

test("FuxiCTR's own DCNv2_test loads with its dataset_id as the dataset", () => {
  const text = GE4REC_STYLE.replace('dataset_id: criteo_x1_001_28c60688', 'dataset_id: tiny_parquet');
  withFile(text, (file) => {
    const e = loadExperiment(file, 'DCNv2_criteo');
    assert.equal(e.dataset, 'tiny_parquet');
    assert.equal(e.datasetId, 'tiny_parquet');
  });
});

test('unknown keys are errors naming file, expid and key (a typo gets a suggestion); --ignore-unknown-keys warns', () => {
  for (const [line, re] of [
    ['  learnig_rate: 1.0e-2', /experiment 'DCNv2_bad', key 'learnig_rate': unknown key for model DCNv2 \(did you mean 'learning_rate'\?\)/],
    ['  use_senet: True', /key 'use_senet': unknown key for model DCNv2/],
    ['  exclude_self: True', /key 'exclude_self': unknown key/],
    ['  cin_hidden_units: [2, 2]', /key 'cin_hidden_units': unknown key for model DCNv2/],
  ] as const) {
    withFile(GE4REC_STYLE + line + '\n', (file) => {
      assert.throws(() => loadExperiment(file, 'DCNv2_bad'), (e: Error) => re.test(e.message) && e.message.includes(file), line);
      const warnings: string[] = [];
      const e = loadExperiment(file, 'DCNv2_bad', { ignoreUnknownKeys: true, warn: (m) => warnings.push(m) });
      assert.equal(warnings.length, 1, line);
      assert.match(warnings[0], /ignored \(--ignore-unknown-keys\)/);
      assert.deepEqual(trained(e), trained(defaultExperiment('DCNv2', 'criteo_x1', 'dis')));
    });
  }
});

test("the paper's ablation keys are honoured (parsed into the config, run as a variant), not unknown", () => {
  withFile(GE4REC_STYLE + '  field_share: True\n', (file) => {
    const e = loadExperiment(file, 'DCNv2_bad');
    assert.equal(e.modelConfig.fieldShare, true);
    assert.equal(e.variant, 'DCNv2_bad');
  });
  const fm = 'FM_x:\n  model: FM\n  dataset_id: criteo_x1\n  embedding_dim: 10\n  batch_size: 64\n  use_random_predict: True\n';
  withFile(fm, (file) => {
    assert.throws(() => loadExperiment(file, 'FM_x'), /key 'use_random_predict': unknown key for model FM/);
  });
});

test('values the engine cannot honour are errors, never silent substitutes', () => {
  for (const [line, re] of [
    ['  optimizer: sgd', /key 'optimizer': optimizer "sgd" is not supported/],
    ['  loss: mse', /key 'loss': loss "mse" is not supported/],
    ['  monitor_mode: min', /key 'monitor_mode': monitor_mode "min" is not supported/],
    ['  use_low_rank_mixture: True', /key 'use_low_rank_mixture': the low-rank mixture/],
    ['  shuffle: False', /key 'shuffle'/],
    ['  eval_steps: 100', /key 'eval_steps'/],
    ['  use_fs: True', /key 'use_fs'/],
    ['  model_structure: diagonal', /key 'model_structure': 'diagonal' is not supported/],
    ['  task: regression', /key 'task'/],
  ] as const) {
    withFile(GE4REC_STYLE + line + '\n', (file) => {
      assert.throws(() => loadExperiment(file, 'DCNv2_bad', { ignoreUnknownKeys: true }), re, line);
    });
  }
});

test('a relative --results-dir holds the run folders once (not results/results/...)', async () => {
  const { runDir } = await import('../../src/train/run.js');
  const { resolve } = await import('node:path');
  assert.equal(runDir('results', 'synthetic-criteo', 'FM', 'dis', 2021), resolve('results', 'synthetic-criteo', 'FM', 'dis', 'seed-2021'));
});
