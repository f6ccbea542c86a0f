// Benchmark: `ge4rec serve` under load from autocannon, against 127.0.0.1 only, time-bounded. Trains a small run
// (synthetic Criteo, DCNv2 GEN at the paper's Criteo settings, one epoch), starts `ge4rec serve` in a child process
// (so the load tool does not share its event loop) and posts one raw Criteo row per request from 1 and from 64
// concurrent clients. Prints requests/s, p50/p99 latency, and the rows per onnxruntime call the batching formed.
// Usage: node --import tsx test/bench/serve.bench.ts [seconds=10] [model=DCNv2] [workdir]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import autocannon from 'autocannon';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

const seconds = Number(process.argv[2] ?? 10);
const model = process.argv[3] ?? 'DCNv2';
const work = process.argv[4] ?? join(tmpdir(), 'ge4rec-serve-bench');
mkdirSync(work, { recursive: true });
const results = join(work, 'results');
await Reproduce.run(['--dataset', 'synthetic-criteo', '--rows', '20000', '--model', model, '--paradigm', 'gen', '--max-epochs', '1',
  '--data-dir', join(work, 'data'), '--results-dir', results, '--json'], PACKAGE_ROOT);
const runDir = join(results, 'synthetic-criteo', model, 'gen', 'seed-2021');
const datasetDir = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).data.dir as string;
const [header, line] = readFileSync(join(datasetDir, 'test.csv'), 'utf8').split('\n');
const cols = header.split(',');
const row = Object.fromEntries(line.split(',').map((v, i) => [cols[i], v]));

const child = spawn(process.execPath, ['--import', 'tsx', 'bin/dev.js', 'serve', '--run', runDir, '--host', '127.0.0.1', '--port', '0'],
  { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = / on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (c) => reject(new Error(`serve exited with ${c}`)));
  setTimeout(() => reject(new Error('serve did not start in 120 s')), 120_000).unref();
});
try {
  const health = async () => ((await (await fetch(`${url}/health`)).json()) as { batching: { calls: number; rows: number; max_batch: number; max_wait_ms: number } }).batching;
  const b0 = await health();
  console.log(`serve bench: ${model} GEN, one raw Criteo row per request, ${seconds} s per run, max batch ${b0.max_batch}, max wait ${b0.max_wait_ms} ms`);
  for (const connections of [1, 64]) {
    const before = await health();
    const r = await autocannon({
      url: `${url}/predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(row),
      connections, duration: seconds,
    });
    const after = await health();
    const calls = after.calls - before.calls;
    console.log(
      `  ${String(connections).padStart(2)} clients: ${r.requests.average.toFixed(0)} requests/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms; ` +
        `${calls} onnxruntime calls, ${((after.rows - before.rows) / Math.max(calls, 1)).toFixed(1)} rows per call; ` +
        `errors ${r.errors}, non-2xx ${r.non2xx} (load ${loadavg()[0].toFixed(2)})`,
    );
  }
} finally {
  child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
