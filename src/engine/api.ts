// The engine's public surface, shared by the models (ModelContext) and the trainer (Engine).
// Implementations live in context.ts / engine.ts; this file is the contract (docs/ARCHITECTURE.md §2).
import type { Tensor, Graph } from './graph.js';
import type { Batch, FieldInfo } from '../data/types.js';

export type Init =
  | { kind: 'xavier_normal'; fanIn?: number; fanOut?: number }
  | { kind: 'normal'; std: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

/** FuxiCTR v2.3.1: weight/bias of Linear, Conv1d, BatchNorm -> 'net'; raw nn.Parameters -> 'none'; the weight of an
 *  nn.Embedding that is a dense graph parameter (not a host table: e.g. a learnable mask vector) -> 'embedding', under
 *  embedding_regularizer like the tables. */
export type Reg = 'net' | 'embedding' | 'none';

export interface ModelContext {
  readonly g: Graph;
  readonly training: boolean;
  /** Feature-map order. */
  readonly fields: FieldInfo[];
  readonly embeddingDim: number;
  /** [B, F, D] in feature-map order (see docs/ARCHITECTURE.md §2). */
  featureEmbedding(): Tensor;
  /** [B, 1]: FuxiCTR's LogisticRegression layer. */
  logisticRegression(useBias: boolean): Tensor;
  param(name: string, shape: number[], init: Init, reg: Reg): Tensor;
  dropout(x: Tensor, p: number): Tensor;
  /** PyTorch BatchNorm1d over [B, C]: eps 1e-5, momentum 0.1, affine (weight 1, bias 0, both 'net'). */
  batchNorm(name: string, x: Tensor): Tensor;
  /** Analysis hook: the tensor becomes an output of the `record` program. */
  record(name: string, t: Tensor): void;
  /**
   * k distinct field indices, int64 [k]: in training drawn afresh every step (torch.randperm(F)[:k], seeded by the
   * run seed and the step number); in evaluation the fixed `evalFields`.
   */
  randomFields(k: number, evalFields: readonly number[]): Tensor;
}

/** Builds the model's logits, shape [B]. */
export type ModelFn = (ctx: ModelContext) => Tensor;

export interface EngineOptions {
  model: ModelFn;
  fields: FieldInfo[];
  embeddingDim: number;
  learningRate: number;
  embeddingRegularizer: number;
  netRegularizer: number;
  /** Global gradient-norm clip over all parameters (FuxiCTR: 10). */
  clipNorm: number;
  embeddingOptimizer: 'dense' | 'lazy';
  seed: number;
  device: 'cpu' | 'cuda';
  threads?: number;
  /** onnxruntime profiles of the sessions, written on dispose (see session.ts): `ge4rec check-device` reads them. */
  profilePrefix?: string;
  /** Sum repeated rows' gradients in a fixed pairwise order (Gather + Add rounds, row-sum-tree.ts) rather than by
   *  ScatterElements 'add', whose CUDA kernel adds with atomicAdd. Default: on for cuda, off for cpu. */
  orderedRowSums?: boolean;
  floatType?: 'float32' | 'float64';
}

export interface RecordedTensor {
  data: Float32Array;
  shape: number[];
}

export interface EngineStats {
  steps: number;
  graphMs: number;
  gatherMs: number;
  updateMs: number;
  denseParams: number;
  embeddingParams: number;
}

export interface EngineLike {
  trainStep(b: Batch): Promise<{ loss: number }>;
  predict(b: Batch): Promise<Float32Array>;
  record(b: Batch): Promise<Record<string, RecordedTensor>>;
  learningRate: number;
  saveCheckpoint(dir: string): void;
  loadCheckpoint(dir: string): void;
  snapshot(): unknown;
  restore(s: unknown): void;
  embeddingTable(field: string): { data: Float32Array; rows: number; dim: number };
  /** The forward program with the weights inside (inputs `cat` int64 [B, Fc], `num` [B, Fn]; output `prob` [B]);
   *  `metadata` becomes the model's metadata_props. */
  exportOnnx(path: string, metadata?: Record<string, string>): void;
  /** Loads the weights of a model exported by `exportOnnx` (finished runs keep only model.onnx). */
  loadOnnxWeights?(path: string): void;
  stats(): EngineStats;
  dispose(): Promise<void>;
}
