// Redundancy between the two interacted embeddings (paper Fig. 4, App. C.3): the Pearson correlation of every
// column of the left (generated) side with every column of the right (raw) side, and its mean |corr| off the
// diagonal, within a field versus across fields.
// The paper's script puts the raw side on the rows; we follow the brief's left × right layout (rows = left), which
// is the transpose and has the same summary numbers.
import { pearson, type CrossProduct, type Mat } from './matrix.js';

export interface CorrelationSummary {
  size: number;
  fields: number;
  fieldDim: number;
  /** Mean |corr| over all a ≠ b. */
  meanAbsOffDiagonal: number;
  /** Mean |corr| over a ≠ b in the same field. */
  meanAbsIntraField: number;
  /** Mean |corr| over a, b in different fields. */
  meanAbsInterField: number;
  /** Mean |corr| over all entries, diagonal included (the paper's Fig. 4 shows the whole matrix). */
  meanAbsAll: number;
  /** Mean |corr| on the diagonal. */
  meanAbsDiagonal: number;
  /** Mean corr on the diagonal (column a of left with column a of right; 1 for DIS unless a column is constant). */
  meanDiagonal: number;
  /** Columns of either side that are constant over the batch (their correlations are set to 0). */
  constantColumns: number;
}

export interface Correlation {
  /** size × size, row-major: rows = left columns, columns = right columns. */
  matrix: Float64Array;
  summary: CorrelationSummary;
}

export async function interactionCorrelation(left: Mat, right: Mat, fields: number, cross?: CrossProduct): Promise<Correlation> {
  if (left.cols !== right.cols) throw new Error(`left has ${left.cols} columns, right ${right.cols}`);
  const matrix = await pearson(left, right, cross);
  return { matrix, summary: summarizeCorrelation(matrix, left.cols, fields) };
}

/** Summary of a square n × n correlation matrix whose index a belongs to field ⌊a / (n / fields)⌋. */
export function summarizeCorrelation(matrix: Float64Array, n: number, fields: number): CorrelationSummary {
  if (matrix.length !== n * n) throw new Error(`expected ${n} × ${n} values, got ${matrix.length}`);
  if (fields <= 0 || n % fields !== 0) throw new Error(`${n} columns do not split into ${fields} fields`);
  const d = n / fields;
  let intra = 0;
  let nIntra = 0;
  let inter = 0;
  let nInter = 0;
  let diag = 0;
  let absDiag = 0;
  for (let a = 0; a < n; a++) {
    const fa = Math.floor(a / d);
    for (let b = 0; b < n; b++) {
      const v = matrix[a * n + b];
      if (a === b) {
        diag += v;
        absDiag += Math.abs(v);
      } else if (fa === Math.floor(b / d)) {
        intra += Math.abs(v);
        nIntra++;
      } else {
        inter += Math.abs(v);
        nInter++;
      }
    }
  }
  let constant = 0;
  for (let a = 0; a < n; a++) {
    let rowZero = true;
    let colZero = true;
    for (let b = 0; b < n && (rowZero || colZero); b++) {
      if (matrix[a * n + b] !== 0) rowZero = false;
      if (matrix[b * n + a] !== 0) colZero = false;
    }
    if (rowZero) constant++;
    if (colZero) constant++;
  }
  return {
    size: n,
    fields,
    fieldDim: d,
    meanAbsOffDiagonal: nIntra + nInter ? (intra + inter) / (nIntra + nInter) : 0,
    meanAbsIntraField: nIntra ? intra / nIntra : 0,
    meanAbsInterField: nInter ? inter / nInter : 0,
    meanAbsAll: n ? (intra + inter + absDiag) / (n * n) : 0,
    meanAbsDiagonal: n ? absDiag / n : 0,
    meanDiagonal: n ? diag / n : 0,
    constantColumns: constant,
  };
}
