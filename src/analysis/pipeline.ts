// The core of `ge4rec analyze`: open each run, analyse it, release its engine, write the report.
// Runs are opened through a RunOpener so that tests can supply a fake engine; the real one is src/train/run-loader.ts.
import type { Batch, FieldInfo, SplitSource } from '../data/types.js';
import type { RecordedTensor } from '../engine/api.js';
import { openRun } from '../train/run-loader.js';
import { UserError } from '../util/errors.js';
import { analyzeRun, type AnalyzeOptions } from './analyze-run.js';
import { paradigmLabel, type RunRef } from './locate.js';
import { writeReport, type AnalyzedRun, type ReportResult } from './report.js';
import type { EmbeddingTable } from './table-spectra.js';

export interface OpenedRun {
  engine: {
    record(b: Batch): Promise<Record<string, RecordedTensor>>;
    embeddingTable(field: string): EmbeddingTable;
    dispose?(): Promise<void>;
  };
  fields: FieldInfo[];
  splits: { valid?: SplitSource };
}

export type RunOpener = (runDir: string) => Promise<OpenedRun>;

/** src/train/run-loader.ts's openRun, optionally with another data folder than the run's config names. */
export function trainRunOpener(opts: { dataDir?: string } = {}): RunOpener {
  return (runDir) => openRun(runDir, opts);
}

export interface AnalyzePlan {
  runs: RunRef[];
  outDir: string;
  options: AnalyzeOptions;
}

export async function runAnalysis(plan: AnalyzePlan, open: RunOpener): Promise<ReportResult> {
  if (plan.runs.length === 0) throw new UserError('nothing to analyse: no runs given');
  const labels = runLabels(plan.runs);
  const analyzed: AnalyzedRun[] = [];
  for (let i = 0; i < plan.runs.length; i++) {
    const ref = plan.runs[i];
    const label = labels[i];
    plan.options.log?.(`${label}: ${ref.runDir}`);
    const run = await open(ref.runDir);
    try {
      if (!run.splits.valid) throw new UserError(`run ${ref.runDir}: its dataset has no validation split`);
      const analysis = await analyzeRun({ engine: run.engine, fields: run.fields, valid: run.splits.valid }, { ...plan.options, label });
      analyzed.push({ label, runDir: ref.runDir, analysis });
    } finally {
      await run.engine.dispose?.();
    }
  }
  const first = plan.runs[0];
  const sameSeed = plan.runs.every((r) => r.seed === first.seed);
  return writeReport(
    plan.outDir,
    { dataset: first.dataset, model: first.model, seed: sameSeed ? first.seed : null, options: plan.options },
    analyzed,
  );
}

function distinctLabel(runs: RunRef[], i: number): string {
  const r = runs[i];
  const parts = [paradigmLabel(r.paradigm)];
  if (new Set(runs.map((x) => x.model)).size > 1) parts.unshift(r.model);
  if (new Set(runs.map((x) => x.dataset)).size > 1) parts.unshift(r.dataset);
  if (new Set(runs.map((x) => x.seed)).size > 1) parts.push(r.seed === null ? `#${i + 1}` : `seed ${r.seed}`);
  return parts.join(' ');
}

/** Display labels: "DIS" / "GEN", or longer ones where two runs share a paradigm; "#k" breaks any remaining tie. */
export function runLabels(runs: RunRef[]): string[] {
  const plain = runs.map((r) => paradigmLabel(r.paradigm));
  const labels = new Set(plain).size === plain.length ? plain : runs.map((_, i) => distinctLabel(runs, i));
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} #${i + 1}` : l));
}
