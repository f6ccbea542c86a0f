// `ge4rec regress` end to end on the built CLI, with a tiny suite (FM DIS, 2,000 rows, one epoch) and its own
// baseline: no baseline is an input error; --update records one (and its reason); the same run then matches bit for
// bit; a baseline whose number is off by one ulp fails with exit 1 and a table naming the run and the metric, in text
// and in --json (ok: false); the report file holds the same document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import type { Baseline } from '../../src/regress/baseline.js';

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PACKAGE_ROOT, 'bin', 'run.js'), 'regress', ...args],
      { encoding: 'utf8', env: { ...process.env, GE4REC_NO_PROGRESS: '1' }, timeout: 300_000 },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

test('regress: record, match, fail with a table, update with a reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-regress-cli-'));
  try {
    const file = join(dir, 'baseline.cpu.json');
    const tiny = ['--models', 'FM', '--paradigm', 'dis', '--rows', '2000', '--epochs', '1', '--baseline', file, '--data-dir', join(dir, 'data')];

    const none = await cli([...tiny, '--json']);
    assert.equal(none.status, 2);
    assert.match(JSON.parse(none.stdout).error.message, /no baseline at .*baseline\.cpu\.json/);

    const rec = await cli([...tiny, '--update', '--reason', 'first baseline']);
    assert.equal(rec.status, 0, rec.stderr);
    assert.match(rec.stdout, /FM dis\s+\(added\)/);
    const b = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
    assert.deepEqual(Object.keys(b.runs), ['FM dis']);
    assert.equal(b.settings.rows, 2000);
    assert.equal(b.history.at(-1)!.reason, 'first baseline');
    assert.match(b.runs['FM dis'].weights_sha256 as string, /^[0-9a-f]{64}$/);
    assert.ok(existsSync(join(dir, 'throughput.cpu.json')));

    const same = await cli([...tiny, '--report', join(dir, 'report.json')]);
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /regress: 1 run matches .*\(bit for bit, /);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.equal(report.ok, true);
    assert.equal(report.runs[0].numbers.weights_sha256, b.runs['FM dis'].weights_sha256);

    // The baseline's test AUC one ulp away from what training gives: exact mode must see it.
    const auc = b.runs['FM dis'].test_AUC as number;
    const off = auc + auc * Number.EPSILON;
    writeFileSync(file, JSON.stringify({ ...b, runs: { 'FM dis': { ...b.runs['FM dis'], test_AUC: off } } }));
    const moved = await cli(tiny);
    assert.equal(moved.status, 1, moved.stdout + moved.stderr);
    assert.match(moved.stdout, /run\s+metric\s+baseline\s+now\s+Δ\s+limit/);
    assert.match(moved.stdout, new RegExp(`FM dis\\s+test_AUC\\s+${String(off).replace('.', '\\.')}\\s+${String(auc).replace('.', '\\.')}\\s+-\\d\\.\\d\\de-1[67] .*exact`));
    assert.match(moved.stdout, /regress FAILED: 1 value moved in 1 of 1 run \(against .*baseline\.cpu\.json, exact/);
    const movedJson = await cli([...tiny, '--json']);
    assert.equal(movedJson.status, 1);
    const doc = JSON.parse(movedJson.stdout);
    assert.equal(doc.ok, false);
    assert.deepEqual(doc.failures.map((r: { run: string; metric: string }) => `${r.run}: ${r.metric}`), ['FM dis: test_AUC']);

    const upd = await cli([...tiny, '--update', '--reason', 'test: restore the true AUC']);
    assert.equal(upd.status, 0, upd.stderr);
    assert.match(upd.stdout, /FM dis\s+test_AUC\s+\S+\s+\S+\s+-/);
    const b2 = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
    assert.equal(b2.runs['FM dis'].test_AUC, auc);
    assert.deepEqual(b2.history.map((h) => [h.reason, h.changed]), [
      ['first baseline', ['FM dis: added']],
      ['test: restore the true AUC', ['FM dis: test_AUC']],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
