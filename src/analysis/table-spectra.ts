// Per-field embedding-table spectra (paper App. C.2, Fig. 9): the D × D covariance of each categorical table's
// rows, fields ordered by cardinality (largest first, as GEN's cardinality ordering).
import type { FieldInfo } from '../data/types.js';
import { mat, type CrossProduct } from './matrix.js';
import { covarianceSpectrum, type Spectrum } from './spectrum.js';

export interface EmbeddingTable {
  data: Float32Array;
  rows: number;
  dim: number;
}

export interface FieldSpectrum extends Spectrum {
  field: string;
  /** Rows in the table, padding and OOV included (FieldInfo.vocabSize). */
  cardinality: number;
  /** Rows that entered the covariance (the padding row 0 is left out: it is fixed at zero). */
  rowsUsed: number;
}

/** Categorical fields by descending cardinality; ties keep feature-map order. */
export function fieldsByCardinality(fields: FieldInfo[]): FieldInfo[] {
  return fields
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.type === 'categorical')
    .sort((x, y) => (y.f.vocabSize ?? 0) - (x.f.vocabSize ?? 0) || x.i - y.i)
    .map(({ f }) => f);
}

export async function tableSpectrum(field: FieldInfo, table: EmbeddingTable, cross?: CrossProduct): Promise<FieldSpectrum> {
  if (table.data.length !== table.rows * table.dim) {
    throw new Error(`embedding table of ${field.name}: ${table.data.length} values for ${table.rows} × ${table.dim}`);
  }
  const used = table.rows - 1;
  if (used < 2) {
    const empty = await covarianceSpectrum(mat(new Float32Array(2 * table.dim), 2, table.dim));
    return { ...empty, field: field.name, cardinality: field.vocabSize ?? table.rows, rowsUsed: Math.max(0, used) };
  }
  const body = table.data.subarray(table.dim);
  const s = await covarianceSpectrum(mat(body, used, table.dim), cross);
  return { ...s, field: field.name, cardinality: field.vocabSize ?? table.rows, rowsUsed: used };
}

export async function tableSpectra(
  fields: FieldInfo[],
  getTable: (field: string) => EmbeddingTable,
  cross?: CrossProduct,
): Promise<FieldSpectrum[]> {
  const out: FieldSpectrum[] = [];
  for (const f of fieldsByCardinality(fields)) out.push(await tableSpectrum(f, getTable(f.name), cross));
  return out;
}
