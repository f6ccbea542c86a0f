// What an exported model.onnx says about itself (its metadata_props): the fields it expects in input order, with
// type and vocabulary size, the label, the data it was trained on (dataset and digests of feature_map.json and
// feature_vocab.json), the model, paradigm, expid, seed, best epoch, validation/test metrics and the ge4rec version.
// Written by `reproduce` when it exports a run; read by `predict`, `serve` and any onnxruntime user.
import { readJsonFile } from '../util/fs.js';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { FieldInfo } from '../data/types.js';
import { UserError } from '../util/errors.js';
import { GE4REC_VERSION } from '../util/version.js';

/** Bumped when the meaning of a key changes. */
export const CARD_FORMAT = 1;

export interface CardField {
  name: string;
  type: 'categorical' | 'numeric';
  /** Categorical: rows of the field's table (PAD 0, tokens 1..N, OOV N+1 = vocab_size − 1). */
  vocab_size?: number;
  /** Which graph input holds the field, and its column there. */
  input: 'cat' | 'num';
  column: number;
}

export interface ModelCard {
  format: number;
  ge4recVersion: string;
  fields: CardField[];
  label: string;
  dataset: string;
  /** Folder name of the prepared dataset (FuxiCTR's dataset_id). */
  datasetId: string;
  featureMapSha256: string | null;
  featureVocabSha256: string | null;
  model: string;
  paradigm: string;
  expid: string;
  seed: number;
  bestEpoch: number;
  valid: Record<string, number>;
  test: Record<string, number>;
}

export function cardFields(fields: FieldInfo[]): CardField[] {
  let c = 0;
  let n = 0;
  return fields.map((f): CardField =>
    f.type === 'categorical'
      ? { name: f.name, type: 'categorical', vocab_size: f.vocabSize, input: 'cat', column: c++ }
      : { name: f.name, type: 'numeric', input: 'num', column: n++ },
  );
}

/** SHA-256 of a file, or null when it does not exist. */
export function fileSha256(path: string): string | null {
  if (!existsSync(path)) return null;
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Digests of a prepared dataset folder's feature_map.json and feature_vocab.json, and its label column. */
export function datasetFacts(datasetDir: string): { featureMap: string | null; featureVocab: string | null; label: string } {
  const mapPath = join(datasetDir, 'feature_map.json');
  const labels = existsSync(mapPath) ? readJsonFile<{ labels?: string[] }>(mapPath, 'prepare the dataset again with --force').labels : undefined;
  return { featureMap: fileSha256(mapPath), featureVocab: fileSha256(join(datasetDir, 'feature_vocab.json')), label: labels?.[0] ?? 'label' };
}

const P = 'ge4rec.';

/** The card as metadata_props: plain strings, JSON for structured values. */
export function cardToMetadata(c: Omit<ModelCard, 'format' | 'ge4recVersion'>): Record<string, string> {
  const cat = c.fields.filter((f) => f.input === 'cat').length;
  const num = c.fields.length - cat;
  return {
    [`${P}format`]: String(CARD_FORMAT),
    [`${P}version`]: GE4REC_VERSION,
    [`${P}inputs`]:
      `cat: int64 [batch, ${cat}], per-field indices (0 padding, 1..N tokens, N+1 OOV; outside [0, vocab_size) reads as OOV); ` +
      `num: float [batch, ${num}]; output prob: float [batch], the click probability`,
    [`${P}fields`]: JSON.stringify(c.fields),
    [`${P}label`]: c.label,
    [`${P}dataset`]: c.dataset,
    [`${P}dataset_id`]: c.datasetId,
    [`${P}feature_map_sha256`]: c.featureMapSha256 ?? '',
    [`${P}feature_vocab_sha256`]: c.featureVocabSha256 ?? '',
    [`${P}model`]: c.model,
    [`${P}paradigm`]: c.paradigm,
    [`${P}expid`]: c.expid,
    [`${P}seed`]: String(c.seed),
    [`${P}best_epoch`]: String(c.bestEpoch),
    [`${P}valid_metrics`]: JSON.stringify(c.valid),
    [`${P}test_metrics`]: JSON.stringify(c.test),
  };
}

/**
 * metadata_props of an ONNX file (ModelProto field 14), read without decoding the graph: the top-level fields are
 * walked and only the metadata entries are parsed, so a model with a large embedding table costs one file read.
 */
export function readOnnxMetadata(path: string): Record<string, string> {
  if (!existsSync(path)) throw new UserError(`${path}: no such file`);
  const fd = openSync(path, 'r');
  let bytes: Buffer;
  try {
    bytes = Buffer.allocUnsafe(fstatSync(fd).size);
    for (let pos = 0; pos < bytes.length; ) {
      const n = readSync(fd, bytes, pos, bytes.length - pos, pos);
      if (n === 0) break;
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  const out: Record<string, string> = {};
  try {
    const r = protobuf.Reader.create(bytes);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 14 && (tag & 7) === 2) {
        const e = protobuf.Reader.create(r.bytes());
        let key = '';
        let value = '';
        while (e.pos < e.len) {
          const t = e.uint32();
          if (t >>> 3 === 1) key = e.string();
          else if (t >>> 3 === 2) value = e.string();
          else e.skipType(t & 7);
        }
        out[key] = value;
      } else r.skipType(tag & 7);
    }
  } catch (e) {
    throw new UserError(`${path}: not an ONNX model (${(e as Error).message})`);
  }
  return out;
}

/** The card of an exported model; a model exported without one (before ge4rec wrote metadata) is an error. */
export function readModelCard(path: string): ModelCard {
  const m = readOnnxMetadata(path);
  if (!(`${P}fields` in m)) {
    throw new UserError(`${path}: the model carries no ge4rec metadata (exported by an older ge4rec?)`, 'Re-export it: re-run the run with this version.');
  }
  const json = <T>(k: string): T => {
    try {
      return JSON.parse(m[P + k]) as T;
    } catch {
      throw new UserError(`${path}: metadata ${P + k} is not valid JSON`);
    }
  };
  return {
    format: Number(m[`${P}format`]),
    ge4recVersion: m[`${P}version`] ?? '',
    fields: json<CardField[]>('fields'),
    label: m[`${P}label`] ?? '',
    dataset: m[`${P}dataset`] ?? '',
    datasetId: m[`${P}dataset_id`] ?? '',
    featureMapSha256: m[`${P}feature_map_sha256`] || null,
    featureVocabSha256: m[`${P}feature_vocab_sha256`] || null,
    model: m[`${P}model`] ?? '',
    paradigm: m[`${P}paradigm`] ?? '',
    expid: m[`${P}expid`] ?? '',
    seed: Number(m[`${P}seed`]),
    bestEpoch: Number(m[`${P}best_epoch`]),
    valid: json<Record<string, number>>('valid_metrics'),
    test: json<Record<string, number>>('test_metrics'),
  };
}
