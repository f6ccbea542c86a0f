import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fit, type FitConfig, type EpochRecord } from '../../src/train/fit.js';
import { PlateauStopper } from '../../src/train/monitor.js';
import { ScriptedEngine, scriptedValidSplit, randomSplit, TinyLogisticEngine } from './fakes.js';

const base: FitConfig = { epochs: 100, batchSize: 4, learningRate: 1e-3, seed: 7, monitor: 'AUC', metrics: ['AUC', 'logloss'], progress: false };
const train = randomSplit(10, 1); // 3 batches of 4, 4, 2

async function runScript(script: number[], cfg: Partial<FitConfig> = {}) {
  const engine = new ScriptedEngine(script, 3);
  const res = await fit(engine, { train, valid: scriptedValidSplit(), test: scriptedValidSplit() }, { ...base, ...cfg });
  return { engine, res };
}

test('two misses in a row: lr 1e-3 → 1e-4, then stop; best weights reloaded', async () => {
  const { engine, res } = await runScript([0.5, 0.6, 0.6, 0.5, 0.9, 0.9]);
  assert.equal(res.epochsRun, 4);
  assert.equal(res.stoppedEarly, true);
  assert.deepEqual(engine.lrPerEpoch, [1e-3, 1e-3, 1e-3, 1e-4]);
  assert.equal(res.bestEpoch, 2);
  assert.deepEqual(engine.snapshots, [1, 2]);
  assert.deepEqual(engine.restores, [2]);
  assert.equal(res.valid.AUC, 0.6);
  assert.equal(res.test.AUC, 0.6);
  assert.deepEqual(res.history.map((h) => h.improved), [true, true, false, false]);
  assert.ok(Math.abs(res.history[3].next_lr - 1e-5) < 1e-18);
});

test('an improvement resets the miss counter but keeps the reduced lr', async () => {
  const { engine, res } = await runScript([0.5, 0.4, 0.7, 0.6, 0.6, 0.8]);
  assert.deepEqual(engine.lrPerEpoch.map((x) => +x.toExponential(6)), [1e-3, 1e-3, 1e-4, 1e-4, 1e-5]);
  assert.equal(res.epochsRun, 5);
  assert.equal(res.bestEpoch, 3);
  assert.equal(res.valid.AUC, 0.7);
});

test('lr floor 1e-6 and max epochs', async () => {
  const { engine, res } = await runScript([0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4], { earlyStopPatience: 10, epochs: 6 });
  assert.equal(res.epochsRun, 6);
  assert.equal(res.stoppedEarly, false);
  assert.deepEqual(engine.lrPerEpoch.map((x) => +x.toExponential(6)), [1e-3, 1e-3, 1e-4, 1e-5, 1e-6, 1e-6]);
  assert.equal(res.valid.AUC, 0.5);
});

test('min_delta 1e-6: a smaller gain is a miss; AUC − logloss monitor', () => {
  const s = new PlateauStopper(1e-3);
  assert.equal(s.step(0.8).improved, true);
  assert.equal(s.step(0.8 + 5e-7).improved, false);
  assert.equal(s.step(0.8 + 2e-6).improved, true);
  assert.equal(s.state.stoppingSteps, 0);
  assert.ok(Math.abs(s.state.lr - 1e-4) < 1e-18);
  assert.equal(s.step(NaN).improved, false);
});

const strip = (h: EpochRecord[]) => h.map(({ seconds, samples_per_sec, peak_rss_mb, ...rest }) => rest);

test('resume after a kill at epoch k gives the same history and metrics as an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-fit-'));
  try {
    const tr = randomSplit(400, 11);
    const splits = { train: tr, valid: randomSplit(200, 12), test: randomSplit(200, 13) };
    const cfg: FitConfig = { ...base, batchSize: 32, epochs: 7, earlyStopPatience: 3, monitor: { AUC: 1, logloss: -1 } };
    const full = await fit(new TinyLogisticEngine(5), splits, { ...cfg, checkpointDir: join(dir, 'a') });
    assert.ok(full.epochsRun >= 4, `ran ${full.epochsRun} epochs`);

    const killAt = 2;
    await assert.rejects(
      fit(new TinyLogisticEngine(5), splits, { ...cfg, checkpointDir: join(dir, 'b') }, {
        onEpochEnd: (r) => {
          if (r.epoch === killAt) throw new Error('killed');
        },
      }),
      /killed/,
    );
    const resumed = await fit(new TinyLogisticEngine(999), splits, { ...cfg, checkpointDir: join(dir, 'b'), resume: true });
    assert.equal(resumed.resumedFromEpoch, killAt);
    assert.deepEqual(strip(resumed.history), strip(full.history));
    assert.deepEqual(resumed.valid, full.valid);
    assert.deepEqual(resumed.test, full.test);
    assert.equal(resumed.bestEpoch, full.bestEpoch);

    // Without the engine checkpoint (a fresh engine, no resume) the result differs: the check can fail.
    const fresh = await fit(new TinyLogisticEngine(999), splits, { ...cfg, epochs: full.epochsRun - killAt });
    assert.notDeepEqual(fresh.valid, full.valid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
