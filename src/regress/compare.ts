// How a run's numbers are compared with the baseline's. On the CPU (same seed, same thread count) training is
// deterministic, so the check is exact: every metric bit-equal (as JSON prints it: the shortest decimal that reads
// back to the same double) and the weight digests equal. On a GPU, rounding differs from the CPU's, so the check
// uses the tolerances below; docs/REGRESSION.md says where they come from.
import type { Baseline } from './baseline.js';
import { METRICS, type Metric, type RunOutcome } from './train-run.js';

export type CompareMode = 'exact' | 'tolerance';

/** `abs`: |now − baseline| ≤ limit; `rel`: |now − baseline| ≤ limit·|baseline|; `info`: shown, never fails. */
export interface Tolerance {
  kind: 'abs' | 'rel' | 'info';
  limit: number;
}

/**
 * A device's numbers against the CPU's (or an earlier run of the same device) after the suite's 110 steps a run.
 * Training carries rounding forward: check-device finds a correct GPU's first-step gradients within 1e-4 of the
 * CPU's and its losses after four steps within 1e-2, and over the whole suite a mere change of the order in which
 * repeated embedding rows' gradients are summed (the GPU's order, on the CPU: `regress --ordered-row-sums`) moved test
 * AUC by up to 9.0e-4, losses by up to 1.4e-3 relative and the weight norm by up to 8.3e-4 relative (measured
 * 2026-12-06, docs/REGRESSION.md). The limits are three to six times those spreads: a GPU that trains the models
 * correctly passes; a wrong kernel, a lost layer or TF32 products fail. Small deliberate changes (an init std ÷ √2
 * moved AUC by 4e-5) are below rounding's reach here: the exact CPU check is the one that catches them.
 */
export const DEVICE_TOLERANCES: Readonly<Record<Metric, Tolerance>> = {
  train_loss: { kind: 'rel', limit: 5e-3 },
  valid_AUC: { kind: 'abs', limit: 3e-3 },
  valid_logloss: { kind: 'rel', limit: 5e-3 },
  test_AUC: { kind: 'abs', limit: 3e-3 },
  test_logloss: { kind: 'rel', limit: 5e-3 },
  weights_l2: { kind: 'rel', limit: 5e-3 },
  weights_sha256: { kind: 'info', limit: 0 },
};

export interface CompareRow {
  run: string;
  /** A metric, or "(run)" for a run missing on one side. */
  metric: Metric | '(run)';
  baseline: number | string | null;
  now: number | string | null;
  /** now − baseline for numbers; null otherwise. */
  delta: number | null;
  /** "exact", "±0.002", "rel 0.005", "info", or what is missing. */
  limit: string;
  ok: boolean;
}

export function limitText(mode: CompareMode, m: Metric): string {
  if (mode === 'exact') return 'exact';
  const t = DEVICE_TOLERANCES[m];
  return t.kind === 'abs' ? `±${t.limit}` : t.kind === 'rel' ? `rel ${t.limit}` : 'info';
}

function within(mode: CompareMode, m: Metric, base: number | string | null, now: number | string | null): boolean {
  if (mode === 'exact') return Object.is(base, now);
  const t = DEVICE_TOLERANCES[m];
  if (t.kind === 'info') return true;
  if (typeof base !== 'number' || typeof now !== 'number') return base === now;
  const d = Math.abs(now - base);
  return t.kind === 'abs' ? d <= t.limit : d <= t.limit * Math.abs(base);
}

/** Every metric of every run of `outcomes` (rows that passed too), then runs the baseline lacks. */
export function compareRuns(baseline: Baseline, outcomes: RunOutcome[], mode: CompareMode): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const o of outcomes) {
    const b = baseline.runs[o.spec.id];
    if (!b) {
      rows.push({ run: o.spec.id, metric: '(run)', baseline: null, now: o.expid, delta: null, limit: 'not in the baseline', ok: false });
      continue;
    }
    for (const m of METRICS) {
      const base = b[m];
      const now = o.numbers[m];
      const delta = typeof base === 'number' && typeof now === 'number' ? now - base : null;
      rows.push({ run: o.spec.id, metric: m, baseline: base, now, delta, limit: limitText(mode, m), ok: within(mode, m, base, now) });
    }
  }
  return rows;
}

/** Baseline runs the full suite no longer has (a model removed or renamed): they fail until --update drops them. */
export function droppedRuns(baseline: Baseline, suiteIds: string[]): CompareRow[] {
  return Object.keys(baseline.runs)
    .filter((id) => !suiteIds.includes(id))
    .map((id) => ({ run: id, metric: '(run)' as const, baseline: baseline.runs[id].expid, now: null, delta: null, limit: 'not in the suite', ok: false }));
}

/** Rows whose value changed at all (for --update's old/new/Δ table). */
export function changedRows(rows: CompareRow[]): CompareRow[] {
  return rows.filter((r) => !Object.is(r.baseline, r.now));
}

export { METRICS };
