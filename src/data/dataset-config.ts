// FuxiCTR's dataset_config.yaml, read as users write it: the dataset id as the top-level key, data_format,
// train/valid/test_data, min_categr_count, feature_cols (name or list of names, active, dtype, type, per-feature
// min_categr_count, fill_na, preprocess), label_col. The result is a dataset catalog descriptor.
// Semantics follow FuxiCTR v2.3.x's FeatureProcessor: vocabulary from train only, tokens sorted by (−count, token),
// PAD 0 / OOV N+1, fill_na defaulting to "" (str) or 0 (int/float) and doubling as the tokenizer's na_value when given.
import { existsSync } from 'node:fs';
import { inputFiles } from './parquet-input.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readYamlMapping } from '../util/yaml.js';
import { UserError } from '../util/errors.js';
import { checkName } from '../util/safe-path.js';
import type { DatasetDescriptor } from './catalog.js';
import type { ColumnSpec, DatasetSpec } from './datasets.js';
import type { Split } from './types.js';

type Raw = Record<string, unknown>;

/** Dataset-level keys: read, or (data_root, rebuild_dataset: true, data_block_size...) known to change nothing here. */
const DATASET_KEYS = new Set(['data_format', 'train_data', 'valid_data', 'test_data', 'min_categr_count', 'feature_cols', 'label_col']);
const DATASET_INERT = new Set(['data_root', 'data_block_size', 'streaming', 'rebuild_dataset']);
/** Feature keys: read, or inert (`source` is FuxiCTR's feature-group tag, kept in feature_map.json only). */
const FEATURE_KEYS = new Set(['name', 'active', 'dtype', 'type', 'min_categr_count', 'fill_na', 'preprocess', 'source']);
/** FuxiCTR feature keys this engine does not implement: each is refused by name. */
const FEATURE_UNSUPPORTED: Record<string, string> = {
  embedding_dim: 'per-feature embedding sizes are not implemented (every field uses the model config\'s embedding_dim)',
  normalizer: 'numeric normalizers are not implemented (numeric values are used as they are, as FuxiCTR does without one)',
  feature_encoder: 'feature encoders are not implemented',
  share_embedding: 'shared embeddings are not implemented',
  pretrained_emb: 'pretrained embeddings are not implemented',
  category_processor: 'category processors (quantile/hash bucketing) are not implemented',
  remap: 'remap: false is not implemented (vocabularies always remap to 1..N)',
  splitter: 'sequence features are not supported',
  max_len: 'sequence features are not supported',
  padding: 'sequence features are not supported',
  emb_output_dim: 'emb_output_dim is not implemented',
};
/** preprocess functions of FuxiCTR's Avazu processors: the YYMMDDHH `hour` column → hour, weekday, weekend. */
const PREPROCESS: Record<string, 'hour' | 'weekday' | 'weekend'> = {
  convert_hour: 'hour',
  convert_weekday: 'weekday',
  convert_weekend: 'weekend',
};

export interface UserDatasetFiles {
  format: 'csv' | 'parquet';
  files: Record<Split, string>;
}

function readDoc(file: string): Raw {
  return readYamlMapping(file, `--config: ${file} not found`, 'dataset ids') as Raw;
}

/** Dataset ids in a dataset_config.yaml. */
export function listDatasetIds(file: string): string[] {
  return Object.keys(readDoc(file));
}

/**
 * FuxiCTR resolves a relative data path against the working directory; a file written beside its YAML is found
 * there too. An error names both places looked at.
 */
export function resolveDataPath(p: string, yamlFile: string, cwd: string, what: string): string {
  if (isAbsolute(p)) {
    if (!existsSync(p)) throw new UserError(`${yamlFile}: ${what} ${p} does not exist`);
    return p;
  }
  const a = resolve(cwd, p);
  if (existsSync(a)) return a;
  const b = resolve(dirname(resolve(yamlFile)), p);
  if (existsSync(b)) return b;
  throw new UserError(`${yamlFile}: ${what} '${p}' not found: looked in ${a} (working directory) and ${b} (beside the YAML)`);
}

