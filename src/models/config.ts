// Experiment configs: FuxiCTR model_config.yaml layout (a `Base` block plus one block per experiment id).
// load_model_config semantics: Base is merged under the experiment block and `model_id` is overwritten by the expid.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError } from '../util/errors.js';
import { EXPERIMENTS_DIR } from '../util/paths.js';

export type DatasetName = 'criteo_x1' | 'avazu_x4';
export type Paradigm = 'dis' | 'gen';
export type Activation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'silu' | 'elu';
export type ModelStructure = 'parallel' | 'crossnet_only' | 'stacked' | 'stacked_parallel';

/** The model-specific keys, typed; defaults are those of the GE4Rec model/GEN constructors (facts §1.1). */
export interface ModelConfig {
  /** Registry name (src/models/index.ts). */
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
   */
  predictTarget: { mode: 'random' | 'high_cardinality' | 'low_cardinality'; numTarget: number } | null;
}

export interface ExperimentConfig {
  expid: string;
  file: string;
  model: string;
  dataset: DatasetName;
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
  monitorMode: 'max' | 'min';
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

const MODEL_ALIASES: Record<string, string> = { PNN: 'IPNN', CrossNet: 'CrossNetV2' };

export function parseModelConfig(raw: Raw, file: string, expid: string): ModelConfig {
  const model = str(raw, 'model', file, expid);
  const embActivation = oneOf(str(raw, 'emb_activation', file, expid, 'linear'), ['linear', 'relu', 'tanh', 'sigmoid', 'silu', 'elu'] as const, file, expid, 'emb_activation');
  const concatEmb = bool(raw, 'concat_emb', file, expid, false);
  const gamma = num(raw, 'gamma', file, expid, 1);
  const genResidual = bool(raw, 'gen_residual', file, expid, false);
  const smallTransformation = bool(raw, 'small_transformation', file, expid, false);
  const identity = embActivation === 'linear' && !concatEmb && !smallTransformation && gamma === 1 && !genResidual;
  const pt = str(raw, 'product_type', file, expid, 'inner');
  const fit = str(raw, 'field_interaction_type', file, expid, 'matrixed');
  return {
    model: MODEL_ALIASES[model] ?? model,
    paradigm: identity ? 'dis' : 'gen',
    embActivation,
    concatEmb,
    gamma,
    genResidual,
    useGenRst: bool(raw, 'use_gen_rst', file, expid, false),
    crossDrop: num(raw, 'cross_drop', file, expid, 0),
    symmetric: bool(raw, 'symmetric', file, expid, false),
    smallTransformation,
    hiddenUnits: units(raw, 'hidden_units', file, expid),
    hiddenActivations: activations(raw, 'hidden_activations', file, expid),
    netDropout: num(raw, 'net_dropout', file, expid, 0),
    batchNorm: bool(raw, 'batch_norm', file, expid, false),
    dnnHiddenUnits: units(raw, 'dnn_hidden_units', file, expid),
    dnnActivations: activations(raw, 'dnn_activations', file, expid),
    cinHiddenUnits: units(raw, 'cin_hidden_units', file, expid),
    numCrossLayers: int(raw, 'num_cross_layers', file, expid, 1, 3),
    modelStructure: oneOf(str(raw, 'model_structure', file, expid, 'parallel'), ['parallel', 'crossnet_only', 'stacked', 'stacked_parallel'] as const, file, expid, 'model_structure'),
    parallelDnnHiddenUnits: units(raw, 'parallel_dnn_hidden_units', file, expid),
    stackedDnnHiddenUnits: units(raw, 'stacked_dnn_hidden_units', file, expid),
    linearType: oneOf(str(raw, 'linear_type', file, expid, 'FiLV'), ['LW', 'FeLV', 'FiLV'] as const, file, expid, 'linear_type'),
    fieldInteractionType: oneOf(fit, ['matrixed', 'vectorized'] as const, file, expid, 'field_interaction_type'),
    productType: oneOf(pt, ['inner'] as const, file, expid, 'product_type'),
    ...parseAblationKeys(raw, file, expid, model),
  };
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
  const modes = [
    ['use_random_predict', 'random'],
    ['use_high_cardinality_predict', 'high_cardinality'],
    ['use_low_cardinality_predict', 'low_cardinality'],
  ] as const;
  const on = modes.filter(([k]) => bool(raw, k, file, expid, false));
  if (on.length > 1) throw new UserError(`${file}: experiment '${expid}': ${on.map(([k]) => k).join(' and ')} are alternatives; set one`);
  for (const k of ['use_hard_mask_predict', 'use_mask_predict', 'use_masked_predict', 'use_field_mask_predict'])
    if (bool(raw, k, file, expid, false))
      throw new UserError(
        `${where(file, expid, k)}: not supported: the paper's DCNv2 has no working masked-target code (its use_hard_mask_predict ` +
          "leaves the head's width unchanged, so it cannot run); its hard-mask experiment id sets use_random_predict with num_target instead",
      );
  let predictTarget: ModelConfig['predictTarget'] = null;
  if (on.length === 1) {
    if (MODEL_ALIASES[model] !== 'CrossNetV2' && model !== 'DCNv2' && model !== 'CrossNetV2')
      throw new UserError(`${where(file, expid, on[0][0])}: only DCNv2 and CrossNet have target-selection heads (got model ${model})`);
    const numTarget = int(raw, 'num_target', file, expid, 1, 5);
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

function datasetOf(datasetId: string, file: string, expid: string): DatasetName {
  if (datasetId.startsWith('criteo_x1')) return 'criteo_x1';
  if (datasetId.startsWith('avazu_x4')) return 'avazu_x4';
  throw new UserError(`${where(file, expid, 'dataset_id')}: '${datasetId}' is neither criteo_x1_* nor avazu_x4_*`);
}

function readYaml(file: string): Raw {
  if (!existsSync(file)) throw new UserError(`experiment file not found: ${file}`);
  let doc: unknown;
  try {
    // merge: YAML 1.1 `<<` keys, as PyYAML (FuxiCTR) reads them; the paper's configs build every id on an anchor.
    doc = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const line = e.linePos?.[0]?.line;
      throw new UserError(`${file}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${file}: expected a mapping of experiment ids`);
  return doc as Raw;
}

/** Experiment ids in a file (every top-level block except Base). */
export function listExperiments(file: string): string[] {
  return Object.keys(readYaml(file)).filter((k) => k !== 'Base');
}

export function loadExperiment(file: string, expid: string): ExperimentConfig {
  const doc = readYaml(file);
  const block = doc[expid];
  if (expid === 'Base' || !block || typeof block !== 'object' || Array.isArray(block)) {
    const ids = Object.keys(doc).filter((k) => k !== 'Base');
    throw new UserError(`${file}: no experiment '${expid}'; the file defines: ${ids.join(', ')}`);
  }
  const base = (doc.Base && typeof doc.Base === 'object' ? doc.Base : {}) as Raw;
  const raw: Raw = { ...base, ...(block as Raw) };
  delete raw.model_id; // overwritten by the expid in FuxiCTR's load_model_config
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
    dataset: datasetOf(datasetId, file, expid),
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
    monitorMode: oneOf(str(raw, 'monitor_mode', file, expid, 'max'), ['max', 'min'] as const, file, expid, 'monitor_mode'),
    earlyStopPatience: int(raw, 'early_stop_patience', file, expid, 0, 2),
    shuffle: bool(raw, 'shuffle', file, expid, true),
    optimizer: str(raw, 'optimizer', file, expid, 'adam'),
    loss: str(raw, 'loss', file, expid, 'binary_crossentropy'),
    evalSteps: typeof evalSteps === 'number' ? evalSteps : null,
    modelConfig,
    raw,
  };
}

/** Table 1 models with a YAML in experiments/ (plus FwFM). */
export const TABLE1_MODELS = ['FM', 'FmFM', 'CrossNetV2', 'DeepFM', 'xDeepFM', 'IPNN', 'DCNv2'] as const;
export const CONFIG_MODELS = [...TABLE1_MODELS, 'FwFM'] as const;

/** The canonical model name for a config file (case-insensitive; PNN → IPNN, CrossNet → CrossNetV2). */
export function configModelName(model: string): string {
  const name = CONFIG_MODELS.find((m) => m.toLowerCase() === model.toLowerCase()) ?? MODEL_ALIASES[model];
  if (!name) throw new UserError(`unknown model '${model}' (expected one of ${CONFIG_MODELS.join(', ')})`);
  return name;
}

export function experimentFile(model: string, dir = EXPERIMENTS_DIR): string {
  return join(dir, `${configModelName(model)}.yaml`);
}

/** `<Model>_<dataset>_<paradigm>` from `<dir>/<Model>.yaml` (default: the package's experiments/). */
export function defaultExperiment(model: string, dataset: DatasetName, paradigm: Paradigm, dir?: string): ExperimentConfig {
  const name = configModelName(model);
  return loadExperiment(experimentFile(name, dir), `${name}_${dataset}_${paradigm}`);
}
