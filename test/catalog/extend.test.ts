// The catalogs are the only place a model or a dataset is declared: a tiny extra model (one descriptor, one YAML)
// and a tiny extra dataset (one descriptor with its files) go through prepare, reproduce and Table 1 untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { key, type ModelDescriptor } from '../../src/models/descriptor.js';
import { modelNames, registerModel, table1Models, unregisterModel } from '../../src/models/catalog.js';
import type { ModelConfig } from '../../src/models/config.js';
import { datasetNames, registerDataset, unregisterDataset } from '../../src/data/catalog.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { forwardFlops } from '../../src/train/flops.js';
import { tempDir, writeCsvs } from '../data/helpers.js';

type TinyConfig = ModelConfig & { useBias: boolean };

/** Logistic regression over the fields: the smallest model the engine trains. */
const tinyLr: ModelDescriptor = {
  name: 'TinyLR',
  table1Order: null,
  paperKey: null,
  experiments: 'TinyLR.yaml',
  keys: [key('use_bias', 'useBias', 'bool', true)],
  build: (ctx, cfg) => ctx.logisticRegression((cfg as TinyConfig).useBias).squeeze([1]),
  flops: (_cfg, F) => ({ body: 2 * F, encoderCount: 0 }),
};

function rows(n: number, seed: number): string[] {
  const out = ['y,colour,size,weight'];
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    const c = ['red', 'green', 'blue'][Math.floor(rnd() * 3)];
    out.push(`${c === 'red' && rnd() < 0.8 ? 1 : rnd() < 0.2 ? 1 : 0},${c},${1 + Math.floor(rnd() * 4)},${rnd().toFixed(3)}`);
  }
  return out;
}

test('a registered tiny model and tiny dataset train through reproduce, with no paper columns', { timeout: 120_000 }, async () => {
  const t = tempDir('catalog');
  const csvDir = join(t.dir, 'csv');
  writeCsvs(csvDir, { 'train.csv': rows(600, 1), 'valid.csv': rows(200, 2), 'test.csv': rows(200, 3) });
  registerModel(tinyLr);
  registerDataset({
    name: 'tiny_extra',
    spec: () => ({
      name: 'tiny_extra',
      folder: 'tiny_extra',
      csvColumns: ['y', 'colour', 'size', 'weight'],
      label: 'y',
      fields: [
        { name: 'colour', type: 'categorical', dtype: 'str' },
        { name: 'size', type: 'categorical', dtype: 'str' },
        { name: 'weight', type: 'numeric', dtype: 'float' },
      ],
      minCategrCount: 1,
    }),
    release: false,
    paper: null,
    hparams: null,
    files: { train: join(csvDir, 'train.csv'), valid: join(csvDir, 'valid.csv'), test: join(csvDir, 'test.csv') },
  });
  try {
    assert.ok(modelNames().includes('TinyLR') && !table1Models().includes('TinyLR'));
    assert.ok(datasetNames().includes('tiny_extra'));
    assert.throws(() => registerModel({ ...tinyLr, name: 'tinylr2', aliases: ['fm'] }), /already registered/);
    const dataDir = join(t.dir, 'data');
    const prep = await prepareDataset({ dataset: 'tiny_extra', dataDir });
    assert.equal(prep.rows.train, 600);
    assert.deepEqual(prep.fields.map((f) => [f.name, f.vocabSize]), [['colour', 5], ['size', 6], ['weight', undefined]]);

    const yaml = join(t.dir, 'TinyLR.yaml');
    writeFileSync(yaml, [
      'Base: &base',
      '  model_root: ./checkpoints/',
      '  verbose: 1',
      'TinyLR_tiny:',
      '  <<: *base',
      '  model: TinyLR',
      '  dataset_id: tiny_extra',
      '  embedding_dim: 4',
      '  batch_size: 64',
      '  learning_rate: 5.0e-2',
      '  epochs: 3',
      '  seed: 7',
      '  use_bias: false',
    ].join('\n') + '\n');
    const results = join(t.dir, 'results');
    const out = (await Reproduce.run(['--config', yaml, '--expid', 'TinyLR_tiny', '--data-dir', dataDir, '--results-dir', results, '--json'], PACKAGE_ROOT)) as {
      dataset: string;
      table1: { model: string; paradigm: string; auc_mean: number; paper_auc: number | null }[];
    };
    assert.equal(out.dataset, 'tiny_extra');
    assert.deepEqual(out.table1.map((r) => `${r.model}/${r.paradigm}`), ['TinyLR+TinyLR_tiny/dis']);
    assert.ok(out.table1[0].auc_mean > 0.6, `AUC ${out.table1[0].auc_mean}`);
    assert.equal(out.table1[0].paper_auc, null);
    assert.ok(existsSync(join(results, 'tiny_extra', 'TinyLR+TinyLR_tiny', 'dis', 'seed-7', 'metrics.json')));
    const md = readFileSync(join(results, 'tiny_extra', 'table1.md'), 'utf8');
    assert.doesNotMatch(md, /\| Paper/);
    assert.match(md, /no paper columns/);
    const cfg = JSON.parse(readFileSync(join(results, 'tiny_extra', 'TinyLR+TinyLR_tiny', 'dis', 'seed-7', 'config.json'), 'utf8'));
    assert.equal(cfg.experiment.modelConfig.useBias, false);
    assert.equal(forwardFlops(cfg.experiment.modelConfig, 3, 4, 'dis').total, 6);
  } finally {
    unregisterModel('TinyLR');
    unregisterDataset('tiny_extra');
    t.cleanup();
  }
});
