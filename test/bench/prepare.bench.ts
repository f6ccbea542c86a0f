// Benchmark: `prepare` of a synthetic Criteo x1 file set (default 2,000,000 rows) from CSV to parquet + cache.
// Prints rows/s of encode (+ vocabulary), of parquet writing and of both, the peak RSS, and the projection for
// the real Criteo x1 (45.8 M rows). Usage: node --import tsx test/bench/prepare.bench.ts [rows] [workdir]
// (GE4REC_BENCH_CODEC=gzip|snappy|none picks the parquet codec, default gzip as in `prepare`)
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, loadavg } from 'node:os';
import { prepareDataset } from '../../src/data/prepare.js';

const rows = Number(process.argv[2] ?? 2_000_000);
const dataDir = process.argv[3] ?? join(tmpdir(), 'ge4rec-prepare-bench');
const codec = (process.env.GE4REC_BENCH_CODEC ?? 'gzip') as 'gzip' | 'snappy' | 'none';
const base = { dataset: 'synthetic-criteo' as const, dataDir, rows, seed: 7, parquetCodec: codec };

const g = await prepareDataset({ ...base });
const gen = g.steps.find((s) => s.step === 'generate');
// keep the generated CSVs, redo everything after them
rmSync(join(g.dir, '.done', 'encode.json'), { force: true });
for (const s of ['train', 'valid', 'test']) rmSync(join(g.dir, '.done', `parquet-${s}.json`), { force: true });
const t0 = performance.now();
const c0 = process.cpuUsage();
const r = await prepareDataset({ ...base });
const total = (performance.now() - t0) / 1000;
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;
const enc = r.steps.find((s) => s.step === 'encode')!.seconds;
const pq = r.steps.filter((s) => s.step.startsWith('parquet')).reduce((a, s) => a + s.seconds, 0);
const n = r.rows.train + r.rows.valid + r.rows.test;
const peak = process.resourceUsage().maxRSS / 1024; // KiB → MiB
const realRows = 45_840_617;
console.log(`prepare bench: synthetic-criteo ${n} rows (load avg ${loadavg()[0].toFixed(2)})`);
if (gen?.status === 'done') console.log(`  generate CSV:     ${gen.seconds.toFixed(1)} s (not part of the figure)`);
console.log(`  encode + vocab:   ${enc.toFixed(1)} s  ${(n / enc).toFixed(0)} rows/s`);
console.log(`  parquet (3 files, worker threads overlapping encode): ${pq.toFixed(1)} s summed over the files`);
console.log(`  CSV → parquet + cache: ${total.toFixed(1)} s  ${(n / total).toFixed(0)} rows/s (goal ≥ 200000)`);
console.log(`  CPU time: ${cpu.toFixed(1)} s  ${(n / cpu).toFixed(0)} rows per CPU-second (load-independent)`);
console.log(`  peak RSS: ${peak.toFixed(0)} MiB (goal < 4096)`);
console.log(`  projection for Criteo x1 (${realRows} rows): ${((realRows / n) * total / 60).toFixed(1)} min wall at this load, ${((realRows / n) * cpu / 60).toFixed(1)} min of CPU`);
