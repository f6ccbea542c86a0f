// Experiment configs: FuxiCTR model_config.yaml layout (a `Base` block plus one block per experiment id).
// load_model_config semantics: Base is merged under the experiment block and `model_id` is overwritten by the expid.
import { join } from 'node:path';
import { readYamlMapping } from '../util/yaml.js';
import { UserError } from '../util/errors.js';
import { EXPERIMENTS_DIR } from '../util/paths.js';
import { getDescriptor, findModel, table1Models, modelNames } from './catalog.js';
import type { ModelKey } from './descriptor.js';
import { FIXED_VALUES, GEN_ABLATION_KEYS, GEN_KEYS, INERT_KEYS, TRAINING_KEYS } from './keys.js';
import { datasetForId, type ReleaseName } from '../data/catalog.js';

/** The release whose experiments (hyper-parameters) are used: the built-in ids are `<Model>_<release>_<dis|gen>`. */
export type DatasetName = ReleaseName;
export type Paradigm = 'dis' | 'gen';
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'silu' | 'elu';
export type ModelStructure = 'parallel' | 'crossnet_only' | 'stacked' | 'stacked_parallel';

/** The model-specific keys, typed; defaults are those of the GE4Rec model/GEN constructors (facts §1.1). */
export interface ModelConfig {
  /** The catalog name of what is trained (src/models/catalog.ts): a DCNv2 with crossnet_only is CrossNetV2. */
  model: string;
  paradigm: Paradigm;
  embActivation: Activation;
  concatEmb: boolean;
  gamma: number;
  genResidual: boolean;
  useGenRst: boolean;
  crossDrop: number;
  symmetric: boolean;
  smallTransformation: boolean;
  hiddenUnits: number[];
  hiddenActivations: string[] | string;
  netDropout: number;
  batchNorm: boolean;
  dnnHiddenUnits: number[];
  dnnActivations: string[] | string;
  cinHiddenUnits: number[];
  numCrossLayers: number;
  modelStructure: ModelStructure;
  parallelDnnHiddenUnits: number[];
  stackedDnnHiddenUnits: number[];
  /** FwFM linear part: 'FiLV' (flattened embeddings, the default), 'FeLV' (per-field vectors), 'LW' (per-feature weights). */
  linearType: 'LW' | 'FeLV' | 'FiLV';
  /** FmFM: one D×D matrix per pair ('matrixed', the configs) or one D-vector per pair ('vectorized'). */
  fieldInteractionType: 'matrixed' | 'vectorized';
  productType: 'inner';
  // ---- The paper's ablations (Sec. 4.4, App. C.4), keys of its GEN and DCNv2 code.
  /** exp_group_idx: only the 10 highest- (0) or lowest- (1) cardinality fields take the GEN output; null: all. */
  expGroupIdx: 0 | 1 | null;
  /** field_share: one generated field vector (field 0's) for every field. */
  fieldShare: boolean;
  /** more_layers: the GEN transform is Linear, BatchNorm, ReLU, Linear. */
  moreLayers: boolean;
  /** use_att: the GEN transform is self-attention over the field vectors. */
  useAtt: boolean;
  /**
   * DCNv2 target ablation (use_random_predict / use_high_cardinality_predict / use_low_cardinality_predict with
   * num_target): the head sees only the selected fields' cross terms, summed over the layers; null: the usual x_L.
   * The masked modes (use_masked_predict, use_field_mask_predict, use_hard_mask_predict) also replace the selected
   * fields in the generators' input, in training, by one learnable mask vector, one per field, or zeros.
   */
  predictTarget: { mode: TargetMode; numTarget: number } | null;
}

export type TargetMode = 'random' | 'high_cardinality' | 'low_cardinality' | MaskMode;
export type MaskMode = 'masked' | 'field_masked' | 'hard_masked';

