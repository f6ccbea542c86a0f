// The tables `ge4rec regress` prints: what moved (a failing check), and old/new/Δ (an update).
import type { CompareRow } from './compare.js';

/** Numbers as JSON prints them (every digit that tells two doubles apart); digests shortened to 12 hex digits. */
export function showValue(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'number') return String(v);
  return /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : v;
}

export function showDelta(r: CompareRow): string {
  if (r.delta === null) return r.baseline === r.now || r.metric === '(run)' ? '' : 'changed';
  if (r.delta === 0) return '0';
  const rel = typeof r.baseline === 'number' && r.baseline !== 0 ? ` (${((r.delta / Math.abs(r.baseline)) * 100).toPrecision(2)}%)` : '';
  return `${r.delta > 0 ? '+' : ''}${r.delta.toExponential(2)}${rel}`;
}

/** A plain-text table with a header, columns padded to their widest cell. */
export function formatTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The rows that failed: run, metric, baseline, now, Δ, limit. */
export function failureTable(rows: CompareRow[]): string {
  return formatTable(
    ['run', 'metric', 'baseline', 'now', 'Δ', 'limit'],
    rows.map((r) => [r.run, r.metric, showValue(r.baseline), showValue(r.now), showDelta(r), r.limit]),
  );
}

/** What an update changes: run, metric, old, new, Δ. */
export function updateTable(rows: CompareRow[]): string {
  return formatTable(
    ['run', 'metric', 'old', 'new', 'Δ'],
    rows.map((r) => [r.run, r.metric === '(run)' ? (r.now === null ? '(removed)' : '(added)') : r.metric, showValue(r.baseline), showValue(r.now), showDelta(r)]),
  );
}
