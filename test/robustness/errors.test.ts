// Class 5: every failure names what failed: the key of a bad config value, the file of bad JSON, the path that
// cannot be written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment } from '../../src/models/config.js';
import { EXPERIMENTS_DIR } from '../../src/util/paths.js';
import { writeFileAtomic } from '../../src/util/fs.js';
import { writeTables } from '../../src/train/tables.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { openSplit } from '../../src/data/split-source.js';
import { tempDir } from '../data/helpers.js';

const isUserError = (e: unknown): e is Error => e instanceof Error && e.name === 'UserError';

test('a size that is not a whole number is refused naming the key (not "bad dim 2.5" from the graph builder)', () => {
  const { dir, cleanup } = tempDir('rb-dim');
  try {
    const yaml = readFileSync(join(EXPERIMENTS_DIR, 'FM.yaml'), 'utf8');
    for (const [key, value] of [['embedding_dim', '2.5'], ['batch_size', '0'], ['epochs', '-1']]) {
      const file = join(dir, `${key}.yaml`);
      writeFileSync(file, yaml.replace(new RegExp(`(\\n\\s+${key}:)\\s*[^\\n]+`, 'g'), `$1 ${value}`));
      assert.throws(() => loadExperiment(file, 'FM_criteo_x1_dis'), (e: unknown) => isUserError(e) && e.message.includes(file) && e.message.includes(`'${key}'`), key);
    }
  } finally {
    cleanup();
  }
});

test('truncated JSON files are named: a run\'s metrics.json, a cache\'s meta.json', async () => {
  const { dir, cleanup } = tempDir('rb-json');
  try {
    const run = join(dir, 'results', 'synthetic-criteo', 'FM', 'dis', 'seed-1');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'metrics.json'), '');
    assert.throws(() => writeTables(join(dir, 'results'), 'synthetic-criteo'), (e: unknown) => isUserError(e) && e.message.includes(join(run, 'metrics.json')));
    const s = await prepareDataset({ dataset: 'synthetic-criteo', dataDir: join(dir, 'data'), rows: 200, seed: 1 });
    const meta = join(s.dir, 'cache', 'valid', 'meta.json');
    writeFileSync(meta, readFileSync(meta, 'utf8').slice(0, 20));
    assert.throws(() => openSplit(s.dir, 'valid'), (e: unknown) => isUserError(e) && e.message.includes(meta));
  } finally {
    cleanup();
  }
});

test('a file that cannot be written because a parent is a file names the path (no bare ENOTDIR)', () => {
  const { dir, cleanup } = tempDir('rb-enotdir');
  try {
    writeFileSync(join(dir, 'f'), 'x');
    const target = join(dir, 'f', 'sub', 'table1.md');
    assert.throws(() => writeFileAtomic(target, 'x'), (e: unknown) => isUserError(e) && e.message.includes(target) && /ENOTDIR|EEXIST/.test(e.message));
  } finally {
    cleanup();
  }
});
