import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/util/fs.js';
import { writeTables, type RunMetrics } from '../../src/train/tables.js';

function fakeRun(dir: string, dataset: string, model: string, paradigm: 'dis' | 'gen', seed: number, auc: number, logloss: number, sec = 100, rss = 1000) {
  const m: RunMetrics = {
    dataset, model, paradigm, seed, expid: `${model}_${paradigm}`,
    valid: { AUC: auc, logloss }, test: { AUC: auc, logloss },
    best_epoch: 1, epochs_run: 3, stopped_early: true, seconds_per_epoch: sec, train_samples_per_sec: 1, peak_rss_mb: rss, train_rows: 1000,
  };
  writeJsonAtomic(join(dir, dataset, model, paradigm, `seed-${seed}`, 'metrics.json'), m);
}

test('Table 1 from fake runs: order, mean ± std, paper values, lift %, Welch marks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-t1-'));
  try {
    const ds = 'criteo_x1';
    [0.8, 0.801, 0.802].forEach((a, i) => fakeRun(dir, ds, 'FM', 'dis', 2021 + i, a, 0.45 - i * 1e-4));
    [0.81, 0.811, 0.812].forEach((a, i) => fakeRun(dir, ds, 'FM', 'gen', 2021 + i, a, 0.44 - i * 1e-4));
    [0.8, 0.81].forEach((a, i) => fakeRun(dir, ds, 'DeepFM', 'dis', 2021 + i, a, 0.44));
    [0.801, 0.811].forEach((a, i) => fakeRun(dir, ds, 'DeepFM', 'gen', 2021 + i, a, 0.44));
    fakeRun(dir, ds, 'FwFM', 'dis', 2021, 0.79, 0.45);
    fakeRun(dir, ds, 'FwFM', 'gen', 2021, 0.8, 0.44, 110, 1100);
    const { table1, table5 } = writeTables(dir, ds);
    assert.deepEqual(table1.map((r) => `${r.model}/${r.paradigm}`), ['FM/dis', 'FM/gen', 'DeepFM/dis', 'DeepFM/gen', 'FwFM/dis', 'FwFM/gen']);
    const fmGen = table1[1];
    assert.equal(fmGen.seeds, 3);
    assert.ok(Math.abs(fmGen.auc_mean - 0.811) < 1e-12);
    assert.ok(Math.abs(fmGen.auc_std - 0.001) < 1e-12);
    assert.ok(Math.abs(fmGen.lift_auc_pct! - ((0.811 - 0.801) / 0.801) * 100) < 1e-9);
    assert.ok(fmGen.lift_logloss_pct! < 0);
    assert.equal(fmGen.sig_auc, true);
    assert.equal(fmGen.sig_logloss, true);
    assert.equal(fmGen.paper_auc, 0.81108);
    assert.ok(Math.abs(fmGen.diff_auc! - (0.811 - 0.81108)) < 1e-12);
    assert.ok(Math.abs(fmGen.paper_lift_auc_pct! - ((0.81108 - 0.80236) / 0.80236) * 100) < 1e-9);
    assert.equal(table1[3].sig_auc, false); // overlapping DeepFM seeds
    assert.equal(table1[5].p_auc, null); // one seed per side: no test
    assert.equal(table1[5].paper_auc, null); // FwFM is not in the paper's Table 1
    assert.equal(table1[0].lift_auc_pct, null); // lift only on GEN rows

    const md = readFileSync(join(dir, ds, 'table1.md'), 'utf8');
    assert.match(md, /\| FM +\| GEN +\| 3 +\| 0\.81100±0\.00100 \* +\| 0\.81108 +\| -0\.00008 +\|/);
    assert.match(md, /\| DeepFM +\| GEN +\| 2 +\| 0\.80600±0\.00707 +\| 0\.81396 +\|/);
    const csvLines = readFileSync(join(dir, ds, 'table1.csv'), 'utf8').trim().split('\n');
    assert.equal(csvLines.length, 7);
    assert.ok(csvLines[0].startsWith('model,paradigm,seeds,auc_mean'));
    assert.equal(JSON.parse(readFileSync(join(dir, ds, 'table1.json'), 'utf8')).rows.length, 6);
    // Narrow enough for a terminal: the widest line of the table (3 seeds, paper values, Δ and lifts) fits 140
    // columns; the explanations stand under the table, and the CSV keeps every field under its full name.
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    assert.ok(Math.max(...tableLines.map((l) => [...l].length)) <= 140, tableLines.join('\n'));
    assert.ok(md.indexOf('- **Lift %**') > md.lastIndexOf('| FwFM '), 'the legend stands under the table');
    assert.match(md, /\*\*Δ\*\* = ours − paper/);
    for (const k of ['paper_source', 'p_auc', 'p_logloss', 'paper_lift_logloss_pct']) assert.ok(csvLines[0].split(',').includes(k), k);
    const md5 = readFileSync(join(dir, ds, 'table5.md'), 'utf8');
    assert.ok(Math.max(...md5.split('\n').filter((l) => l.startsWith('|')).map((l) => [...l].length)) <= 140);
    assert.match(md5, /\*\*Paper\*\*: the paper's Table 5/);

    const fw = table5.find((r) => r.model === 'FwFM')!;
    assert.ok(Math.abs(fw.time_overhead_pct! - 10) < 1e-9);
    assert.ok(Math.abs(fw.memory_overhead_pct! - 10) < 1e-9);
    assert.ok(Math.abs(fw.dis_projected_full_epoch_s! - 100 * 33003326 / 1000) < 1e-6);
    const fm5 = table5.find((r) => r.model === 'FM')!;
    assert.equal(fm5.paper_dis_seconds, 520);
    assert.ok(Math.abs(fm5.paper_time_overhead_pct! - ((538 - 520) / 520) * 100) < 1e-9);
    assert.match(readFileSync(join(dir, ds, 'table5.md'), 'utf8'), /\| FM +\| 100\.0 +\| 100\.0 +\| \+0\.00 +\|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('synthetic data: paper numbers labelled as real-data, no difference column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-t1s-'));
  try {
    fakeRun(dir, 'synthetic-avazu', 'DCNv2', 'dis', 1, 0.7, 0.5);
    fakeRun(dir, 'synthetic-avazu', 'DCNv2', 'gen', 1, 0.71, 0.49);
    const { table1 } = writeTables(dir, 'synthetic-avazu');
    assert.equal(table1[0].paper_auc, 0.79282);
    assert.equal(table1[0].diff_auc, null);
    assert.match(table1[0].paper_source!, /not comparable/);
    const md = readFileSync(join(dir, 'synthetic-avazu', 'table1.md'), 'utf8');
    assert.match(md, /the paper's Table 1 on the real avazu_x4, for orientation only/);
    assert.ok(!md.includes('Δ AUC'), 'no difference column on synthetic data');
    assert.match(md.split('\n').find((l) => l.startsWith('| Model'))!, /\| AUC +\| Paper AUC +\| Logloss +\| Paper LL +\|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