export interface ExperimentConfig {
  expid: string;
  file: string;
  model: string;
  /** The dataset `dataset_id` names: a catalog dataset (criteo_x1_7b681156 → criteo_x1) or the id itself (a user dataset). */
  dataset: string;
  /** FuxiCTR dataset_id, i.e. the data folder name (criteo_x1_7b681156 / avazu_x4_3bbbc4c9). */
  datasetId: string;
  paradigm: Paradigm;
  /**
   * Set (to the expid) when the experiment is one of the paper's ablation variants rather than its plain DIS or GEN
   * config: its runs then live in results/<dataset>/<model>/<expid>/ instead of .../gen/, so that they never pass for
   * (or get reused as) the GEN run.
   */
  variant: string | null;
  embeddingDim: number;
  batchSize: number;
  learningRate: number;
  epochs: number;
  embeddingRegularizer: number;
  netRegularizer: number;
  seed: number;
  metrics: string[];
  /** Weighted sum of metrics, maximised or minimised per monitorMode ('AUC' → {AUC: 1}). */
  monitor: Record<string, number>;
  monitorMode: 'max';
  earlyStopPatience: number;
  shuffle: boolean;
  optimizer: string;
  loss: string;
  evalSteps: number | null;
  modelConfig: ModelConfig;
  /** Base merged under the experiment block, as read (model_id dropped). */
  raw: Record<string, unknown>;
}

type Raw = Record<string, unknown>;

function where(file: string, expid: string, key: string): string {
  return `${file}: experiment '${expid}', key '${key}'`;
}

