// Throughput, kept apart from the exact numbers (regress/throughput.<device>.json): each run's training samples/s as
// a share of the machine's GEMM rate measured in the same run, never as an absolute. Only warns: the machine is
// shared, and a busy neighbour moves the ratio by several percent.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import type { RunOutcome } from './train-run.js';

export const THROUGHPUT_FORMAT = 'ge4rec-regress-throughput/1';

export interface ThroughputRun {
  samples_per_sec: number;
  /** The machine's GEMM rate around this run (mean of the measurements just before and just after it). */
  gemm_gflops: number;
  flops_per_sample: number;
  /** samples/s × forward FLOPs per sample ÷ the GEMM rate: the share of the machine's matrix rate a run turns into forward arithmetic. */
  gemm_share: number;
}

export interface Throughput {
  format: typeof THROUGHPUT_FORMAT;
  device: string;
  /** Mean of the runs' GEMM rates. */
  gemm_gflops: number;
  runs: Record<string, ThroughputRun>;
}

export interface ThroughputWarning {
  run: string;
  baseline_share: number;
  now_share: number;
  /** (now − baseline) / baseline. */
  change: number;
  /** The GEMM rates the shares were divided by (GFLOP/s): very different rates mean a differently loaded machine. */
  baseline_gemm_gflops: number | null;
  now_gemm_gflops: number;
}

/** `gemmGflops`: the GEMM rate around each run, in the order of `outcomes`. */
export function throughputOf(device: string, gemmGflops: number[], outcomes: RunOutcome[]): Throughput {
  const runs: Record<string, ThroughputRun> = {};
  outcomes.forEach((o, i) => {
    runs[o.spec.id] = {
      samples_per_sec: o.samples_per_sec,
      gemm_gflops: gemmGflops[i],
      flops_per_sample: o.flops_per_sample,
      gemm_share: (o.samples_per_sec * o.flops_per_sample) / (gemmGflops[i] * 1e9),
    };
  });
  const mean = gemmGflops.length ? gemmGflops.reduce((a, b) => a + b, 0) / gemmGflops.length : NaN;
  return { format: THROUGHPUT_FORMAT, device, gemm_gflops: mean, runs };
}

export function readThroughput(file: string): Throughput | null {
  if (!existsSync(file)) return null;
  let doc: Throughput;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Throughput;
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`, 'restore it from git, or record a new one with --update');
  }
  if (doc?.format !== THROUGHPUT_FORMAT || typeof doc.runs !== 'object' || doc.runs === null)
    throw new UserError(`${file}: format: expected "${THROUGHPUT_FORMAT}" with a runs object`, 'restore it from git, or record a new one with --update');
  return doc;
}

export function writeThroughput(file: string, t: Throughput): void {
  writeJsonAtomic(file, t);
}

/** Runs whose GEMM share fell by more than `drop` (0.2: 20 %) below the baseline's. */
export function throughputWarnings(base: Throughput, now: Throughput, drop: number): ThroughputWarning[] {
  const out: ThroughputWarning[] = [];
  for (const [run, t] of Object.entries(now.runs)) {
    const b = base.runs[run];
    if (!b || !(b.gemm_share > 0)) continue;
    const change = (t.gemm_share - b.gemm_share) / b.gemm_share;
    if (change < -drop)
      out.push({ run, baseline_share: b.gemm_share, now_share: t.gemm_share, change, baseline_gemm_gflops: b.gemm_gflops ?? null, now_gemm_gflops: t.gemm_gflops });
  }
  return out;
}
