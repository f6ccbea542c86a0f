// feature_map.json and feature_vocab.json in the layout of FuxiCTR v2.3.1's FeatureMap.save and
// FeatureProcessor.save_vocab (json.dump, indent 4). oov_idx is dropped from the specs, as FuxiCTR does when no
// pretrained embeddings are used.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import type { DatasetSpec } from './datasets.js';
import type { FieldInfo } from './types.js';
import { pythonFloatRepr, type Token, type Vocabulary } from './vocab.js';

export interface FeatureMapJson {
  dataset_id: string;
  num_fields: number;
  total_features: number;
  input_length: number;
  labels: string[];
  features: Record<string, { source: string; type: string; padding_idx?: number; vocab_size?: number }>[];
}

export function featureMapJson(spec: DatasetSpec, fields: FieldInfo[]): FeatureMapJson {
  let total = 0;
  const features = fields.map((f) => {
    if (f.type === 'numeric') {
      total += 1;
      return { [f.name]: { source: '', type: 'numeric' } };
    }
    total += f.vocabSize!;
    return { [f.name]: { source: '', type: 'categorical', padding_idx: 0, vocab_size: f.vocabSize! } };
  });
  return {
    dataset_id: spec.folder,
    num_fields: fields.length,
    total_features: total,
    input_length: fields.length,
    labels: [spec.label],
    features,
  };
}

export function writeFeatureMap(dir: string, spec: DatasetSpec, fields: FieldInfo[]): string {
  const path = join(dir, 'feature_map.json');
  writeFileAtomic(path, JSON.stringify(featureMapJson(spec, fields), null, 4));
  return path;
}

/** feature_vocab.json: per categorical field, token → index ordered by index (__PAD__, tokens, __OOV__). */
export function writeFeatureVocab(dir: string, spec: DatasetSpec, vocabs: Vocabulary[]): string {
  const path = join(dir, 'feature_vocab.json');
  const cats = spec.fields.filter((f) => f.type === 'categorical');
  // built by hand: token keys may repeat across fields, and Python float keys print as repr
  const parts: string[] = [];
  cats.forEach((f, i) => {
    const v = vocabs[i];
    const lines = [`        "__PAD__": 0`];
    v.tokens.forEach((t, k) => {
      const key = typeof t === 'number' ? (f.dtype === 'int' ? String(t) : pythonFloatRepr(t)) : Buffer.from(t, 'latin1').toString('utf8');
      lines.push(`        ${JSON.stringify(key)}: ${k + 1}`);
    });
    lines.push(`        "__OOV__": ${v.oov}`);
    parts.push(`    ${JSON.stringify(f.name)}: {\n${lines.join(',\n')}\n    }`);
  });
  writeFileAtomic(path, `{\n${parts.join(',\n')}\n}`);
  return path;
}

/**
 * The vocabulary writeFeatureVocab saved, per categorical field of `spec` in field order: tokens in index order
 * (tokens[i] has index i + 1), as the encoder holds them (numbers for 'float' columns, latin1 strings of the UTF-8
 * bytes for 'str' columns). Keys are placed by their index, not by object order (JavaScript moves integer-like keys
 * such as "1005" to the front of an object).
 */
export function readFeatureVocab(dir: string, spec: DatasetSpec): Token[][] {
  const path = join(dir, 'feature_vocab.json');
  if (!existsSync(path)) throw new UserError(`${path} is missing: the dataset the run was trained on is not prepared there`);
  let json: Record<string, Record<string, number>>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, number>>;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return spec.fields.filter((f) => f.type === 'categorical').map((f) => {
    const m = json[f.name];
    if (!m || typeof m !== 'object') throw new UserError(`${path}: no vocabulary for field ${f.name}`);
    const oov = m.__OOV__;
    if (!Number.isInteger(oov) || oov < 1) throw new UserError(`${path}: field ${f.name} has no __OOV__ index`);
    const tokens = new Array<Token>(oov - 1);
    let seen = 0;
    for (const [key, idx] of Object.entries(m)) {
      if (key === '__PAD__' || key === '__OOV__') continue;
      if (!Number.isInteger(idx) || idx < 1 || idx >= oov || tokens[idx - 1] !== undefined) {
        throw new UserError(`${path}: field ${f.name}, token ${JSON.stringify(key)} has index ${idx} (expected a free index in 1..${oov - 1})`);
      }
      tokens[idx - 1] = f.dtype === 'float' || f.dtype === 'int' ? Number(key) : Buffer.from(key, 'utf8').toString('latin1');
      seen++;
    }
    if (seen !== oov - 1) throw new UserError(`${path}: field ${f.name} lists ${seen} tokens, its __OOV__ index ${oov} says ${oov - 1}`);
    return tokens;
  });
}
