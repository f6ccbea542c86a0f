// `ge4rec predict` on a finished run: raw rows are encoded exactly as prepare encoded the split, scored as the run
// scored it, written atomically; bad rows name file, line and field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import Predict from '../../src/commands/predict.js';
import { openDeployedRun } from '../../src/deploy/deployed-run.js';
import { BatchSink } from '../../src/deploy/rows.js';
import { scanCsv } from '../../src/data/csv.js';
import { openSplit } from '../../src/data/split-source.js';
import { FlatParquetWriter } from '../../src/data/parquet-file.js';
import { readTestPredictions } from '../../src/train/predictions.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { finishedRun, type RunFixture } from './run-fixture.js';

let fx: RunFixture;
let datasetDir: string;
before(async () => {
  fx = await finishedRun('FM', 'dis');
  datasetDir = JSON.parse(readFileSync(join(fx.runDir, 'config.json'), 'utf8')).data.dir;
});
after(() => rmSync(fx.root, { recursive: true, force: true }));

// errors are asserted without --json (with it, oclif prints the error document instead of throwing)
const predict = (args: string[], json = true) => Predict.run([...args, '--threads', '1', ...(json ? ['--json'] : [])], PACKAGE_ROOT) as unknown as Promise<{ rows: number; labelled: boolean; metrics: Record<string, number> | null; output: string }>;

async function readOut(path: string): Promise<Record<string, number>[]> {
  if (path.endsWith('.csv')) {
    const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
    const cols = head.split(',');
    return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], Number(v)])));
  }
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<string, number>[];
}

test('predict encodes raw test.csv exactly as prepare encoded the test split', { timeout: 120_000 }, async () => {
  const run = await openDeployedRun(fx.runDir, { threads: 1 });
  try {
    const sink = new BatchSink(1 << 20, run.scorer.numCat, run.scorer.numNum);
    let enc: ReturnType<typeof run.encoder.lineEncoder> | null = null;
    scanCsv(join(datasetDir, 'test.csv'), 256, (h) => (enc = run.encoder.lineEncoder(h, 'test.csv', (_f, p) => assert.fail(p), { labelOptional: true })), (f) => enc!(f, sink));
    const mine = sink.take();
    const split = openSplit(datasetDir, 'test');
    let at = 0;
    for await (const b of split.batches({ batchSize: 4096, shuffle: false, seed: 0, epoch: 0 })) {
      assert.deepEqual(mine.cat.subarray(at * run.scorer.numCat, (at + b.size) * run.scorer.numCat), b.cat);
      assert.deepEqual(mine.num.subarray(at * run.scorer.numNum, (at + b.size) * run.scorer.numNum), b.num);
      assert.deepEqual(mine.label.subarray(at, at + b.size), b.label);
      at += b.size;
    }
    assert.equal(at, mine.size);
  } finally {
    await run.close();
  }
});

test('predict on test.csv gives the run\'s own test predictions and metrics (parquet and CSV output)', { timeout: 120_000 }, async () => {
  const metrics = JSON.parse(readFileSync(join(fx.runDir, 'metrics.json'), 'utf8'));
  const ref = await readTestPredictions(fx.runDir);
  for (const ext of ['parquet', 'csv']) {
    const out = join(fx.root, `scores.${ext}`);
    const s = await predict(['--run', fx.runDir, '--input', join(datasetDir, 'test.csv'), '--output', out, '--batch', '777']);
    assert.equal(s.rows, metrics.test_rows);
    assert.equal(s.labelled, true);
    const rows = await readOut(out);
    assert.equal(rows.length, ref.preds.length);
    rows.forEach((r, i) => {
      assert.equal(r.label, ref.labels[i]);
      assert.ok(Math.abs(r.prob - ref.preds[i]) < 1e-6, `row ${i}: ${r.prob} vs ${ref.preds[i]}`);
    });
    assert.ok(Math.abs(s.metrics!.AUC - metrics.test.AUC) < 1e-6, `${s.metrics!.AUC} vs ${metrics.test.AUC}`);
    assert.ok(Math.abs(s.metrics!.logloss - metrics.test.logloss) < 1e-6);
  }
});

test('predict: unlabelled rows, unseen tokens and a parquet input', { timeout: 120_000 }, async () => {
  const lines = readFileSync(join(datasetDir, 'test.csv'), 'utf8').trim().split('\n').slice(0, 301);
  const cols = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  // drop the label; give rows 0..9 categorical tokens never seen in train (→ OOV)
  const c5 = cols.indexOf('C5');
  rows.slice(0, 10).forEach((r, i) => (r[c5] = String(9_000_000 + i)));
  const noLabel = join(fx.root, 'new.csv');
  writeFileSync(noLabel, [cols.slice(1).join(','), ...rows.map((r) => r.slice(1).join(','))].join('\n') + '\n');
  const s = await predict(['--run', fx.runDir, '--input', noLabel, '--output', join(fx.root, 'new.csv.out.csv')]);
  assert.equal(s.labelled, false);
  assert.equal(s.metrics, null);
  const a = await readOut(join(fx.root, 'new.csv.out.csv'));
  assert.equal(a.length, 300);
  assert.deepEqual(Object.keys(a[0]), ['prob']);
  // all unseen C5 tokens read the same OOV row: rows that differ only in C5 score alike
  const twin = rows[0].slice();
  twin[c5] = '123456789';
  const twinCsv = join(fx.root, 'twin.csv');
  writeFileSync(twinCsv, [cols.join(','), twin.join(','), rows[0].join(',')].join('\n'));
  const tw = await readOut((await predict(['--run', fx.runDir, '--input', twinCsv, '--output', join(fx.root, 'twin.parquet')])).output);
  assert.equal(tw[0].prob, tw[1].prob);

  // the same rows as parquet (every column DOUBLE, empty values as NaN) score exactly as the CSV
  const pq = join(fx.root, 'new.parquet');
  const w = new FlatParquetWriter(pq, cols.slice(1).map((name) => ({ name, type: 'DOUBLE' as const })), { id: 0 });
  w.writeRowGroup(cols.slice(1).map((_, j) => Float64Array.from(rows, (r) => (r[j + 1] === '' ? NaN : Number(r[j + 1])))));
  w.finish();
  const b = await readOut((await predict(['--run', fx.runDir, '--input', pq, '--output', join(fx.root, 'new.out.parquet')])).output);
  assert.deepEqual(b.map((r) => r.prob), a.map((r) => r.prob));
});

test('predict: a malformed row names file, line and field, and nothing is written', { timeout: 60_000 }, async () => {
  const lines = readFileSync(join(datasetDir, 'test.csv'), 'utf8').trim().split('\n').slice(0, 50);
  const cols = lines[0].split(',');
  const bad = lines[7].split(',');
  bad[cols.indexOf('I3')] = 'abc';
  lines[7] = bad.join(',');
  const input = join(fx.root, 'bad.csv');
  writeFileSync(input, lines.join('\n'));
  const out = join(fx.root, 'bad-out.parquet');
  await assert.rejects(predict(['--run', fx.runDir, '--input', input, '--output', out, '--batch', '4'], false), /bad\.csv:8: I3 "abc" is not a number/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(fx.root).filter((n) => n.startsWith('.tmp-')), []);
  await assert.rejects(predict(['--run', fx.root, '--input', input], false), /not a run folder/);
  await assert.rejects(predict(['--run', fx.runDir, '--input', input, '--output', join(fx.root, 'x.txt')], false), /cannot tell the format/);
  process.exitCode = 0; // oclif sets the exit code of a failed command; these failures were the expected ones
});
