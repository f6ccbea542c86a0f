// The committed baseline: regress/baseline.<device>.json. It holds the suite's settings, every run's numbers, and
// the history of deliberate updates with their reasons (`ge4rec regress --update --reason "..."`).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { METRICS, type RunNumbers } from './train-run.js';
import type { MachineInfo } from './machine.js';
import type { SuiteSettings } from './settings.js';
import { DEFAULT_SETTINGS } from './settings.js';

export const BASELINE_FORMAT = 'ge4rec-regress-baseline/1';

export interface BaselineUpdate {
  at: string;
  reason: string;
  ge4rec: string;
  /** "FM dis: test_AUC", ... (what this update changed; runs added or removed are listed as "FM dis: added"). */
  changed: string[];
}

export interface BaselineRun extends RunNumbers {
  expid: string;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  device: string;
  settings: SuiteSettings;
  /** Where the numbers were made: a CPU baseline is exact only on the same onnxruntime and a CPU with the same kernels. */
  machine: MachineInfo;
  runs: Record<string, BaselineRun>;
  history: BaselineUpdate[];
}

export function baselinePath(dir: string, device: string): string {
  return join(dir, `baseline.${device}.json`);
}

/** The throughput file beside a baseline: baseline.cpu.json → throughput.cpu.json, other.json → other.throughput.json. */
export function throughputPathFor(baselineFile: string): string {
  const name = basename(baselineFile);
  const t = name.startsWith('baseline.') ? `throughput.${name.slice('baseline.'.length)}` : `${name.replace(/\.json$/, '')}.throughput.json`;
  return join(dirname(baselineFile), t);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads and checks a baseline file; every problem names the file and the key. null when the file does not exist. */
export function readBaseline(file: string): Baseline | null {
  if (!existsSync(file)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`, 'restore it from git, or record a new one with --update --reason "..."');
  }
  const bad = (key: string, what: string) => new UserError(`${file}: ${key}: ${what}`, 'restore it from git, or record a new one with --update --reason "..."');
  if (!isObj(doc)) throw bad('(top level)', 'expected an object');
  if (doc.format !== BASELINE_FORMAT) throw bad('format', `expected "${BASELINE_FORMAT}", got ${JSON.stringify(doc.format)}`);
  if (typeof doc.device !== 'string') throw bad('device', 'expected a string');
  if (!isObj(doc.settings)) throw bad('settings', 'expected an object');
  for (const [k, v] of Object.entries(DEFAULT_SETTINGS))
    if (typeof doc.settings[k] !== typeof v) throw bad(`settings.${k}`, `expected a ${typeof v}, got ${JSON.stringify(doc.settings[k])}`);
  if (!isObj(doc.runs)) throw bad('runs', 'expected an object');
  for (const [id, run] of Object.entries(doc.runs)) {
    if (!isObj(run)) throw bad(`runs.${id}`, 'expected an object');
    for (const m of METRICS) {
      const v = run[m];
      const ok = m === 'weights_sha256' ? typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) : v === null || typeof v === 'number';
      if (!ok) throw bad(`runs.${id}.${m}`, m === 'weights_sha256' ? 'expected 64 hex digits' : 'expected a number or null');
    }
  }
  if (!Array.isArray(doc.history)) throw bad('history', 'expected a list');
  return doc as unknown as Baseline;
}

/** Writes beside the file, then renames over it: a killed update leaves the old baseline whole. */
export function writeBaseline(file: string, b: Baseline): void {
  writeJsonAtomic(file, b);
}
