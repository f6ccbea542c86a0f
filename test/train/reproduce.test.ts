// End-to-end: the real data pipeline, models and engine behind `ge4rec reproduce`, on a tiny synthetic dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { openRun } from '../../src/train/run-loader.js';
import { runOne } from '../../src/train/run.js';
import { createEngine, engineOptions, openData } from '../../src/train/wiring.js';
import { defaultExperiment, type ExperimentConfig } from '../../src/models/config.js';
import type { FieldInfo } from '../../src/data/types.js';

test('reproduce --dataset synthetic-criteo --rows 20000 --model FM --paradigm both --max-epochs 2 writes runs and tables', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-repro-'));
  try {
    const results = join(dir, 'results');
    const out = (await Reproduce.run(
      ['--dataset', 'synthetic-criteo', '--rows', '20000', '--model', 'FM', '--paradigm', 'both', '--max-epochs', '2', '--data-dir', join(dir, 'data'), '--results-dir', results, '--json'],
      PACKAGE_ROOT,
    )) as { table1: { model: string; paradigm: string; auc_mean: number; logloss_mean: number; lift_auc_pct: number | null }[] };
    assert.deepEqual(out.table1.map((r) => `${r.model}/${r.paradigm}`), ['FM/dis', 'FM/gen']);
    for (const r of out.table1) {
      assert.ok(r.auc_mean > 0 && r.auc_mean < 1 && r.logloss_mean > 0, JSON.stringify(r));
    }
    assert.equal(typeof out.table1[1].lift_auc_pct, 'number');
    for (const p of ['dis', 'gen']) {
      const run = join(results, 'synthetic-criteo', 'FM', p, 'seed-2021');
      // A finished run keeps the model, metrics and history; checkpoints only while it trains (or --keep-checkpoints).
      assert.deepEqual(readdirSync(run).sort(), ['config.json', 'history.csv', 'history.json', 'metrics.json', 'model.onnx', 'test_predictions.parquet'], p);
      const bytes = (f: string) => statSync(join(run, f)).size;
      const rest = readdirSync(run).filter((f) => !/^(model\.onnx|test_predictions\.parquet)$/.test(f)).reduce((a, f) => a + bytes(f), 0);
      assert.ok(rest < 100_000, `${p}: ${rest} bytes besides model.onnx and the test predictions`);
      const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
      assert.equal(m.epochs_run, 2);
      assert.equal(m.test.AUC, out.table1[p === 'dis' ? 0 : 1].auc_mean);
    }
    for (const t of ['table1', 'table5']) for (const ext of ['md', 'csv', 'json']) assert.ok(existsSync(join(results, 'synthetic-criteo', `${t}.${ext}`)));

    // openRun rebuilds the engine from config.json + model.onnx's weights and predicts what the run measured on
    // the test split.
    const { evaluateSplit } = await import('../../src/train/fit.js');
    const testAuc = async (runDir: string) => {
      const run = await openRun(runDir);
      try {
        return (await evaluateSplit(run.engine, run.splits.test, 4096, ['AUC', 'logloss'])).AUC;
      } finally {
        await run.engine.dispose();
      }
    };
    const gen = join(results, 'synthetic-criteo', 'FM', 'gen', 'seed-2021');
    assert.equal(await testAuc(gen), out.table1[1].auc_mean);

    // --keep-checkpoints keeps best/ (weights and Adam state); openRun then loads it, to the same predictions.
    const kept = join(dir, 'kept');
    await Reproduce.run(
      ['--dataset', 'synthetic-criteo', '--rows', '20000', '--model', 'FM', '--paradigm', 'gen', '--max-epochs', '2', '--data-dir', join(dir, 'data'), '--results-dir', kept, '--keep-checkpoints', '--json'],
      PACKAGE_ROOT,
    );
    const keptRun = join(kept, 'synthetic-criteo', 'FM', 'gen', 'seed-2021');
    assert.ok(existsSync(join(keptRun, 'best', 'checkpoint.json')));
    assert.equal(await testAuc(keptRun), out.table1[1].auc_mean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real engine: a run killed mid-epoch and resumed ends bit-for-bit like an uninterrupted one (threads 1)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-resume-'));
  try {
    const data = await openData('synthetic-criteo', { dataDir: join(dir, 'data'), rows: 20000, progress: false });
    const choice = { device: 'cpu' as const, embeddingOptimizer: 'dense' as const, threads: 1 };
    // DeepFM on Criteo settings has dropout and batch norm: both must survive the checkpoint.
    const exp = { ...defaultExperiment('DeepFM', 'criteo_x1', 'gen'), batchSize: 2048 };
    const base = { dataset: 'synthetic-criteo', exp, seed: 5, engine: choice, data: { dataDir: join(dir, 'data'), ...data }, maxEpochs: 2, progress: false };
    const make = (killAtStep?: number) => async (e: ExperimentConfig, f: FieldInfo[], s: number) => {
      const eng = await createEngine(engineOptions(e, f, s, choice));
      if (killAtStep !== undefined) {
        let n = 0;
        const step = eng.trainStep.bind(eng);
        eng.trainStep = async (b) => {
          if (++n === killAtStep) throw new Error('killed');
          return step(b);
        };
      }
      return eng;
    };
    const a = await runOne({ ...base, resultsDir: join(dir, 'a'), createEngine: make() });
    await assert.rejects(runOne({ ...base, resultsDir: join(dir, 'b'), createEngine: make(10) }), /killed/); // 7 steps per epoch
    const b = await runOne({ ...base, resultsDir: join(dir, 'b'), resume: true, createEngine: make() });
    assert.equal((b.metrics as unknown as { resumed_from_epoch: number }).resumed_from_epoch, 1);
    assert.deepEqual(b.metrics.test, a.metrics.test);
    assert.deepEqual(b.metrics.valid, a.metrics.valid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproduce on a real dataset that is not prepared names the prepare command', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-repro-'));
  try {
    await assert.rejects(
      Reproduce.run(['--dataset', 'avazu_x4', '--model', 'FM', '--data-dir', join(dir, 'data'), '--results-dir', dir], PACKAGE_ROOT),
      /ge4rec prepare --dataset avazu_x4/,
    );
  } finally {
    process.exitCode = 0; // oclif sets the exit code of a failed command; this failure was the expected one

    rmSync(dir, { recursive: true, force: true });
  }
});
