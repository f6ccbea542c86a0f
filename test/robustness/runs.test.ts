// Classes 2 and 3 (runs): a failed rerun never destroys a finished run; only a run that trained, with finite
// losses and scores, is published; --resume refuses a changed configuration and a changed checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultExperiment } from '../../src/models/config.js';
import { runDir, runOne } from '../../src/train/run.js';
import type { Batch } from '../../src/data/types.js';
import { FIELDS, MemorySplit, randomSplit, TinyLogisticEngine } from '../train/fakes.js';
import { tempDir } from '../data/helpers.js';

function setup(dir: string) {
  const exp = { ...defaultExperiment('FM', 'criteo_x1', 'gen'), batchSize: 50 };
  const splits = { train: randomSplit(500, 1), valid: randomSplit(200, 2), test: randomSplit(200, 3) };
  const resultsDir = join(dir, 'results');
  return {
    exp, resultsDir, dataset: 'synthetic-criteo', seed: 2021, maxEpochs: 3, progress: false,
    engine: { device: 'cpu' as const, embeddingOptimizer: 'dense' as const },
    data: { dataDir: dir, dir, rows: 500, fields: FIELDS, splits },
    createEngine: async (_e: unknown, _f: unknown, s: number) => new TinyLogisticEngine(s),
  };
}

/** An engine that throws on step `at` (a crash, a full disk, a kill). */
function failingAt(at: number) {
  return async (_e: unknown, _f: unknown, s: number) => {
    const e = new TinyLogisticEngine(s);
    const step = e.trainStep.bind(e);
    e.trainStep = async (b: Batch) => {
      if (e.steps === at) throw new Error('disk full');
      return step(b);
    };
    return e;
  };
}

const table1 = (results: string) => JSON.parse(readFileSync(join(results, 'synthetic-criteo', 'table1.json'), 'utf8')).rows as { seeds: number; auc_mean: number }[];

test('a rerun that fails leaves the finished run and Table 1 as they were', async () => {
  const { dir, cleanup } = tempDir('rb-rerun');
  try {
    const b = setup(dir);
    const done = await runOne(b);
    const files = readdirSync(done.dir).sort();
    const metrics = readFileSync(join(done.dir, 'metrics.json'), 'utf8');
    await assert.rejects(runOne({ ...b, createEngine: failingAt(15) }), /disk full/);
    assert.deepEqual(readdirSync(done.dir).sort(), files, 'the finished run keeps every file');
    assert.equal(readFileSync(join(done.dir, 'metrics.json'), 'utf8'), metrics);
    assert.deepEqual(table1(b.resultsDir).map((r) => r.auc_mean), [done.metrics.test.AUC]);
    // A rerun that finishes replaces it.
    const again = await runOne({ ...b, maxEpochs: 2 });
    assert.equal(JSON.parse(readFileSync(join(again.dir, 'metrics.json'), 'utf8')).epochs_run, 2);
    assert.deepEqual(readdirSync(join(b.resultsDir, 'synthetic-criteo', 'FM', 'gen')), ['seed-2021'], 'no partial or old folder left');
  } finally {
    cleanup();
  }
});

test('runs that did not train, diverged, or cannot be scored are not published and are marked failed', async () => {
  const { dir, cleanup } = tempDir('rb-publish');
  try {
    const b = setup(dir);
    const exploding = async (_e: unknown, _f: unknown, s: number) => {
      const e = new TinyLogisticEngine(s);
      const step = e.trainStep.bind(e);
      e.trainStep = async (x: Batch) => ({ loss: (await step(x)).loss * 1e15 });
      return e;
    };
    const oneClass = new MemorySplit([0, 1, 2, 3], [0, 0, 0, 0]);
    const cases: [string, Parameters<typeof runOne>[0], RegExp][] = [
      ['epochs -1', { ...b, maxEpochs: undefined, exp: { ...b.exp, epochs: -1 } }, /no epoch was trained/],
      ['empty train split', { ...b, data: { ...b.data, splits: { ...b.data.splits, train: new MemorySplit([], []) } } }, /train loss is NaN/],
      ['single-class valid', { ...b, data: { ...b.data, splits: { ...b.data.splits, valid: oneClass } } }, /only negative labels/],
      ['exploding loss', { ...b, createEngine: exploding }, /exceeds 100/],
    ];
    for (const [name, o, why] of cases) {
      await assert.rejects(runOne(o), (e: Error) => e.name === 'UserError' && why.test(e.message), name);
      const d = runDir(b.resultsDir, 'synthetic-criteo', 'FM', 'gen', 2021);
      assert.ok(!existsSync(d), `${name}: no run folder`);
      const failed = JSON.parse(readFileSync(join(d + '.partial', 'failed.json'), 'utf8'));
      assert.match(failed.reasons.join('; '), why, name);
      assert.ok(!existsSync(join(b.resultsDir, 'synthetic-criteo', 'table1.json')) || table1(b.resultsDir).length === 0, `${name}: not in Table 1`);
    }
  } finally {
    cleanup();
  }
});

