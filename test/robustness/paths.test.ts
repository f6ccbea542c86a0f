// Class 1: paths built from input never leave their folder; an output folder that cannot exist fails at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultExperiment } from '../../src/models/config.js';
import { runOne } from '../../src/train/run.js';
import { FIELDS, randomSplit, TinyLogisticEngine } from '../train/fakes.js';
import { tempDir } from '../data/helpers.js';

const devCli = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));

function baseRun(dir: string) {
  const exp = { ...defaultExperiment('FM', 'criteo_x1', 'gen'), batchSize: 50 };
  const splits = { train: randomSplit(200, 1), valid: randomSplit(100, 2), test: randomSplit(100, 3) };
  return {
    exp, resultsDir: join(dir, 'results'), dataset: 'synthetic-criteo', seed: 2021, maxEpochs: 1, progress: false,
    engine: { device: 'cpu' as const, embeddingOptimizer: 'dense' as const },
    data: { dataDir: dir, dir, fields: FIELDS, splits },
    createEngine: async (_e: unknown, _f: unknown, s: number) => new TinyLogisticEngine(s),
  };
}

test("a config's model '../../victim' is refused before anything outside --results-dir is touched", async () => {
  const { dir, cleanup } = tempDir('rb-paths');
  try {
    // results/synthetic-criteo/../../victim/gen/seed-2021 is <dir>/victim/gen/seed-2021
    const victim = join(dir, 'victim', 'gen', 'seed-2021');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'keep.txt'), 'precious');
    const b = baseRun(dir);
    for (const model of ['../../victim', 'a/b', '..', '.hidden', '']) {
      await assert.rejects(runOne({ ...b, exp: { ...b.exp, model } }), (e: Error) => e.name === 'UserError' && /model/.test(e.message), model);
    }
    assert.ok(existsSync(join(victim, 'keep.txt')), 'the folder outside --results-dir survives');
    assert.ok(!existsSync(join(victim, 'config.json')), 'nothing is written outside --results-dir');
    await assert.rejects(runOne({ ...b, exp: { ...b.exp, expid: '../x' } }), /expid/);
    await assert.rejects(runOne({ ...b, dataset: '../../victim' }), /dataset/);
  } finally {
    cleanup();
  }
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', devCli, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, GE4REC_NO_WORKERS: '1' } });
}

test('--data-dir / --results-dir under /proc or under a file fail at once with the path (no spinning mkdir)', { timeout: 90_000 }, () => {
  const { dir, cleanup } = tempDir('rb-outdir');
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string[], RegExp][] = [
      [['prepare', '--dataset', 'synthetic-criteo', '--rows', '100', '--data-dir', '/proc/ge4rec-robustness', '--json'], /--data-dir \/proc\/ge4rec-robustness/],
      [['prepare', '--dataset', 'synthetic-criteo', '--rows', '100', '--data-dir', join(file, 'sub'), '--json'], /a-file is a file/],
      [['reproduce', '--dataset', 'synthetic-criteo', '--rows', '100', '--model', 'FM', '--data-dir', join(dir, 'data'), '--results-dir', '/proc/ge4rec-robustness/r', '--json'], /--results-dir \/proc\/ge4rec-robustness\/r/],
    ];
    for (const [args, msg] of cases) {
      const r = cli(args);
      assert.notEqual(r.signal, 'SIGTERM', `${args.join(' ')}: still running after 30 s`);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(JSON.parse(r.stdout).error.message, msg);
    }
    assert.ok(!existsSync(join(dir, 'data')), 'reproduce stopped before preparing data');
  } finally {
    cleanup();
  }
});

test('a relative --results-dir / --data-dir: run folders land under it once (not results/results/...)', async () => {
  const { runDir } = await import('../../src/train/run.js');
  const { inside } = await import('../../src/util/safe-path.js');
  const { resolve } = await import('node:path');
  assert.equal(runDir('results', 'synthetic-criteo', 'FM', 'gen', 2021), resolve('results', 'synthetic-criteo', 'FM', 'gen', 'seed-2021'));
  assert.equal(runDir('./out/r', 'd', 'DCNv2', 'dis', 7), resolve('out', 'r', 'd', 'DCNv2', 'dis', 'seed-7'));
  assert.equal(inside('data', join('data', 'x')), resolve('data', 'x'));
  assert.throws(() => inside('data', join('data', '..', 'x')), /outside/);
});
