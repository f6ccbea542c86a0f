// `ge4rec serve` through real HTTP requests against a server on 127.0.0.1: the probabilities are the run's own,
// concurrent requests share onnxruntime calls, bad input is a 400 naming row and field, an oversized body a 413.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDeployedRun, type DeployedRun } from '../../src/deploy/deployed-run.js';
import { startServer, type Server } from '../../src/deploy/server.js';
import { readTestPredictions } from '../../src/train/predictions.js';
import { finishedRun, type RunFixture } from './run-fixture.js';

let fx: RunFixture;
let run: DeployedRun;
let server: Server;
let rows: Record<string, string>[];
let ref: { labels: Float64Array; preds: Float64Array };

before(async () => {
  fx = await finishedRun('FM', 'gen');
  run = await openDeployedRun(fx.runDir, { threads: 1 });
  server = await startServer(run, { host: '127.0.0.1', port: 0, maxBatch: 64, maxWaitMs: 2, bodyLimit: 64 << 10 });
  const dir = JSON.parse(readFileSync(join(fx.runDir, 'config.json'), 'utf8')).data.dir;
  const [head, ...lines] = readFileSync(join(dir, 'test.csv'), 'utf8').trim().split('\n').slice(0, 201);
  const cols = head.split(',');
  rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  ref = await readTestPredictions(fx.runDir);
});
after(async () => {
  await server?.close();
  await run?.close();
  rmSync(fx.root, { recursive: true, force: true });
});

async function post(body: unknown, raw?: string, url = server.url): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

test('POST /predict: raw rows (strings or numbers, label or not) get the run\'s test predictions', { timeout: 60_000 }, async () => {
  const r = await post(rows.slice(0, 50));
  assert.equal(r.status, 200);
  const p = r.json.probabilities as number[];
  assert.equal(p.length, 50);
  p.forEach((v, i) => assert.ok(close(v, ref.preds[i]), `row ${i}: ${v} vs ${ref.preds[i]}`));
  // one row, numbers instead of strings, no label, empty values as null
  const { label: _label, ...row } = rows[3];
  const typed = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : Number(v)]));
  const one = await post(typed);
  assert.equal(one.status, 200);
  assert.ok(close(one.json.probability as number, ref.preds[3]));
  assert.deepEqual((await post([])).json, { probabilities: [] });
});

test('concurrent requests share onnxruntime calls: a call starts at --max-batch rows or after --max-wait-ms', { timeout: 120_000 }, async () => {
  // size limit: 16 concurrent one-row requests, max 8 rows a call, a wait no test reaches → exactly 2 calls of 8
  const bySize = await startServer(run, { host: '127.0.0.1', port: 0, maxBatch: 8, maxWaitMs: 600_000 });
  try {
    const rs = await Promise.all(rows.slice(0, 16).map((row) => post(row, undefined, bySize.url)));
    rs.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.ok(close(r.json.probability as number, ref.preds[i]), `request ${i}`);
    });
    assert.deepEqual(bySize.batcher.stats, { calls: 2, rows: 16, requests: 16, largestCall: 8 });
  } finally {
    await bySize.close();
  }
  // time limit: 3 requests of 2 rows, far below the size limit → one call, after the wait
  const byTime = await startServer(run, { host: '127.0.0.1', port: 0, maxBatch: 4096, maxWaitMs: 1000 });
  try {
    const t0 = Date.now();
    const rs = await Promise.all([0, 2, 4].map((k) => post(rows.slice(k, k + 2), undefined, byTime.url)));
    assert.ok(Date.now() - t0 >= 1000);
    rs.forEach((r, n) => (r.json.probabilities as number[]).forEach((p, i) => assert.ok(close(p, ref.preds[2 * n + i]))));
    assert.deepEqual(byTime.batcher.stats, { calls: 1, rows: 6, requests: 3, largestCall: 6 });
    const h = (await (await fetch(`${byTime.url}/health`)).json()) as { status: string; batching: { max_batch: number; max_wait_ms: number } };
    assert.equal(h.status, 'ok');
    assert.deepEqual([h.batching.max_batch, h.batching.max_wait_ms], [4096, 1000]);
  } finally {
    await byTime.close();
  }
});

test('bad input gets a 400 naming row, field and problem; an oversized body a 413; the server stays up', { timeout: 60_000 }, async () => {
  const bad = (k: string, v: unknown) => [rows[0], { ...rows[1], [k]: v }];
  const cases: [unknown, RegExp][] = [
    [bad('I3', 'abc'), /row 1: I3 "abc" is not a number/],
    [bad('C7', 'xyz'), /row 1: C7 "xyz" is not a number/],
    [bad('I99', 1), /row 1: unknown column "I99"/],
    [bad('I2', { a: 1 }), /row 1: I2: expected a number or a string, got object/],
    [[5], /row 0: expected an object/],
    ['just a string', /expected a JSON array of rows/],
  ];
  for (const [body, msg] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match(r.json.error as string, msg);
  }
  const broken = await post(null, '[{"I1": 1,');
  assert.equal(broken.status, 400);
  const big = await post(Array.from({ length: 400 }, () => rows[0]));
  assert.equal(big.status, 413);
  assert.equal((await post(rows[0])).status, 200);
  const m = (await (await fetch(`${server.url}/model`)).json()) as { model: string; paradigm: string; fields: unknown[] };
  assert.equal(m.model, 'FM');
  assert.equal(m.paradigm, 'gen');
  assert.equal(m.fields.length, 39);
});
