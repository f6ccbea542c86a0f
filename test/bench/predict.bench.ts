// Benchmark: `ge4rec predict` on the Criteo layout. Trains a small run (synthetic Criteo, DCNv2 GEN at the paper's
// Criteo settings, one epoch), writes a raw CSV of N rows (the test split's rows repeated) and runs predict in a
// child process for each N, so each peak RSS is predict's own. Prints rows/s, the shares of reading+encoding, the
// model and writing, and the peak RSS (it must not grow with N).
// With labels, predict keeps 5 bytes a row for AUC/Logloss; `unlabelled` drops the label column to show the
// streaming alone.
// Usage: node --import tsx test/bench/predict.bench.ts [rows,rows,...=200000,1000000] [model=DCNv2] [workdir] [unlabelled]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

const sizes = (process.argv[2] ?? '200000,1000000').split(',').map(Number);
const model = process.argv[3] ?? 'DCNv2';
const work = process.argv[4] ?? join(tmpdir(), 'ge4rec-predict-bench');
mkdirSync(work, { recursive: true });
const results = join(work, 'results');
await Reproduce.run(['--dataset', 'synthetic-criteo', '--rows', '20000', '--model', model, '--paradigm', 'gen', '--max-epochs', '1',
  '--data-dir', join(work, 'data'), '--results-dir', results, '--json'], PACKAGE_ROOT);
const runDir = join(results, 'synthetic-criteo', model, 'gen', 'seed-2021');
const datasetDir = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).data.dir as string;
const unlabelled = process.argv[5] === 'unlabelled';
const dropLabel = (l: string) => (unlabelled ? l.slice(l.indexOf(',') + 1) : l); // the label is the first column
const [header, ...lines] = readFileSync(join(datasetDir, 'test.csv'), 'utf8').trim().split('\n').map(dropLabel);

console.log(`predict bench: ${model} GEN, Criteo layout (39 fields), batch 10000, ${unlabelled ? 'no labels' : 'with labels'}, load avg ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const n of sizes) {
  const input = join(work, `raw-${n}.csv`);
  const fd = openSync(input, 'w');
  writeSync(fd, header + '\n');
  for (let i = 0; i < n; ) {
    const k = Math.min(lines.length, n - i);
    writeSync(fd, lines.slice(0, k).join('\n') + '\n');
    i += k;
  }
  closeSync(fd);
  const out = join(work, `pred-${n}.parquet`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.js', 'predict', '--run', runDir, '--input', input, '--output', out, '--json'],
    { cwd: PACKAGE_ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const s = JSON.parse(r.stdout) as { rows: number; seconds: number; encodeSeconds: number; modelSeconds: number; writeSeconds: number; peakRssMb: number; metrics: { AUC: number } };
  const pct = (x: number) => `${((100 * x) / s.seconds).toFixed(0)}%`;
  console.log(
    `  ${n.toLocaleString('en')} rows: ${s.seconds.toFixed(1)} s, ${Math.round(s.rows / s.seconds).toLocaleString('en')} rows/s; ` +
      `read+encode ${pct(s.encodeSeconds)}, model ${pct(s.modelSeconds)}, write ${pct(s.writeSeconds)}; peak RSS ${s.peakRssMb.toFixed(0)} MiB` +
      ` (load ${loadavg()[0].toFixed(2)})`,
  );
  rmSync(input, { force: true });
  rmSync(out, { force: true });
}
rmSync(work, { recursive: true, force: true });
