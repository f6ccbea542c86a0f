import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const runner = fileURLToPath(new URL('./fixtures/run-prepare.ts', import.meta.url));

function prepare(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...args], { encoding: 'utf8', env: { ...process.env, GE4REC_NO_WORKERS: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('ge4rec prepare --json prints a JSON summary; a second run skips every step', () => {
  const { dir, cleanup } = tempDir('cmd');
  try {
    const argv = ['--dataset', 'synthetic-avazu', '--rows', '300', '--seed', '4', '--data-dir', dir, '--json'];
    const a = prepare(argv);
    assert.equal(a.status, 0, a.stderr);
    const first = JSON.parse(a.stdout);
    assert.equal(first.dataset, 'synthetic-avazu');
    assert.deepEqual(first.rows, { train: 240, valid: 30, test: 30 });
    assert.equal(first.fields.length, 24);
    const second = JSON.parse(prepare(argv).stdout);
    assert.ok(second.steps.every((s: { status: string }) => s.status === 'skipped'));
  } finally {
    cleanup();
  }
});

test('ge4rec prepare: a user error prints its message without a stack and exits 2', () => {
  const { dir, cleanup } = tempDir('cmd-err');
  try {
    const r = prepare(['--dataset', 'criteo_x1', '--data-dir', dir, '--source', dir]);
    assert.equal(r.status, 2);
    const text = r.stderr.replace(/\s*\n\s*(›\s*)?/g, ' '); // oclif wraps long messages
    assert.match(text, /--source \S+ has neither Criteo_x1\.zip nor train\.csv/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    cleanup();
  }
});
