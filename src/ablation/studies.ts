// The paper's ablation studies of GEN on DCNv2 (Sec. 4.4 Fig. 5, App. C.4 Fig. 10): which experiment ids each study
// trains (experiments/DCNv2.yaml, `DCNv2_<template dataset>_<suffix>`), their bar labels, and the AUCs the paper's
// plot scripts hard-code (Avazu for all studies, Criteo only for the activations; the scripts' other Criteo arrays
// are placeholders copied from the activation script, so they are not shown).
import type { DatasetName } from '../models/config.js';
import { UserError } from '../util/errors.js';

export const STUDIES = ['source', 'encoder', 'target', 'activation'] as const;
export type Study = (typeof STUDIES)[number];

export interface Variant {
  /** Experiment id suffix: DCNv2_<dataset>_<suffix>. */
  suffix: string;
  /** Bar label, as the paper's figure names it. */
  label: string;
  paperAuc?: Partial<Record<DatasetName, number>>;
}

export interface StudySpec {
  title: string;
  figure: string;
  variants: Variant[];
}

/** The paper's DIS and GEN DCNv2 AUCs in the same plot scripts (the reference lines). */
export const PAPER_BASELINE: Record<DatasetName, { dis: number; gen: number }> = {
  avazu_x4: { dis: 0.792587, gen: 0.793512 },
  criteo_x1: { dis: 0.813575, gen: 0.814115 },
};

export const STUDY_SPECS: Record<Study, StudySpec> = {
  source: {
    title: 'Source ablation',
    figure: 'Fig. 5(a)',
    variants: [
      { suffix: 'own_source', label: '(a) Own for all fields', paperAuc: { avazu_x4: 0.792635 } },
      { suffix: 'group0', label: '(b) All for high-cardinality fields', paperAuc: { avazu_x4: 0.792943 } },
      { suffix: 'group1', label: '(c) All for low-cardinality fields', paperAuc: { avazu_x4: 0.793141 } },
    ],
  },
  encoder: {
    title: 'Encoder ablation',
    figure: 'Fig. 5(b)',
    variants: [
      { suffix: 'field_share', label: '(b.1) Field-shared MLP', paperAuc: { avazu_x4: 0.792891 } },
      { suffix: 'linear', label: '(b.2) No activation', paperAuc: { avazu_x4: 0.792318 } },
      { suffix: '2layer', label: '(b.3) One more layer', paperAuc: { avazu_x4: 0.792931 } },
      { suffix: 'fs_use_att', label: '(b.4) Self-attention', paperAuc: { avazu_x4: 0.792901 } },
    ],
  },
  target: {
    title: 'Target ablation',
    figure: 'Fig. 5(c)',
    variants: [
      { suffix: 'fs_use_random_cardinality_predict', label: '(c.1) Predict random selected', paperAuc: { avazu_x4: 0.792762 } },
      { suffix: 'fs_use_masked_predict', label: '(c.2) Masked, one mask vector', paperAuc: { avazu_x4: 0.792364 } },
      { suffix: 'fs_use_field_mask_predict', label: '(c.3) Masked, field-aware mask vectors', paperAuc: { avazu_x4: 0.792931 } },
      { suffix: 'fs_use_hard_mask_predict_zero', label: '(c.4) Hard (zero) masked', paperAuc: { avazu_x4: 0.793102 } },
      // The paper's own hard-mask id: use_random_predict with 19 targets, nothing masked (its bar may come from it).
      { suffix: 'fs_use_hard_mask_predict', label: "Paper's hard-mask id (19 random, no mask)" },
      { suffix: 'fs_use_high_cardinality_predict', label: 'Predict 5 highest-cardinality' },
      { suffix: 'fs_use_low_cardinality_predict', label: 'Predict 5 lowest-cardinality' },
    ],
  },
  activation: {
    title: 'Activation functions',
    figure: 'Fig. 10(a)',
    variants: [
      { suffix: 'linear', label: 'Linear', paperAuc: { avazu_x4: 0.792318, criteo_x1: 0.813557 } },
      { suffix: 'sigmoid', label: 'Sigmoid', paperAuc: { avazu_x4: 0.792704, criteo_x1: 0.81379 } },
      { suffix: 'tanh', label: 'Tanh', paperAuc: { avazu_x4: 0.793038, criteo_x1: 0.813741 } },
      { suffix: 'silu', label: 'SiLU', paperAuc: { avazu_x4: 0.79361, criteo_x1: 0.814293 } },
      { suffix: 'elu', label: 'ELU' },
    ],
  },
};

/** `--study`: one study, a comma-separated list, or 'all'. */
export function parseStudies(arg: string): Study[] {
  if (arg === 'all') return [...STUDIES];
  const names = [...new Set(arg.split(',').map((s) => s.trim()).filter(Boolean))];
  const bad = names.filter((n) => !(STUDIES as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0)
    throw new UserError(`--study: unknown study '${bad[0] ?? arg}'; expected ${STUDIES.join(', ')} (comma-separated) or all`);
  return names as Study[];
}