test('--resume refuses a changed configuration (hyper-parameters, rows), listing the differences', async () => {
  const { dir, cleanup } = tempDir('rb-resume');
  try {
    const b = setup(dir);
    await assert.rejects(runOne({ ...b, createEngine: failingAt(25) }), /disk full/);
    await assert.rejects(
      runOne({ ...b, resume: true, exp: { ...b.exp, learningRate: 0.05 } }),
      (e: Error) => e.name === 'UserError' && /experiment\.learningRate: recorded 0\.001, now 0\.05/.test(e.message),
    );
    const done = await runOne({ ...b, resume: true });
    assert.equal((done.metrics as unknown as { resumed_from_epoch: number }).resumed_from_epoch, 2);
    // a finished run resumed with another --rows
    await assert.rejects(
      runOne({ ...b, resume: true, data: { ...b.data, rows: 1000 } }),
      (e: Error) => e.name === 'UserError' && /data\.rows: recorded 500, now 1000/.test(e.message),
    );
  } finally {
    cleanup();
  }
});

test('--resume refuses a checkpoint whose bytes changed, naming the file', async () => {
  const { dir, cleanup } = tempDir('rb-ckpt');
  try {
    const b = setup(dir);
    await assert.rejects(runOne({ ...b, createEngine: failingAt(25) }), /disk full/);
    const run = runDir(b.resultsDir, 'synthetic-criteo', 'FM', 'gen', 2021);
    const ckpts = join(existsSync(run + '.partial') ? run + '.partial' : run, 'checkpoints');
    const epoch = readdirSync(ckpts).find((n) => n.startsWith('epoch-'))!;
    const file = join(ckpts, epoch, 'ckpt.json');
    const c = JSON.parse(readFileSync(file, 'utf8'));
    c.w[0] += 0.25; // finite garbage
    writeFileSync(file, JSON.stringify(c));
    await assert.rejects(runOne({ ...b, resume: true }), (e: Error) => e.name === 'UserError' && e.message.includes(file) && /checksum/.test(e.message));
  } finally {
    cleanup();
  }
});

test('reproduce with lr 1e6 (a loss that explodes without reaching NaN) exits non-zero and Table 1 stays empty', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir('rb-lr');
  try {
    const { default: Reproduce } = await import('../../src/commands/reproduce.js');
    const { PACKAGE_ROOT, EXPERIMENTS_DIR } = await import('../../src/util/paths.js');
    const cfg = join(dir, 'FM.yaml');
    writeFileSync(cfg, readFileSync(join(EXPERIMENTS_DIR, 'FM.yaml'), 'utf8').replace(/(\n\s+learning_rate:)\s*[^\n]+/g, '$1 1.0e+6'));
    const { captureStdout } = await import('../cli/capture.js');
    const out = captureStdout();
    try {
      await assert.rejects(Reproduce.run(['--dataset', 'synthetic-criteo', '--rows', '20000', '--config', cfg, '--expid', 'FM_criteo_x1_dis', '--max-epochs', '1', '--data-dir', join(dir, 'data'), '--results-dir', join(dir, 'results'), '--json'], PACKAGE_ROOT));
    } finally {
      out.restore();
    }
    const doc = JSON.parse(out.text());
    assert.equal(doc.error.code, 2);
    assert.match(doc.error.message, /not published: epoch 1: mean train loss .* exceeds 100/);
    assert.deepEqual(table1(join(dir, 'results')), []);
  } finally {
    cleanup();
  }
});

test('a full disk while writing a run names the run folder and keeps the finished run', async () => {
  const { dir, cleanup } = tempDir('rb-enospc');
  try {
    const b = setup(dir);
    const done = await runOne(b);
    const metrics = readFileSync(join(done.dir, 'metrics.json'), 'utf8');
    const full = async (_e: unknown, _f: unknown, s: number) => {
      const e = new TinyLogisticEngine(s);
      e.exportOnnx = () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      return e;
    };
    await assert.rejects(runOne({ ...b, createEngine: full }), (e: Error) => e.name === 'UserError' && /Disk full while writing .*seed-2021/.test(e.message));
    assert.equal(readFileSync(join(done.dir, 'metrics.json'), 'utf8'), metrics);
  } finally {
    cleanup();
  }
});

test('a swap cut short by a kill (finished run moved aside, new one not yet in place) is undone on the next call', async () => {
  const { dir, cleanup } = tempDir('rb-swap');
  try {
    const b = setup(dir);
    const done = await runOne(b);
    const { renameSync } = await import('node:fs');
    const dead = 4_000_000 + (process.pid % 1000); // above Linux's pid_max default: no such process
    renameSync(done.dir, `${done.dir}.old-${dead}`);
    const again = await runOne({ ...b, resume: true, createEngine: async () => assert.fail('the finished run is found again') });
    assert.equal(again.skipped, true);
    assert.equal(again.metrics.test.AUC, done.metrics.test.AUC);
    assert.ok(!existsSync(`${done.dir}.old-${dead}`));
  } finally {
    cleanup();
  }
});
