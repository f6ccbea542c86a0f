// The combined Criteo + Avazu Table 1: cells, headline averages computed like the paper's (checked against the
// paper's own Table 1 when our runs equal it), Fig. 6's coefficient of variation, short-run marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../src/util/fs.js';
import { writeTables, type RunMetrics } from '../../src/train/tables.js';
import { combinedTable, cvPct } from '../../src/train/combined.js';
import { paperTable1 } from '../../src/train/paper.js';
import { table1Models } from '../../src/models/catalog.js';

function fakeRun(dir: string, dataset: string, model: string, paradigm: 'dis' | 'gen', auc: number, logloss: number, capped = false) {
  const m: RunMetrics = {
    dataset, model, paradigm, seed: 1, expid: `${model}_${dataset}_${paradigm}`,
    valid: { AUC: auc, logloss }, test: { AUC: auc, logloss },
    best_epoch: capped ? 3 : 1, epochs_run: 3, stopped_early: !capped, seconds_per_epoch: 1, train_samples_per_sec: 1, peak_rss_mb: 1, train_rows: 1,
  };
  writeJsonAtomic(join(dir, dataset, model, paradigm, 'seed-1', 'metrics.json'), m);
}

test("combined Table 1 from runs equal to the paper's numbers: the paper's headline average and CV come back", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-comb-'));
  try {
    for (const ds of ['criteo_x1', 'avazu_x4'] as const)
      for (const m of table1Models())
        for (const p of ['dis', 'gen'] as const) {
          const v = paperTable1(ds, m, p)!;
          fakeRun(dir, ds, m, p, v.auc, v.logloss, ds === 'avazu_x4' && m === 'FM' && p === 'gen');
        }
    writeTables(dir, 'criteo_x1');
    writeTables(dir, 'avazu_x4');
    assert.ok(existsSync(join(dir, 'table1-combined.md')) && existsSync(join(dir, 'fig6-cv.svg')));
    const t = combinedTable(dir)!;
    assert.equal(t.rows.length, 14);
    // the paper's abstract: +0.272% AUC, −0.435% Logloss averaged over models × datasets
    assert.equal(t.headline.all.ours_auc_lift_pct!.toFixed(3), '0.272');
    assert.equal(t.headline.all.ours_logloss_lift_pct!.toFixed(3), '-0.435');
    assert.equal(t.headline.all.paper_auc_lift_pct, t.headline.all.ours_auc_lift_pct);
    assert.deepEqual(t.headline.explicit.models, ['FM', 'FmFM', 'CrossNetV2']);
    // CV by hand for DIS Criteo AUC
    const xs = table1Models().map((m) => paperTable1('criteo_x1', m, 'dis')!.auc);
    const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (xs.length - 1));
    const cell = t.cv.find((c) => c.paradigm === 'dis' && c.dataset === 'criteo_x1' && c.metric === 'auc')!;
    assert.ok(Math.abs(cell.ours! - (sd / mu) * 100) < 1e-12);
    assert.equal(cell.paper, cell.ours);
    // GEN narrows the gap in the paper's numbers
    for (const ds of ['criteo_x1', 'avazu_x4'] as const)
      for (const metric of ['auc', 'logloss'] as const) {
        const v = (p: string) => t.cv.find((c) => c.paradigm === p && c.dataset === ds && c.metric === metric)!.ours!;
        assert.ok(v('gen') < v('dis'), `${ds} ${metric}`);
      }
    const md = readFileSync(join(dir, 'table1-combined.md'), 'utf8');
    assert.match(md, /\| FM \| GEN \| 0\.81108 \| 0\.81108 \|/);
    assert.match(md, /0\.79260 †/);
    assert.deepEqual(t.warnings.length, 1);
    assert.match(readFileSync(join(dir, 'avazu_x4', 'table1.md'), 'utf8'), /†/);
    assert.equal(cvPct([1]), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no combined table while only one release has runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-comb1-'));
  try {
    fakeRun(dir, 'criteo_x1', 'FM', 'dis', 0.8, 0.45);
    writeTables(dir, 'criteo_x1');
    assert.equal(combinedTable(dir), null);
    assert.ok(!existsSync(join(dir, 'table1-combined.md')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
