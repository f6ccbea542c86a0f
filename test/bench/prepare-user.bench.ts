// Benchmark: `prepare --config dataset_config.yaml` of a dataset of yours with string categories (default 2,000,000
// rows, 8:1:1): 20 categorical columns of hex tokens (cardinalities 10 .. 200,000), 2 integer categoricals and
// 4 numeric columns with gaps. Prints rows/s of encode and of the whole prepare, CPU seconds and peak RSS.
// Usage: node --import tsx test/bench/prepare-user.bench.ts [rows] [workdir]
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { prepareDataset } from '../../src/data/prepare.js';
import { Rng } from '../../src/util/rng.js';

const rows = Number(process.argv[2] ?? 2_000_000);
const work = process.argv[3] ?? join(tmpdir(), 'ge4rec-prepare-user-bench');
const cats = Array.from({ length: 20 }, (_, i) => ({ name: `s${i}`, card: Math.round(10 * 20_000 ** (i / 19)) }));

function generate(): void {
  mkdirSync(join(work, 'csv'), { recursive: true });
  const rng = new Rng(11);
  const header = ['click', ...cats.map((c) => c.name), 'u1', 'u2', 'n1', 'n2', 'n3', 'n4'].join(',');
  const sizes = { train: Math.round(rows * 0.8), valid: Math.round(rows * 0.1), test: rows - Math.round(rows * 0.8) - Math.round(rows * 0.1) };
  for (const [split, n] of Object.entries(sizes)) {
    const fd = openSync(join(work, 'csv', `${split}.csv`), 'w');
    writeSync(fd, header + '\n');
    let buf: string[] = [];
    for (let r = 0; r < n; r++) {
      const line = [rng.uniform() < 0.2 ? '1' : '0'];
      // heavy-headed ids as hex strings, some missing
      for (const c of cats) line.push(rng.uniform() < 0.03 ? '' : (0x10000000 + Math.floor(c.card * rng.uniform() ** 3)).toString(16));
      line.push(String(Math.floor(1000 * rng.uniform() ** 2)), String(Math.floor(50 * rng.uniform())));
      for (let k = 0; k < 4; k++) line.push(rng.uniform() < 0.1 ? '' : (rng.uniform() * 100).toFixed(3));
      buf.push(line.join(','));
      if (buf.length === 50_000) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
      }
    }
    if (buf.length) writeSync(fd, buf.join('\n') + '\n');
    closeSync(fd);
  }
  writeFileSync(
    join(work, 'dataset_config.yaml'),
    [
      'bench_user:',
      '  data_format: csv',
      '  train_data: csv/train.csv',
      '  valid_data: csv/valid.csv',
      '  test_data: csv/test.csv',
      '  min_categr_count: 2',
      '  feature_cols:',
      `    - {name: [${cats.map((c) => c.name).join(', ')}], active: True, dtype: str, type: categorical}`,
      '    - {name: [u1, u2], active: True, dtype: int, type: categorical}',
      '    - {name: [n1, n2, n3, n4], active: True, dtype: float, type: numeric, fill_na: 0}',
      '  label_col: {name: click, dtype: float}',
      '',
    ].join('\n'),
  );
}

const g0 = performance.now();
generate();
const genS = (performance.now() - g0) / 1000;
const dataDir = join(work, 'data');
rmSync(dataDir, { recursive: true, force: true });
const t0 = performance.now();
const c0 = process.cpuUsage();
const r = await prepareDataset({ dataset: 'bench_user', config: join(work, 'dataset_config.yaml'), dataDir });
const total = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;
const enc = r.steps.find((s) => s.step === 'encode')!.seconds;
const n = r.rows.train + r.rows.valid + r.rows.test;
console.log(`prepare bench (dataset of yours, ${cats.length} string + 2 int categoricals, 4 numeric): ${n} rows (load avg ${loadavg()[0].toFixed(2)})`);
console.log(`  generate CSV:   ${genS.toFixed(1)} s (not part of the figure)`);
console.log(`  encode + vocab: ${enc.toFixed(1)} s  ${(n / enc).toFixed(0)} rows/s`);
console.log(`  whole prepare (encode, parquet, cache): ${total.toFixed(1)} s  ${(n / total).toFixed(0)} rows/s`);
console.log(`  CPU time: ${cpu.toFixed(1)} s  ${(n / cpu).toFixed(0)} rows per CPU-second`);
console.log(`  peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
console.log(`  vocab sizes: ${r.fields.filter((f) => f.type === 'categorical').map((f) => f.vocabSize).join(' ')}`);
rmSync(work, { recursive: true, force: true });