function num(raw: Raw, key: string, file: string, expid: string, dflt?: number): number {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new UserError(`${where(file, expid, key)} is missing`);
  }
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new UserError(`${where(file, expid, key)}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

/** A whole number ≥ `min` (sizes, counts, seeds): 2.5 embedding dimensions would only fail deep in the graph builder. */
function int(raw: Raw, key: string, file: string, expid: string, min: number, dflt?: number): number {
  const n = num(raw, key, file, expid, dflt);
  if (!Number.isSafeInteger(n) || n < min) throw new UserError(`${where(file, expid, key)}: expected a whole number ≥ ${min}, got ${JSON.stringify(raw[key])}`);
  return n;
}

function bool(raw: Raw, key: string, file: string, expid: string, dflt: boolean): boolean {
  const v = raw[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new UserError(`${where(file, expid, key)}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function str(raw: Raw, key: string, file: string, expid: string, dflt?: string): string {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new UserError(`${where(file, expid, key)} is missing`);
  }
  if (typeof v !== 'string') throw new UserError(`${where(file, expid, key)}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function units(raw: Raw, key: string, file: string, expid: string): number[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((u) => typeof u !== 'number' || !Number.isInteger(u) || u <= 0))
    throw new UserError(`${where(file, expid, key)}: expected a list of positive integers, got ${JSON.stringify(v)}`);
  return v as number[];
}

function activations(raw: Raw, key: string, file: string, expid: string): string[] | string {
  const v = raw[key] ?? 'relu';
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v as string[];
  throw new UserError(`${where(file, expid, key)}: expected an activation name or a list of them`);
}

function oneOf<T extends string>(v: string, allowed: readonly T[], file: string, expid: string, key: string): T {
  if (!(allowed as readonly string[]).includes(v))
    throw new UserError(`${where(file, expid, key)}: '${v}' is not supported (expected one of ${allowed.join(', ')})`);
  return v as T;
}

/** FuxiCTR get_regularizer: a float means L2 with that weight; also accepts "l2(x)". Returns λ (0 = off). */
function regularizer(raw: Raw, key: string, file: string, expid: string): number {
  const v = raw[key];
  if (v === undefined || v === null || v === 0) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^\s*l2\(\s*([^)]+)\)\s*$/i.exec(v);
    const n = Number(m ? m[1] : v);
    if (Number.isFinite(n)) return n;
  }
  throw new UserError(`${where(file, expid, key)}: expected a number or "l2(x)", got ${JSON.stringify(v)} (only L2 is supported)`);
}

/** Reads one typed key (its default when absent). */
function readKey(raw: Raw, k: ModelKey, file: string, expid: string): unknown {
  const v = raw[k.key];
  if (v === undefined || v === null) return k.default;
  const t = k.type;
  if (t === 'number') return num(raw, k.key, file, expid);
  if (t === 'int') return int(raw, k.key, file, expid, 1);
  if (t === 'bool') return bool(raw, k.key, file, expid, k.default as boolean);
  if (t === 'units') return units(raw, k.key, file, expid);
  if (t === 'activations') return activations(raw, k.key, file, expid);
  return oneOf(str(raw, k.key, file, expid), t.oneOf, file, expid, k.key);
}

/** Defaults of every ModelConfig field, for the keys a model does not have. */
const FIELD_DEFAULTS: Omit<ModelConfig, 'model' | 'paradigm'> = {
  embActivation: 'linear', concatEmb: false, gamma: 1, genResidual: false, useGenRst: false, crossDrop: 0, symmetric: false,
  smallTransformation: false, hiddenUnits: [], hiddenActivations: 'relu', netDropout: 0, batchNorm: false, dnnHiddenUnits: [],
  dnnActivations: 'relu', cinHiddenUnits: [], numCrossLayers: 3, modelStructure: 'parallel', parallelDnnHiddenUnits: [],
  stackedDnnHiddenUnits: [], linearType: 'FiLV', fieldInteractionType: 'matrixed', productType: 'inner',
  expGroupIdx: null, fieldShare: false, moreLayers: false, useAtt: false, predictTarget: null,
};

/** The model's keys (GEN keys + its descriptor's), typed, with the model named after what is trained. */
export function parseModelConfig(raw: Raw, file: string, expid: string): ModelConfig {
  const desc = getDescriptor(str(raw, 'model', file, expid), where(file, expid, 'model'));
  const cfg: Record<string, unknown> = { ...FIELD_DEFAULTS };
  for (const k of [...GEN_KEYS, ...desc.keys]) {
    const v = readKey(raw, k, file, expid);
    const bad = k.unsupported?.(raw[k.key]);
    if (bad) throw new UserError(`${where(file, expid, k.key)}: ${bad}`);
    if (k.field) cfg[k.field] = v;
  }
  Object.assign(cfg, parseAblationKeys(raw, file, expid, desc.name));
  const c = cfg as unknown as ModelConfig;
  const problem = desc.validate?.(c);
  if (problem) throw new UserError(`${where(file, expid, problem.key)}: ${problem.message}`);
  const identity = c.embActivation === 'linear' && !c.concatEmb && !c.smallTransformation && c.gamma === 1 && !c.genResidual;
  return { ...c, model: desc.trainedAs?.(c) ?? desc.name, paradigm: identity ? 'dis' : 'gen' };
}

/** Keys of `raw` that ge4rec neither honours nor knows to be inert, for the model it names. */
export function unknownKeys(raw: Raw, model: string): string[] {
  const desc = findModel(model);
  const known = new Set<string>([
    ...TRAINING_KEYS,
    ...INERT_KEYS,
    ...GEN_KEYS.map((k) => k.key),
    ...GEN_ABLATION_KEYS,
    ...(desc?.keys ?? []).map((k) => k.key),
    ...(desc?.parsedKeys ?? []),
    ...(desc?.inertKeys ?? []),
  ]);
  return Object.keys(raw).filter((k) => !known.has(k));
}

/** An ablation key is set, or a GEN config departs from the main GEN configs' ReLU encoder. */
export function isAblationVariant(c: ModelConfig): boolean {
  return (
    c.expGroupIdx !== null || c.fieldShare || c.moreLayers || c.useAtt || c.predictTarget !== null ||
    (c.smallTransformation && !c.concatEmb) || (c.paradigm === 'gen' && c.embActivation !== 'relu')
  );
}

type AblationKeys = Pick<ModelConfig, 'expGroupIdx' | 'fieldShare' | 'moreLayers' | 'useAtt' | 'predictTarget'>;

/** The ablation keys of the paper's GEN and DCNv2 code; the target keys exist only in its DCNv2. */
function parseAblationKeys(raw: Raw, file: string, expid: string, model: string): AblationKeys {
  const g = raw.exp_group_idx;
  if (g !== undefined && g !== null && g !== 0 && g !== 1)
    throw new UserError(
      `${where(file, expid, 'exp_group_idx')}: ${JSON.stringify(g)} is not supported: the paper's GEN defines two cardinality groups, ` +
        '0 (the 10 highest-cardinality fields) and 1 (the 10 lowest)',
    );
  // [key, mode, num_target default of the paper's code: 5, and 1 for its DCNv2's use_hard_mask_predict]
  const modes = [
    ['use_random_predict', 'random', 5],
    ['use_high_cardinality_predict', 'high_cardinality', 5],
    ['use_low_cardinality_predict', 'low_cardinality', 5],
    ['use_masked_predict', 'masked', 5],
    ['use_mask_predict', 'masked', 5],
    ['use_field_mask_predict', 'field_masked', 5],
    ['use_hard_mask_predict', 'hard_masked', 1],
  ] as const;
  const on = modes.filter(([k]) => bool(raw, k, file, expid, false));
  if (on.length > 1) throw new UserError(`${file}: experiment '${expid}': ${on.map(([k]) => k).join(' and ')} are alternatives; set one`);
  let predictTarget: ModelConfig['predictTarget'] = null;
  if (on.length === 1) {
    if (!findModel(model)?.parsedKeys?.includes(on[0][0]))
      throw new UserError(`${where(file, expid, on[0][0])}: only DCNv2 and CrossNet have target-selection heads (got model ${model})`);
    const numTarget = int(raw, 'num_target', file, expid, 1, on[0][2]);
    predictTarget = { mode: on[0][1], numTarget };
  }
  return {
    expGroupIdx: g === 0 || g === 1 ? g : null,
    fieldShare: bool(raw, 'field_share', file, expid, false),
    moreLayers: bool(raw, 'more_layers', file, expid, false),
    useAtt: bool(raw, 'use_att', file, expid, false),
    predictTarget,
  };
}

