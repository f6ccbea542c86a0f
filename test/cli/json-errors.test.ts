// The `--json` contract of every command (src/cli/command.ts), checked on the built CLI (bin/run.js, dist/):
// exactly one JSON document on stdout, errors included, and the exit status that document states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Errors } from '@oclif/core';
import { Ge4recCommand, describeError } from '../../src/cli/command.js';
import { UserError } from '../../src/util/errors.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

const COMMANDS = readdirSync(join(PACKAGE_ROOT, 'src', 'commands'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the commands two at a time (the machine is shared). */
async function cliAll(argvs: string[][]): Promise<Ran[]> {
  const out: Ran[] = new Array(argvs.length);
  let next = 0;
  const worker = async () => {
    while (next < argvs.length) {
      const i = next++;
      out[i] = await cli(argvs[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PACKAGE_ROOT, 'bin', 'run.js'), ...args],
      { encoding: 'utf8', env: { ...process.env, GE4REC_NO_PROGRESS: '1' }, timeout: 300_000 },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** stdout must be one JSON document with only an `error` member: message, hint, code (= the exit status), kind. */
function errorDocument(r: Ran, what: string): { message: string; hint: string | null; code: number; kind: string } {
  let doc: unknown;
  assert.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `${what}: stdout is not one JSON document:\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  assert.deepEqual(Object.keys(doc as object), ['error'], what);
  const e = (doc as { error: { message: string; hint: string | null; code: number; kind: string } }).error;
  assert.deepEqual(Object.keys(e).sort(), ['code', 'hint', 'kind', 'message'], what);
  assert.equal(typeof e.message, 'string', what);
  assert.ok(e.hint === null || typeof e.hint === 'string', what);
  assert.equal(r.status, e.code, `${what}: exit status ${r.status}, document says ${e.code}`);
  return e;
}

test('every command extends Ge4recCommand (one error boundary, --json on)', async () => {
  assert.ok(COMMANDS.length >= 5, COMMANDS.join(','));
  for (const id of COMMANDS) {
    const mod = (await import(pathToFileURL(join(PACKAGE_ROOT, 'src', 'commands', `${id}.ts`)).href)) as { default: unknown };
    assert.ok((mod.default as { prototype: unknown }).prototype instanceof Ge4recCommand, `${id} does not extend Ge4recCommand`);
    assert.equal((mod.default as { enableJsonFlag?: boolean }).enableJsonFlag, true, id);
  }
});

test('every command: an unknown flag with --json is one error document, exit 2, nothing else on stdout', async () => {
  const runs = await cliAll(COMMANDS.map((id) => [id, '--json', '--no-such-flag']));
  runs.forEach((r, i) => {
    const e = errorDocument(r, COMMANDS[i]);
    assert.equal(e.code, 2, COMMANDS[i]);
    assert.equal(e.kind, 'usage', COMMANDS[i]);
    assert.match(e.message, /--no-such-flag/, COMMANDS[i]);
  });
});

test('an unknown command with --json is one error document naming it and the commands, exit 2', async () => {
  const r = await cli(['nosuch', '--json']);
  assert.equal(r.status, 2);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.code, 2);
  assert.equal(doc.error.kind, 'usage');
  assert.match(doc.error.message, /nosuch/);
  for (const c of COMMANDS) assert.ok(doc.error.hint.includes(c), c);
});

test("each command's own input errors with --json: the message names the flag, exit 2", async () => {
  const empty = mkdtempSync(join(tmpdir(), 'ge4rec-json-'));
  try {
    const cases: [string[], RegExp][] = [
      [['prepare', '--json', '--dataset', 'criteo_x1', '--data-dir', empty, '--source', empty], /--source .* has neither/],
      [['reproduce', '--json', '--model', 'FM'], /--dataset is required/],
      [['reproduce', '--json', '--dataset', 'synthetic-criteo', '--model', 'NoSuchModel'], /--model: unknown model 'NoSuchModel'/],
      [['analyze', '--json'], /--run|--dataset/],
      [['analyze', '--json', '--compare', empty], /--compare needs --run/],
      [['analyze', '--json', '--run', empty, '--dataset', 'synthetic-criteo'], /either --run .* or --dataset/],
      [['analyze', '--json', '--dataset', 'synthetic-criteo', '--model', 'FM', '--results-dir', empty], /synthetic-criteo|FM|no .*run/i],
      [['bench', '--json', '--models', 'NoSuchModel'], /--models: unknown model 'NoSuchModel'/],
      [['check-device', '--json', '--rtol', 'x'], /--rtol: expected a positive number/],
      [['regress', '--json', '--update'], /--update needs --reason/],
      [['regress', '--json', '--models', 'NoSuchModel'], /--models: unknown model 'NoSuchModel'/],
      [['regress', '--json', '--baseline', join(empty, 'none.json')], /no baseline at .*none\.json/],
      [['prepare', '--json', '--dataset', 'nope'], /--dataset/],
      [['prepare', '--json', '--dataset', 'mine', '--config', join(empty, 'dataset_config.yaml'), '--data-dir', empty], /--config: .*dataset_config\.yaml not found/],
      [['reproduce', '--json', '--config', join(empty, 'model_config.yaml'), '--expid', 'X', '--data-dir', empty, '--results-dir', empty], /model_config\.yaml/],
      [['serve', '--json', '--run', empty, '--port', '0'], new RegExp(empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
      [['predict', '--json', '--run', empty, '--input', join(empty, 'rows.csv')], new RegExp(empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
    ];
    const runs = await cliAll(cases.map(([args]) => args));
    runs.forEach((r, i) => {
      const what = cases[i][0].join(' ');
      const e = errorDocument(r, what);
      assert.equal(e.code, 2, what);
      assert.match(e.message, cases[i][1], what);
      assert.equal(r.stderr.includes('\n    at '), false, `${what}: a stack trace on stderr`);
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('text mode: the same errors go to stderr as "Error: message" + hint, stdout stays empty, same exit status', async () => {
  const r = await cli(['reproduce', '--model', 'FM']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Error: --dataset is required/);
  const bad = await cli(['bench', '--no-such-flag']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Nonexistent flag: --no-such-flag/);
});

test('describeError: user errors exit 2 with their hint, oclif flag errors 2, bugs 1 with a report hint', () => {
  assert.deepEqual(describeError(new UserError('config.yaml line 3: bad key', 'rename it')), {
    message: 'config.yaml line 3: bad key',
    hint: 'rename it',
    code: 2,
    kind: 'input',
  });
  const flag = describeError(new Errors.CLIError('Expected --x=y to be one of: a, b\nSee more help with --help', { exit: 2 }));
  assert.deepEqual(flag, { message: 'Expected --x=y to be one of: a, b', hint: 'see --help', code: 2, kind: 'usage' });
  const bug = describeError(new TypeError('x is undefined'));
  assert.equal(bug.code, 1);
  assert.equal(bug.kind, 'internal');
  assert.match(bug.hint!, /bug/);
  assert.equal(describeError(new Errors.ExitError(3)).code, 3);
});

test('help: every flag of every command says what it does; usage lines are not nested by flag dependencies', async () => {
  for (const id of COMMANDS) {
    const mod = (await import(pathToFileURL(join(PACKAGE_ROOT, 'src', 'commands', `${id}.ts`)).href)) as {
      default: { flags: Record<string, { description?: string; dependsOn?: unknown; exclusive?: unknown }>; summary?: string; description?: string };
    };
    const cmd = mod.default;
    assert.ok(cmd.summary ?? cmd.description, `${id}: no summary`);
    for (const [name, flag] of Object.entries(cmd.flags)) {
      assert.ok(flag.description && flag.description.length > 8, `${id} --${name}: no description`);
      // oclif renders dependsOn/exclusive as nested brackets in the usage line ("[--compare <value> [--run ...]]").
      assert.equal(flag.dependsOn, undefined, `${id} --${name}: dependsOn garbles the usage line; check in run()`);
      assert.equal(flag.exclusive, undefined, `${id} --${name}: exclusive garbles the usage line; check in run()`);
    }
  }
});
