// The paper's Table 1 and Table 5 numbers (reference/paper-results.json), looked up per dataset/model/paradigm.
import { readFileSync } from 'node:fs';
import { PAPER_RESULTS_JSON } from '../util/paths.js';
import { findDataset } from '../data/catalog.js';
import { findModel, table1Models } from '../models/catalog.js';

export type Paradigm = 'dis' | 'gen';
export type PaperDataset = 'criteo_x1' | 'avazu_x4';

interface PaperJson {
  table1: { rows: Record<string, Record<Paradigm, number[]>> };
  table5_speed_memory: { rows: Record<string, Record<Paradigm, number[]>> };
}

let cache: PaperJson | null = null;
function paper(): PaperJson {
  cache ??= JSON.parse(readFileSync(PAPER_RESULTS_JSON, 'utf8')) as PaperJson;
  return cache;
}

/** The real dataset whose paper numbers a dataset is set beside; synthetic data map to their template. */
export function paperDatasetFor(dataset: string): { paperDataset: PaperDataset; synthetic: boolean } | null {
  const p = findDataset(dataset)?.paper;
  return p ? { paperDataset: p.release, synthetic: !p.comparable } : null;
}

/** The model's row key in the paper's tables (catalog paperKey), or null. */
function paperKey(model: string): string | null {
  return findModel(model)?.paperKey ?? null;
}

export interface PaperTable1Entry {
  auc: number;
  aucStd: number;
  logloss: number;
  loglossStd: number;
}

export function paperTable1(ds: PaperDataset, model: string, paradigm: Paradigm): PaperTable1Entry | null {
  const k = paperKey(model);
  const row = k ? paper().table1.rows[k]?.[paradigm] : undefined;
  if (!row) return null;
  const o = ds === 'criteo_x1' ? 0 : 4;
  return { auc: row[o], aucStd: row[o + 1], logloss: row[o + 2], loglossStd: row[o + 3] };
}

export function paperTable5(ds: PaperDataset, model: string, paradigm: Paradigm): { secondsPerEpoch: number; gpuMb: number } | null {
  const k = paperKey(model);
  const row = k ? paper().table5_speed_memory.rows[k]?.[paradigm] : undefined;
  if (!row) return null;
  const o = ds === 'criteo_x1' ? 0 : 2;
  return { secondsPerEpoch: row[o], gpuMb: row[o + 1] };
}

/** Table 1's row order (the model catalog's table1Order). */
export function paperModelOrder(): string[] {
  return table1Models();
}
