// `ge4rec ablate`: the study tables from run metrics (numbers by hand), and the command end to end on a tiny
// synthetic Criteo (trains, writes every file, reuses finished runs, refuses to reuse a run trained otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ablate from '../../src/commands/ablate.js';
import { renderStudy, studyRows } from '../../src/ablation/report.js';
import { parseStudies } from '../../src/ablation/studies.js';
import type { RunMetrics } from '../../src/train/tables.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { UserError } from '../../src/util/errors.js';
import { captureStdout } from '../cli/capture.js';
import { checkPngMatchesSvg } from '../analysis/png-check.js';

const m = (seed: number, auc: number, logloss: number) =>
  ({ dir: `d${seed}`, metrics: { seed, test: { AUC: auc, logloss } } as unknown as RunMetrics });

test('study rows: mean ± sample std over seeds, Δ against DIS and GEN, the paper value of the template dataset', () => {
  const rows = studyRows('source', 'avazu_x4', {
    dis: { expid: 'dis', runs: [m(1, 0.70, 0.50), m(2, 0.72, 0.48)] },
    gen: { expid: 'gen', runs: [m(1, 0.74, 0.46), m(2, 0.76, 0.44)] },
    variants: [
      { suffix: 'own_source', expid: 'a', runs: [m(1, 0.71, 0.49), m(2, 0.71, 0.47)] },
      { suffix: 'group0', expid: 'b', runs: [m(1, 0.73, 0.45), m(2, 0.75, 0.47)] },
      { suffix: 'group1', expid: 'c', runs: [m(1, 0.8, 0.4), m(2, 0.8, 0.4)] },
    ],
  });
  assert.deepEqual(rows.map((r) => r.variant), ['DIS', '(a) Own for all fields', '(b) All for high-cardinality fields', '(c) All for low-cardinality fields', 'GEN (all for all)']);
  const near = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  near(rows[0].auc_mean, 0.71);
  near(rows[0].auc_std, Math.sqrt(2e-4)); // two values 0.01 from the mean: √((1e-4 + 1e-4) / 1)
  near(rows[1].auc_std, 0);
  near(rows[2].delta_auc_vs_dis, 0.74 - 0.71);
  near(rows[2].delta_auc_vs_gen, 0.74 - 0.75);
  near(rows[3].delta_logloss_vs_gen, 0.4 - 0.45);
  assert.equal(rows[0].delta_auc_vs_dis, null);
  assert.equal(rows[4].delta_auc_vs_gen, null);
  assert.deepEqual(rows.map((r) => r.paper_auc), [0.792587, 0.792635, 0.792943, 0.793141, 0.793512]);
  const { md, csv } = renderStudy('source', 'avazu_x4', 'avazu_x4', rows);
  assert.match(md, /\| DIS \| 0\.710000 ± 0\.014142 \| 0\.490000 ± 0\.014142 \| — \| −0\.040000 \|/);
  assert.equal(csv.trim().split('\n').length, 6);
  assert.match(csv, /^\(a\) Own for all fields,a,1 2,0\.710000,0\.000000,/m);
  assert.deepEqual(parseStudies('all'), ['source', 'encoder', 'target', 'activation']);
  assert.deepEqual(parseStudies('target, source,target'), ['target', 'source']);
  assert.throws(() => parseStudies('sources'), (e: Error) => e instanceof UserError && /--study: unknown study 'sources'/.test(e.message));
});

test('ablate end to end: source and activation studies on 2000 synthetic rows, then reuse, then a refused reuse', { timeout: 300_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-ablate-'));
  const results = join(root, 'results');
  const common = ['--dataset', 'synthetic-criteo', '--rows', '2000', '--results-dir', results, '--data-dir', join(root, 'data'), '--threads', '1', '--json'];
  const args = [...common, '--max-epochs', '1'];
  const printed = captureStdout();
  try {
    const res = await Ablate.run([...args, '--study', 'source,activation', '--spectrum-rows', '300'], PACKAGE_ROOT);
    const out = join(results, 'synthetic-criteo', 'ablation');
    for (const s of ['source', 'activation']) {
      for (const e of ['md', 'csv', 'json']) assert.ok(existsSync(join(out, `${s}.${e}`)), `${s}.${e}`);
      checkPngMatchesSvg(join(out, `${s}.png`), join(out, `${s}.svg`));
    }
    checkPngMatchesSvg(join(out, 'activation-spectra.png'), join(out, 'activation-spectra.svg'));
    assert.equal(res.studies.source!.rows.length, 5);
    assert.equal(res.studies.activation!.rows.length, 7);
    assert.equal(res.studies.source!.trained, 3);
    // Variant runs live beside dis/ and gen/, under their experiment id.
    assert.ok(existsSync(join(results, 'synthetic-criteo', 'DCNv2', 'DCNv2_criteo_x1_group0', 'seed-2021', 'metrics.json')));
    const spectra = JSON.parse(readFileSync(join(out, 'activation-spectra.json'), 'utf8'));
    assert.deepEqual(spectra.series.map((s: { label: string }) => s.label), ['DIS', 'ReLU (GEN)', 'Linear', 'Sigmoid', 'Tanh', 'SiLU', 'ELU']);
    // GEN and DIS differ: the table is built from different runs.
    const src = res.studies.source!.rows;
    assert.notEqual(src[0].auc_mean, src[4].auc_mean);
    assert.deepEqual(JSON.parse(printed.text()).studies.source.rows, JSON.parse(JSON.stringify(src)));
    printed.clear();
    // Again: everything is reused, the same numbers come out.
    const again = await Ablate.run([...args, '--study', 'source', '--spectrum-rows', '0'], PACKAGE_ROOT);
    assert.deepEqual([again.studies.source!.trained, again.studies.source!.reused], [0, 3]);
    assert.deepEqual(again.studies.source!.rows, src);
    printed.clear();
    // Another epoch cap is another configuration: the finished runs are not passed off as it.
    await assert.rejects(Ablate.run([...common, '--max-epochs', '2', '--study', 'source'], PACKAGE_ROOT));
    assert.match(printed.text(), /ablate: .* was started with another configuration/);
  } finally {
    printed.restore();
    rmSync(root, { recursive: true, force: true });
  }
});
