// What one model is, in one place: its name and aliases, whether it is a Table 1 row, its own typed config keys
// (FuxiCTR key names, with defaults and validation), how to build it, its forward FLOPs and its paper key.
// Every model file exports one `descriptor`; src/models/catalog.ts lists them (one line per model).
import type { Tensor } from '../engine/graph.js';
import type { ModelContext } from '../engine/api.js';
import type { ModelConfig } from './config.js';

export type ModelBuilder = (ctx: ModelContext, cfg: ModelConfig) => Tensor;

/** How a key's YAML value is read: a number, a positive integer list, a boolean, an activation (or list), or one of fixed strings. */
export type KeyType = 'number' | 'int' | 'bool' | 'units' | 'activations' | { oneOf: readonly string[] };

/** One model_config.yaml key the model honours: the YAML name, the ModelConfig field it sets, its type and default. */
export interface ModelKey {
  key: string;
  /**
   * The config field it sets: a ModelConfig field, or a model's own field (the model reads it as
   * `cfg as ModelConfig & TheirKeys`); null: a key whose only honourable value is its default (nothing to store).
   */
  field: keyof ModelConfig | (string & {}) | null;
  type: KeyType;
  /** Used when the key is absent (the official constructor's default). */
  default: unknown;
  /** Values FuxiCTR accepts that the engine cannot honour: an error naming the key, never a silent substitute. */
  unsupported?: (v: unknown) => string | null;
}

/** Forward arithmetic of the model body (GEN encoders excluded) and how many GEN encoders it has. */
export interface BodyFlops {
  body: number;
  encoderCount: number;
}

export interface ModelDescriptor {
  /** The name in --model, results/<dataset>/<name>/ and Table 1. */
  name: string;
  /** Other names a config's `model:` may use (case-insensitive), e.g. PNN for IPNN. */
  aliases?: readonly string[];
  /** Its position among Table 1's rows (the paper's order), or null when the paper's Table 1 has no such row. */
  table1Order: number | null;
  /** An explicit feature-interaction model without a DNN (the paper's "explicit" average: FM, FmFM, CrossNetV2). */
  explicit?: boolean;
  /** Row key in reference/paper-results.json (Table 1 / Table 5), or null. */
  paperKey: string | null;
  /** File under experiments/ holding `<name>_<dataset>_<dis|gen>` ids. */
  experiments: string;
  /** The model-specific keys (the GEN keys every model shares live in src/models/keys.ts). */
  keys: readonly ModelKey[];
  /** Keys read by dedicated code in config.ts rather than the key table (the paper's DCNv2 target-ablation keys). */
  parsedKeys?: readonly string[];
  /** Keys the official code accepts for this model but never reads (accepted with any value). */
  inertKeys?: readonly string[];
  build: ModelBuilder;
  flops: (cfg: ModelConfig, fields: number, dim: number) => BodyFlops;
  /** The name of what a config trains when it differs from the descriptor's (DCNv2 with crossnet_only is CrossNetV2). */
  trainedAs?: (cfg: ModelConfig) => string;
  /** What the analysis's right side (`interaction.right`) holds, when not the raw embeddings: it labels the
   *  correlation map's columns (a cross layer records its transform W·x there, as the paper's code does). */
  analysisRight?: string;
  /** Checks across keys, after they are read; returns a message naming the key, or null. */
  validate?: (cfg: ModelConfig) => { key: string; message: string } | null;
}

/** FLOPs of an MLP of `units` (a multiply-add counts 2, plus one per activation), optionally followed by a bias-free output layer. */
export function mlpFlops(inDim: number, units: readonly number[], out?: number): { flops: number; last: number } {
  let flops = 0;
  let d = inDim;
  for (const u of units) {
    flops += 2 * d * u + u;
    d = u;
  }
  if (out !== undefined) {
    flops += 2 * d * out;
    d = out;
  }
  return { flops, last: d };
}

/** Shorthands for the descriptors' key tables. */
export const key = (k: string, field: ModelKey['field'], type: KeyType, dflt: unknown, unsupported?: ModelKey['unsupported']): ModelKey => ({
  key: k,
  field,
  type,
  default: dflt,
  unsupported,
});

/** The keys of a model whose DNN is FuxiCTR's MLP_Block over the flat embeddings (DeepFM, IPNN). */
export const DNN_KEYS: readonly ModelKey[] = [
  key('hidden_units', 'hiddenUnits', 'units', []),
  key('hidden_activations', 'hiddenActivations', 'activations', 'relu'),
  key('net_dropout', 'netDropout', 'number', 0),
  key('batch_norm', 'batchNorm', 'bool', false),
];
