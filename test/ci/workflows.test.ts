// The CI files: the workflows lint clean with actionlint (npm run lint:workflows), the linter catches a broken one,
// and the workflows and scripts run what the README and the issue promise (.ci/run = the README's test command, then
// the CPU regression suite; the GPU workflow on labels from a repository variable, by hand and nightly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

function lint(files: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'lint-workflows.mjs'), ...files], { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const read = (p: string) => readFileSync(join(PACKAGE_ROOT, p), 'utf8');

test('the workflows lint clean with actionlint', async () => {
  const r = await lint([]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /actionlint: 2 workflow file\(s\) clean/);
  assert.equal(JSON.parse(read('package.json')).scripts['lint:workflows'], 'node scripts/lint-workflows.mjs');
});

test('the linter fails a broken workflow, naming file, line and problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-wf-'));
  try {
    const f = join(dir, 'bad.yml');
    writeFileSync(f, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n');
    const r = await lint([f]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:\\d+: property "nope" is not defined`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ci.yml runs .ci/run on hosted Linux with Node 20 and 22; .ci/run is the README test command, then regress', () => {
  const ci = parse(read('.github/workflows/ci.yml'));
  const job = ci.jobs.test;
  assert.equal(job['runs-on'], 'ubuntu-latest');
  assert.deepEqual(job.strategy.matrix.node, ['20', '22']);
  assert.ok(job.steps.some((s: { run?: string }) => s.run === 'bash .ci/run'));
  const run = read('.ci/run');
  const readmeTest = /# 2\. install and run the test suite\n(.+)\n/.exec(read('README.md'))?.[1];
  assert.equal(readmeTest, 'npm ci && npm test');
  const lines = run.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
  assert.deepEqual(lines, [readmeTest, 'npx ge4rec regress --report results/regress/report.cpu.json']);
});

test('gpu.yml: self-hosted labels from a repository variable, manual and nightly, .ci/run-gpu, both reports uploaded', () => {
  const gpu = parse(read('.github/workflows/gpu.yml'));
  assert.ok('workflow_dispatch' in gpu.on);
  assert.ok(Array.isArray(gpu.on.schedule) && gpu.on.schedule[0].cron);
  const job = gpu.jobs.gpu;
  assert.match(job['runs-on'], /vars\.GPU_RUNNER_LABELS/);
  assert.ok(job.steps.some((s: { run?: string }) => s.run === 'bash .ci/run-gpu'));
  const upload = job.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact'));
  assert.match(upload.with.path, /results\/regress\//);
  assert.match(upload.with.path, /results\/check-device\//);
  const runGpu = read('.ci/run-gpu');
  assert.match(runGpu, /npx ge4rec check-device --device cuda --json > results\/check-device\/check-device\.cuda\.json/);
  assert.match(runGpu, /npx ge4rec regress --device cuda --report results\/regress\/report\.cuda\.json/);
});
