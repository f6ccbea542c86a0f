// Evaluation metrics with sklearn's semantics, as FuxiCTR v2.3.1 calls them (facts §4.5), in float64.
import { sortFloat64 } from './radix.js';

/** Neumaier-compensated running sum: numpy sums pairwise, so a naive loop would drift on 8 M rows. */
class Sum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/**
 * sklearn `roc_auc_score(y, p)`: trapezoid over distinct thresholds, which equals the Mann–Whitney statistic with
 * tied (positive, negative) pairs counted ½. Positives' and negatives' scores are sorted separately (radix sort),
 * then merged group by group. Returns NaN when only one class is present (sklearn raises).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`auc: ${n} labels but ${scores.length} scores`);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0.5) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  let ip = 0;
  let ineg = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) throw new Error(`auc: score ${i} is NaN`);
    if (labels[i] > 0.5) pos[ip++] = s;
    else neg[ineg++] = s;
  }
  const ps = sortFloat64(pos);
  const ns = sortFloat64(neg);
  // Walk distinct score values upwards; for each group: pairs (pos in group, neg strictly below) + ½ ties.
  // All counts are integers below 2^53 (8 M × 8 M ≈ 6.4e13), so the sum is exact.
  let area = 0;
  let negBelow = 0;
  let a = 0;
  let b = 0;
  while (a < nPos) {
    const v = b < nNeg && ns[b] < ps[a] ? ns[b] : ps[a];
    let pg = 0;
    let ng = 0;
    while (a < nPos && ps[a] === v) {
      pg++;
      a++;
    }
    while (b < nNeg && ns[b] === v) {
      ng++;
      b++;
    }
    area += pg * negBelow + 0.5 * pg * ng;
    negBelow += ng;
  }
  return area / (nPos * nNeg);
}

export const LOGLOSS_EPS = 1e-7;

/** sklearn `log_loss(y, p, eps=1e-7)` (FuxiCTR v2.3.1): p clipped to [eps, 1 − eps], mean negative log-likelihood. */
export function logloss(labels: ArrayLike<number>, preds: ArrayLike<number>, eps = LOGLOSS_EPS): number {
  const n = labels.length;
  if (preds.length !== n) throw new Error(`logloss: ${n} labels but ${preds.length} predictions`);
  if (n === 0) return NaN;
  const hi = 1 - eps;
  const sum = new Sum();
  for (let i = 0; i < n; i++) {
    let p = preds[i];
    if (p < eps) p = eps;
    else if (p > hi) p = hi;
    sum.add(labels[i] > 0.5 ? Math.log(p) : Math.log(1 - p));
  }
  return -sum.value / n;
}

export type MetricName = 'AUC' | 'logloss';
export const METRICS: Record<MetricName, (y: ArrayLike<number>, p: ArrayLike<number>) => number> = { AUC: auc, logloss };

export function isMetricName(s: string): s is MetricName {
  return s === 'AUC' || s === 'logloss';
}

export function evaluateMetrics(names: readonly string[], labels: ArrayLike<number>, preds: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of names) {
    if (!isMetricName(m)) throw new Error(`unknown metric "${m}" (known: AUC, logloss)`);
    out[m] = METRICS[m](labels, preds);
  }
  return out;
}
