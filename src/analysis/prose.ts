// The sentences analysis.md draws from the numbers when a DIS and a GEN run are compared. Each comparison is made
// at the precision the sentence prints, so the words never contradict the figures beside them; every branch is
// tested (test/analysis/prose.test.ts).

/** What the comparison sentences read from one run. */
export interface ProseRun {
  /** Singular values above 1e-3, one per analysed batch. */
  above1e3: number[];
  /** Mean |corr| over the whole left/right correlation matrix. */
  meanAbsAll: number;
  /** Mean |corr| off its diagonal. */
  meanAbsOffDiagonal: number;
  /** Mean corr on the diagonal: 1 when DIS correlates each raw column with itself (not for a cross layer's W·x). */
  meanDiagonal?: number;
}

export type Order = 'lower' | 'higher' | 'same';

/** a against b once both are printed with `digits` decimals. */
export function compareAtPrecision(a: number, b: number, digits: number): Order {
  const [x, y] = [a.toFixed(digits), b.toFixed(digits)];
  if (x === y) return 'same';
  return Number(x) < Number(y) ? 'lower' : 'higher';
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** "GEN keeps 312 singular values above 1e-3 against DIS's 280: less collapse than DIS, as the paper reports (Fig. 3)." */
export function collapseSentence(dis: ProseRun, gen: ProseRun): string {
  const several = dis.above1e3.length > 1 || gen.above1e3.length > 1;
  const digits = several ? 1 : 0;
  const [g, d] = [mean(gen.above1e3), mean(dis.above1e3)];
  const order = compareAtPrecision(g, d, digits);
  // More values above 1e-3 means less collapse.
  const verdict =
    order === 'higher'
      ? 'less collapse than DIS, as the paper reports (Fig. 3)'
      : order === 'lower'
        ? 'more collapse than DIS, unlike the paper, which reports less for GEN (Fig. 3)'
        : 'as much collapse as DIS; the paper reports less for GEN (Fig. 3)';
  const per = several ? ' (mean over batches)' : '';
  return `Dimensional collapse: GEN's interacted embeddings keep ${g.toFixed(digits)} singular values above 1e-3${per} against DIS's ${d.toFixed(digits)}: ${verdict}.`;
}

const than = (o: Order) => (o === 'same' ? 'about the same as' : `${o} than`);

/** DIS's right side is its left side itself (a unit diagonal), as in every model but the cross networks. */
const selfPaired = (r: ProseRun) => r.meanDiagonal === undefined || r.meanDiagonal > 1 - 1e-6;

/** Whole-matrix and off-diagonal mean |corr|, GEN against DIS, and what the paper reports (Fig. 4). */
export function redundancySentence(dis: ProseRun, gen: ProseRun): string {
  const f = (x: number) => x.toFixed(3);
  const whole = compareAtPrecision(gen.meanAbsAll, dis.meanAbsAll, 3);
  const off = compareAtPrecision(gen.meanAbsOffDiagonal, dis.meanAbsOffDiagonal, 3);
  const agrees = whole === 'lower' && off !== 'higher';
  const paper = agrees
    ? 'GEN is less redundant, as the paper reports (Fig. 4).'
    : whole === 'lower'
      ? 'The paper reports less correlated interacted embeddings for GEN (Fig. 4); here that holds for the whole matrix only.'
      : 'The paper reports less correlated interacted embeddings for GEN (Fig. 4); this run does not show it.';
  return (
    `Redundancy: GEN's mean |corr| over the whole correlation matrix is ${than(whole)} DIS's ` +
    `(${f(gen.meanAbsAll)} vs ${f(dis.meanAbsAll)}${selfPaired(dis) ? '; DIS pairs each embedding with itself, so its diagonal is 1' : ''}), ` +
    `and off the diagonal it is ${than(off)} DIS's (${f(gen.meanAbsOffDiagonal)} vs ${f(dis.meanAbsOffDiagonal)}). ${paper}`
  );
}
