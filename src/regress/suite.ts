// `ge4rec regress` as a function: train the suite, compare it with the baseline (or record a new baseline), and
// measure throughput against the machine's GEMM rate. The command (src/commands/regress.ts) prints and exits.
import type { Device } from '../engine/session.js';
import { openData } from '../train/wiring.js';
import { UserError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { GE4REC_VERSION } from '../util/version.js';
import { BASELINE_FORMAT, readBaseline, throughputPathFor, writeBaseline, type Baseline, type BaselineRun } from './baseline.js';
import { changedRows, compareRuns, droppedRuns, type CompareMode, type CompareRow } from './compare.js';
import { gemmGflops } from './gemm.js';
import { inexactBecause, thisMachine } from './machine.js';
import { settingsDiff, suiteRuns, type RunSpec, type SuiteSettings } from './settings.js';
import { readThroughput, throughputOf, throughputWarnings, writeThroughput, type Throughput, type ThroughputWarning } from './throughput.js';
import { trainRun, type RunOutcome } from './train-run.js';

export interface RegressOptions {
  device: Device;
  settings: SuiteSettings;
  /** The runs to train; the whole suite unless a subset was asked for. */
  runs: RunSpec[];
  /** The file compared with (and written by an update). */
  baselineFile: string;
  dataDir: string;
  /** Rewrite the baseline (and the throughput file) with this run's numbers, recording why. */
  update?: { reason: string };
  orderedRowSums?: boolean;
  /** Warn when a run's share of the GEMM rate falls by more than this fraction. */
  throughputDrop: number;
  progress?: boolean;
  log?: (m: string) => void;
}

export interface RegressResult {
  ok: boolean;
  device: Device;
  mode: CompareMode;
  baseline_file: string;
  settings: SuiteSettings;
  seconds: number;
  runs: { id: string; expid: string; seconds: number; numbers: RunOutcome['numbers'] }[];
  /** The rows that failed the check (empty when ok, and after an update). */
  failures: CompareRow[];
  /** An update: every value that changed (old → new); null when nothing was updated. */
  update: { reason: string; changed: CompareRow[]; throughput_file: string } | null;
  throughput: { file: string; gemm_gflops: number; runs: Throughput['runs']; baseline_found: boolean; warnings: ThroughputWarning[] };
}

const isWholeSuite = (runs: RunSpec[]) => {
  const all = suiteRuns().map((r) => r.id);
  return all.length === runs.length && all.every((id) => runs.some((r) => r.id === id));
};

export async function runRegress(o: RegressOptions): Promise<RegressResult> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const baseline = readBaseline(o.baselineFile);
  if (!baseline && !o.update)
    throw new UserError(`no baseline at ${o.baselineFile}`, 'record one with: ge4rec regress --update --reason "first baseline"');
  const whole = isWholeSuite(o.runs);
  if (baseline) {
    const diff = settingsDiff(baseline.settings, o.settings);
    // An update of the whole suite may change the settings; a comparison or a partial update may not.
    if (diff.length > 0 && !(o.update && whole))
      throw new UserError(
        `${o.baselineFile}: recorded with other settings (baseline vs now: ${diff.join('; ')})`,
        'run the suite with the baseline\'s settings, give another --baseline, or record the whole suite with --update --reason "..."',
      );
  }
  const machine = thisMachine();
  // Bits are reproducible on the CPU with the same kernels and onnxruntime; elsewhere only up to rounding.
  const inexact = baseline && o.device === 'cpu' && baseline.device === 'cpu' ? inexactBecause(baseline.machine ?? {}, machine) : null;
  if (inexact && !o.update) log(`${o.baselineFile} was recorded on another CPU (${inexact}): comparing within the device tolerances, not bit for bit`);
  const mode: CompareMode = o.device === 'cpu' && baseline?.device !== 'cuda' && !o.orderedRowSums && !inexact ? 'exact' : 'tolerance';

  const data = await openData(o.settings.dataset, { dataDir: o.dataDir, rows: o.settings.rows, progress: o.progress });
  // The GEMM rate before and after every run: a run is divided by the mean of its two, so that a neighbour's load
  // that comes and goes during the suite moves both alike.
  const gemm = [await gemmGflops(o.device, o.settings.threads)];
  const outcomes: RunOutcome[] = [];
  const bar = progressBar(`regress (${o.device})`, o.runs.length, { enabled: o.progress, unit: 'runs', fields: { run: '-' } });
  try {
    for (const spec of o.runs) {
      bar.update(outcomes.length, { run: spec.id });
      const out = await trainRun(spec, { settings: o.settings, device: o.device, data, orderedRowSums: o.orderedRowSums, progress: o.progress });
      outcomes.push(out);
      gemm.push(await gemmGflops(o.device, o.settings.threads));
      log(`${spec.id}: test AUC ${out.numbers.test_AUC}, logloss ${out.numbers.test_logloss}, weights ${String(out.numbers.weights_sha256).slice(0, 12)} (${out.seconds.toFixed(1)} s)`);
    }
    bar.update(outcomes.length, { run: 'done' });
  } finally {
    bar.stop();
  }
  const throughputFile = throughputPathFor(o.baselineFile);
  const tpNow = throughputOf(o.device, outcomes.map((_, i) => (gemm[i] + gemm[i + 1]) / 2), outcomes);
  const tpBase = readThroughput(throughputFile);
  const warnings = tpBase ? throughputWarnings(tpBase, tpNow, o.throughputDrop) : [];

  let rows: CompareRow[] = [];
  if (baseline) {
    rows = compareRuns(baseline, outcomes, o.update ? 'exact' : mode);
    if (whole) rows.push(...droppedRuns(baseline, o.runs.map((r) => r.id)));
  } else {
    rows = outcomes.map((x) => ({ run: x.spec.id, metric: '(run)' as const, baseline: null, now: x.expid, delta: null, limit: 'new', ok: false }));
  }

  let update: RegressResult['update'] = null;
  if (o.update) {
    const changed = changedRows(rows);
    const runs: Record<string, BaselineRun> = whole || !baseline ? {} : { ...baseline.runs };
    for (const x of outcomes) runs[x.spec.id] = { expid: x.expid, ...x.numbers };
    const next: Baseline = {
      format: BASELINE_FORMAT,
      device: o.device,
      settings: o.settings,
      machine,
      runs,
      history: [
        ...(baseline?.history ?? []),
        {
          at: new Date().toISOString(),
          reason: o.update.reason,
          ge4rec: GE4REC_VERSION,
          changed: changed.map((r) => `${r.run}: ${r.metric === '(run)' ? (r.now === null ? 'removed' : 'added') : r.metric}`),
        },
      ],
    };
    writeBaseline(o.baselineFile, next);
    // Partial updates keep the other runs' throughput figures.
    const tp: Throughput = whole || !tpBase ? tpNow : { ...tpNow, runs: { ...tpBase.runs, ...tpNow.runs } };
    writeThroughput(throughputFile, tp);
    update = { reason: o.update.reason, changed, throughput_file: throughputFile };
  }
  const failures = o.update ? [] : rows.filter((r) => !r.ok);
  return {
    ok: failures.length === 0,
    device: o.device,
    mode,
    baseline_file: o.baselineFile,
    settings: o.settings,
    seconds: (performance.now() - t0) / 1000,
    runs: outcomes.map((x) => ({ id: x.spec.id, expid: x.expid, seconds: x.seconds, numbers: x.numbers })),
    failures,
    update,
    throughput: { file: throughputFile, gemm_gflops: tpNow.gemm_gflops, runs: tpNow.runs, baseline_found: tpBase !== null, warnings },
  };
}
