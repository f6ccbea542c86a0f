// What the regression suite trains: every Table 1 model × DIS/GEN on a small built-in synthetic dataset, with one
// seed, one batch size, a fixed number of epochs and a fixed thread count, so that on the CPU every number it
// produces is reproducible to the last bit (same seed + thread count ⇒ same numbers).
import { STUDY_SPECS } from '../ablation/studies.js';
import type { Paradigm } from '../models/config.js';
import { table1Models } from '../models/catalog.js';

export interface SuiteSettings {
  dataset: 'synthetic-criteo';
  rows: number;
  batch_size: number;
  epochs: number;
  seed: number;
  threads: number;
  embedding_optimizer: 'dense' | 'lazy';
}

/** 20k rows (14,000 for training), batch 256, 2 epochs: 110 steps a run, 14 runs in two to three minutes on two cores. */
export const DEFAULT_SETTINGS: SuiteSettings = {
  dataset: 'synthetic-criteo',
  rows: 20_000,
  batch_size: 256,
  epochs: 2,
  seed: 2021,
  threads: 2,
  embedding_optimizer: 'dense',
};

export const PARADIGMS: readonly Paradigm[] = ['dis', 'gen'];

/** The suite's models: Table 1's (the one place the suite reads the model list from). */
export function suiteModels(): readonly string[] {
  return table1Models();
}

export interface RunSpec {
  /** "DCNv2 gen", or "DCNv2 <variant>" for an ablation variant: the key of the run in the baseline file. */
  id: string;
  model: string;
  paradigm: Paradigm;
  /** An ablation variant of the model's GEN config (experiments/<model>.yaml id <model>_<dataset>_<variant>). */
  variant?: string;
}

export const runId = (model: string, paradigm: Paradigm): string => `${model} ${paradigm}`;

/**
 * One of the paper's ablation variants (src/ablation/studies.ts) rides along: the random-target one, whose GEN head
 * predicts fields drawn afresh every step, so the suite also covers the engine's per-step random field choice.
 */
export const SUITE_VARIANT = { model: 'DCNv2', study: 'target', suffix: 'fs_use_random_cardinality_predict' } as const;

/** The variant from the ablation catalog (a renamed or dropped variant fails here, not silently). */
export function suiteVariant(): RunSpec {
  const v = STUDY_SPECS[SUITE_VARIANT.study].variants.find((x) => x.suffix === SUITE_VARIANT.suffix);
  if (!v) throw new Error(`regress: the ablation variant '${SUITE_VARIANT.suffix}' is not in the ${SUITE_VARIANT.study} study`);
  return { id: `${SUITE_VARIANT.model} ${v.suffix}`, model: SUITE_VARIANT.model, paradigm: 'gen', variant: v.suffix };
}

/**
 * The suite's runs, derived from the list of Table 1 models (a model added there is in the suite), then the ablation
 * variant when its model and GEN are selected.
 */
export function suiteRuns(models: readonly string[] = suiteModels(), paradigms: readonly Paradigm[] = PARADIGMS): RunSpec[] {
  const runs: RunSpec[] = models.flatMap((model) => paradigms.map((paradigm) => ({ id: runId(model, paradigm), model, paradigm })));
  if (models.includes(SUITE_VARIANT.model) && paradigms.includes('gen')) runs.push(suiteVariant());
  return runs;
}

/** Keys whose values differ between two settings (a baseline is only comparable with a run of the same settings). */
export function settingsDiff(a: SuiteSettings, b: SuiteSettings): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof SuiteSettings)[];
  return keys.filter((k) => a[k] !== b[k]).map((k) => `${k}: ${String(a[k])} vs ${String(b[k])}`);
}