/** The descriptor of dataset `id` in `file` (paths resolved now, so a later run does not depend on the cwd). */
export function readDatasetConfig(file: string, id: string, cwd = process.cwd()): DatasetDescriptor & { files: Record<Split, string>; format: 'csv' | 'parquet'; config: string } {
  const doc = readDoc(file);
  const block = doc[id];
  if (!block || typeof block !== 'object' || Array.isArray(block))
    throw new UserError(`${file}: no dataset '${id}'; the file defines: ${Object.keys(doc).join(', ') || '(nothing)'}`);
  checkName(id, `${file}: dataset id`);
  const raw = block as Raw;
  const at = (k: string) => `${file}: dataset '${id}', key '${k}'`;
  for (const k of Object.keys(raw))
    if (!DATASET_KEYS.has(k) && !DATASET_INERT.has(k)) {
      const hint = k.startsWith('sequence') || k.includes('seq') ? ' (sequence features are not supported)' : '';
      throw new UserError(`${at(k)}: unknown or unsupported key${hint}`);
    }
  if (raw.rebuild_dataset === false) throw new UserError(`${at('rebuild_dataset')}: false is not supported (prepare always builds the dataset from the files)`);
  const format = raw.data_format ?? 'csv';
  if (format !== 'csv' && format !== 'parquet') throw new UserError(`${at('data_format')}: '${String(format)}' is not supported (csv or parquet)`);
  const files = {} as Record<Split, string>;
  for (const s of ['train', 'valid', 'test'] as const) {
    const k = `${s}_data`;
    const v = raw[k];
    if (typeof v !== 'string' || !v) throw new UserError(`${at(k)} is missing (ge4rec trains on a train, a valid and a test split)`);
    files[s] = resolveDataPath(v, file, cwd, k);
  }
  const minCount = raw.min_categr_count ?? 1;
  if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 1) throw new UserError(`${at('min_categr_count')}: expected a positive integer, got ${JSON.stringify(minCount)}`);

  // label_col: one mapping (FuxiCTR also takes a list, for multi-task data: one label only here)
  let label = raw.label_col;
  if (Array.isArray(label)) {
    if (label.length !== 1) throw new UserError(`${at('label_col')}: ${label.length} labels; only one (binary click) label is supported`);
    label = label[0];
  }
  if (!label || typeof label !== 'object' || typeof (label as Raw).name !== 'string')
    throw new UserError(`${at('label_col')} is missing or has no name (expected {name: click, dtype: float})`);
  const labelName = (label as Raw).name as string;

  const cols = raw.feature_cols;
  if (!Array.isArray(cols) || cols.length === 0) throw new UserError(`${at('feature_cols')} is missing or empty`);
  const fields: ColumnSpec[] = [];
  cols.forEach((c, i) => {
    const where = `${file}: dataset '${id}', feature_cols[${i}]`;
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new UserError(`${where}: expected a mapping (name, active, dtype, type)`);
    const col = c as Raw;
    for (const k of Object.keys(col)) {
      if (FEATURE_UNSUPPORTED[k]) throw new UserError(`${where}, key '${k}': ${FEATURE_UNSUPPORTED[k]}`);
      if (!FEATURE_KEYS.has(k)) throw new UserError(`${where}, key '${k}': unknown key`);
    }
    const names = Array.isArray(col.name) ? col.name : [col.name];
    if (names.length === 0 || names.some((n) => typeof n !== 'string' || !n)) throw new UserError(`${where}, key 'name': expected a column name or a list of them`);
    const type = col.type;
    if (type === 'sequence') throw new UserError(`${where}, key 'type': sequence features are not supported (categorical and numeric only)`);
    if (type !== 'categorical' && type !== 'numeric') throw new UserError(`${where}, key 'type': '${String(type)}' is not supported (categorical or numeric)`);
    const dtype = col.dtype ?? (type === 'numeric' ? 'float' : 'str');
    if (dtype !== 'str' && dtype !== 'int' && dtype !== 'float') throw new UserError(`${where}, key 'dtype': '${String(dtype)}' is not supported (str, int or float)`);
    if (type === 'numeric' && dtype === 'str') throw new UserError(`${where}, key 'dtype': a numeric feature cannot be str`);
    const active = col.active ?? true;
    if (typeof active !== 'boolean') throw new UserError(`${where}, key 'active': expected true or false`);
    const fmc = col.min_categr_count;
    if (fmc !== undefined && (typeof fmc !== 'number' || !Number.isInteger(fmc) || fmc < 1)) throw new UserError(`${where}, key 'min_categr_count': expected a positive integer`);
    const fillNa = col.fill_na;
    if (fillNa !== undefined && typeof fillNa !== 'string' && typeof fillNa !== 'number') throw new UserError(`${where}, key 'fill_na': expected a string or a number`);
    if (fillNa !== undefined && dtype !== 'str' && !Number.isFinite(Number(fillNa))) throw new UserError(`${where}, key 'fill_na': ${JSON.stringify(fillNa)} is not a number (dtype ${dtype})`);
    let derive: ColumnSpec['derive'];
    let source: string | undefined;
    if (col.preprocess !== undefined) {
      const m = /^(\w+)(?:\((\w*)\))?$/.exec(String(col.preprocess));
      derive = m ? PREPROCESS[m[1]] : undefined;
      if (!m || !derive) throw new UserError(`${where}, key 'preprocess': '${String(col.preprocess)}' is not supported (${Object.keys(PREPROCESS).join(', ')} of a YYMMDDHH column)`);
      if (type !== 'categorical') throw new UserError(`${where}, key 'preprocess': only categorical features can be derived`);
      source = m[2] || (derive === 'hour' ? undefined : 'hour');
    }
    if (!active) return; // FuxiCTR drops inactive columns from the data
    for (const name of names as string[]) {
      checkName(name, `${where}, feature name`); // the training cache holds one file per feature
      if (name === labelName) throw new UserError(`${where}: '${name}' is the label column`);
      if (fields.some((f) => f.name === name)) throw new UserError(`${where}: feature '${name}' is declared twice`);
      fields.push({
        name,
        type,
        dtype: dtype as ColumnSpec['dtype'],
        ...(fillNa !== undefined ? { fillNa: fillNa as string | number } : {}),
        ...(type === 'categorical' && fmc !== undefined ? { minCategrCount: fmc as number } : {}),
        ...(derive ? { derive, ...(source ? { source } : {}) } : {}),
      });
    }
  });
  if (fields.length === 0) throw new UserError(`${at('feature_cols')}: no active feature`);
  // FuxiCTR orders fields as feature_cols lists them (the feature map's order)
  const spec: DatasetSpec = {
    name: id,
    folder: id,
    csvColumns: [labelName, ...new Set(fields.map((f) => f.source ?? f.name))],
    label: labelName,
    fields,
    minCategrCount: minCount,
  };
  // a folder is read as FuxiCTR reads it: its *.<data_format> files in name order (checked now, before any write)
  for (const s of ['train', 'valid', 'test'] as const) inputFiles(files[s], format, at(`${s}_data`));
  return { name: id, spec: () => spec, release: false, paper: null, hparams: null, files, format, config: resolve(file) };
}
