import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultExperiment } from '../../src/models/config.js';
import { runOne, runDir } from '../../src/train/run.js';
import { FIELDS, randomSplit, TinyLogisticEngine } from './fakes.js';

test('runOne writes the run folder and the tables; --resume continues a killed run to the same metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-run-'));
  try {
    const exp = { ...defaultExperiment('FM', 'criteo_x1', 'gen'), batchSize: 50 };
    const splits = { train: randomSplit(500, 1), valid: randomSplit(200, 2), test: randomSplit(200, 3) };
    const data = { dataDir: dir, dir, fields: FIELDS, splits };
    const base = { dataset: 'synthetic-criteo', exp, engine: { device: 'cpu' as const, embeddingOptimizer: 'dense' as const }, data, maxEpochs: 4, progress: false };

    const a = await runOne({ ...base, resultsDir: join(dir, 'a'), seed: 2021, createEngine: async (_e, _f, s) => new TinyLogisticEngine(s) });
    assert.equal(a.dir, runDir(join(dir, 'a'), 'synthetic-criteo', 'FM', 'gen', 2021));
    for (const f of ['config.json', 'history.json', 'history.csv', 'metrics.json', 'model.onnx']) assert.ok(existsSync(join(a.dir, f)), f);
    assert.ok(!existsSync(join(a.dir, 'best')) && !existsSync(join(a.dir, 'checkpoints')), 'a finished run keeps no checkpoints');
    assert.ok(!existsSync(join(a.dir, 'checkpoints')));
    const cfg = JSON.parse(readFileSync(join(a.dir, 'config.json'), 'utf8'));
    assert.equal(cfg.experiment.epochs, 4);
    assert.equal(cfg.experiment.seed, 2021);
    assert.deepEqual(cfg.fields, FIELDS);
    const hist = readFileSync(join(a.dir, 'history.csv'), 'utf8').trim().split('\n');
    assert.equal(hist[0], 'epoch,train_loss,val_AUC,val_logloss,monitor,lr,next_lr,improved,seconds,samples_per_sec,peak_rss_mb');
    assert.equal(hist.length, 1 + a.metrics.epochs_run);
    for (const t of ['table1', 'table5']) for (const ext of ['md', 'csv', 'json']) assert.ok(existsSync(join(dir, 'a', 'synthetic-criteo', `${t}.${ext}`)));

    // Killed during epoch 3: the engine throws on its first step past 2 epochs (10 steps per epoch).
    const killer = (s: number) => {
      const e = new TinyLogisticEngine(s);
      const step = e.trainStep.bind(e);
      e.trainStep = async (b) => {
        if (e.steps === 25) throw new Error('killed');
        return step(b);
      };
      return e;
    };
    await assert.rejects(runOne({ ...base, resultsDir: join(dir, 'b'), seed: 2021, createEngine: async (_e, _f, s) => killer(s) }), /killed/);
    const bDir = runDir(join(dir, 'b'), 'synthetic-criteo', 'FM', 'gen', 2021);
    assert.ok(existsSync(join(bDir + '.partial', 'checkpoints', 'state.json')), 'a killed run trains in seed-<s>.partial/');
    assert.ok(!existsSync(bDir), 'an unfinished run has no run folder');
    const b = await runOne({ ...base, resultsDir: join(dir, 'b'), seed: 2021, resume: true, createEngine: async (_e, _f, s) => new TinyLogisticEngine(s + 1) });
    assert.equal(b.metrics.test.AUC, a.metrics.test.AUC);
    assert.equal(b.metrics.test.logloss, a.metrics.test.logloss);
    assert.equal(b.metrics.best_epoch, a.metrics.best_epoch);
    assert.equal((b.metrics as unknown as { resumed_from_epoch: number }).resumed_from_epoch, 2);
    const again = await runOne({ ...base, resultsDir: join(dir, 'b'), seed: 2021, resume: true, createEngine: async () => assert.fail('finished runs are skipped') });
    assert.equal(again.skipped, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