function parseMonitor(raw: Raw, file: string, expid: string): Record<string, number> {
  const v = raw.monitor ?? 'AUC';
  if (typeof v === 'string') return { [v]: 1 };
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((w) => typeof w === 'number'))
    return { ...(v as Record<string, number>) };
  throw new UserError(`${where(file, expid, 'monitor')}: expected a metric name or {metric: weight, ...}`);
}

function readYaml(file: string): Raw {
  return readYamlMapping(file, `experiment file not found: ${file}`, 'experiment ids') as Raw;
}

/** Experiment ids in a file (every top-level block except Base). */
export function listExperiments(file: string): string[] {
  return Object.keys(readYaml(file)).filter((k) => k !== 'Base');
}

export interface LoadOptions {
  /** FuxiCTR's behaviour: keys ge4rec does not know are ignored, each with a warning, instead of an error. */
  ignoreUnknownKeys?: boolean;
  warn?: (message: string) => void;
}

/** Nearest known key (edit distance ≤ 2), for "did you mean". */
function nearest(k: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of known) {
    const d = editDistance(k, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return dp[b.length];
}

/** Every key must be honoured, inert or fixed at the one value the engine implements (FIXED_VALUES). */
function checkKeys(raw: Raw, file: string, expid: string, o: LoadOptions): void {
  const model = str(raw, 'model', file, expid);
  const desc = getDescriptor(model, where(file, expid, 'model'));
  for (const k of unknownKeys(raw, desc.name)) {
    const known = [...TRAINING_KEYS, ...GEN_KEYS.map((g) => g.key), ...desc.keys.map((m) => m.key), ...INERT_KEYS];
    const near = nearest(k, known);
    const msg = `${where(file, expid, k)}: unknown key for model ${desc.name}${near ? ` (did you mean '${near}'?)` : ''}`;
    if (o.ignoreUnknownKeys) {
      o.warn?.(`warning: ${msg}; ignored (--ignore-unknown-keys)`);
      delete raw[k];
    } else {
      throw new UserError(msg, 'Every key is honoured, known to be inert, or refused: fix the key, or pass --ignore-unknown-keys to ignore unknown keys as FuxiCTR does (with a warning each).');
    }
  }
  for (const [k, check] of Object.entries(FIXED_VALUES)) {
    const bad = check(raw[k]);
    if (bad) throw new UserError(`${where(file, expid, k)}: ${bad}`);
  }
}

/**
 * One experiment of a FuxiCTR/GE4Rec model_config.yaml, as FuxiCTR's load_model_config reads it: YAML merge keys
 * resolved, the `Base` block under the experiment's, `model_id` replaced by the expid.
 */
export function loadExperiment(file: string, expid: string, o: LoadOptions = {}): ExperimentConfig {
  const doc = readYaml(file);
  const block = doc[expid];
  if (expid === 'Base' || !block || typeof block !== 'object' || Array.isArray(block)) {
    const ids = Object.keys(doc).filter((k) => k !== 'Base');
    throw new UserError(`${file}: no experiment '${expid}'; the file defines: ${ids.join(', ')}`);
  }
  const base = (doc.Base && typeof doc.Base === 'object' ? doc.Base : {}) as Raw;
  const raw: Raw = { ...base, ...(block as Raw) };
  delete raw.model_id; // overwritten by the expid in FuxiCTR's load_model_config
  checkKeys(raw, file, expid, o);
  // FM/FmFM/FwFM: `regularizer` feeds both embedding_regularizer and net_regularizer.
  if (raw.regularizer !== undefined && raw.regularizer !== null) {
    raw.embedding_regularizer = raw.regularizer;
    raw.net_regularizer = raw.regularizer;
  }
  const modelConfig = parseModelConfig(raw, file, expid);
  const datasetId = str(raw, 'dataset_id', file, expid);
  const evalSteps = raw.eval_steps;
  return {
    expid,
    file,
    model: modelConfig.model,
    dataset: datasetForId(datasetId),
    datasetId,
    paradigm: modelConfig.paradigm,
    variant: isAblationVariant(modelConfig) ? expid : null,
    embeddingDim: int(raw, 'embedding_dim', file, expid, 1),
    batchSize: int(raw, 'batch_size', file, expid, 1),
    learningRate: num(raw, 'learning_rate', file, expid, 1e-3),
    epochs: int(raw, 'epochs', file, expid, 1, 100),
    embeddingRegularizer: regularizer(raw, 'embedding_regularizer', file, expid),
    netRegularizer: regularizer(raw, 'net_regularizer', file, expid),
    seed: int(raw, 'seed', file, expid, 0, 2019),
    metrics: Array.isArray(raw.metrics) ? (raw.metrics as unknown[]).map(String) : ['logloss', 'AUC'],
    monitor: parseMonitor(raw, file, expid),
    monitorMode: oneOf(str(raw, 'monitor_mode', file, expid, 'max'), ['max'] as const, file, expid, 'monitor_mode'),
    earlyStopPatience: int(raw, 'early_stop_patience', file, expid, 0, 2),
    shuffle: bool(raw, 'shuffle', file, expid, true),
    optimizer: str(raw, 'optimizer', file, expid, 'adam'),
    loss: str(raw, 'loss', file, expid, 'binary_crossentropy'),
    evalSteps: typeof evalSteps === 'number' ? evalSteps : null,
    modelConfig,
    raw,
  };
}

/** Table 1's models (catalog order), and every model with a YAML in experiments/. */
export function table1ModelNames(): string[] {
  return table1Models();
}
export function configModelNames(): string[] {
  return modelNames();
}

/** The canonical model name for a config file (case-insensitive; PNN → IPNN, CrossNet → CrossNetV2). */
export function configModelName(model: string): string {
  return getDescriptor(model).name;
}

export function experimentFile(model: string, dir = EXPERIMENTS_DIR): string {
  return join(dir, getDescriptor(model).experiments);
}

/** `<Model>_<dataset>_<paradigm>` from `<dir>/<Model>.yaml` (default: the package's experiments/). */
export function defaultExperiment(model: string, dataset: ReleaseName, paradigm: Paradigm, dir?: string): ExperimentConfig {
  const name = configModelName(model);
  return loadExperiment(experimentFile(name, dir), `${name}_${dataset}_${paradigm}`);
}
