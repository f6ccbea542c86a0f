// feature_map.json and feature_vocab.json in the layout of FuxiCTR v2.3.1's FeatureMap.save and
// FeatureProcessor.save_vocab (json.dump, indent 4). oov_idx is dropped from the specs, as FuxiCTR does when no
// pretrained embeddings are used.
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { DatasetSpec } from './datasets.js';
import type { FieldInfo } from './types.js';
import { pythonFloatRepr, type Vocabulary } from './vocab.js';

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
      const key = typeof t === 'number' ? pythonFloatRepr(t) : Buffer.from(t, 'latin1').toString('utf8');
      lines.push(`        ${JSON.stringify(key)}: ${k + 1}`);
    });
    lines.push(`        "__OOV__": ${v.oov}`);
    parts.push(`    ${JSON.stringify(f.name)}: {\n${lines.join(',\n')}\n    }`);
  });
  writeFileAtomic(path, `{\n${parts.join(',\n')}\n}`);
  return path;
}
