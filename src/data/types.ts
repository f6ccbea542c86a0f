// Types shared by the data pipeline, the engine and the trainer.

/** One input field in feature-map order (the order FuxiCTR's embedding layer emits fields in). */
export interface FieldInfo {
  name: string;
  type: 'categorical' | 'numeric';
  /** Categorical only: rows in the embedding table, including padding (0) and OOV (N+1), i.e. N + 2. */
  vocabSize?: number;
}

/**
 * A batch of encoded rows. Categorical columns hold per-field indices (0 = padding, 1..N vocabulary,
 * N+1 = out-of-vocabulary); their order is the order of the categorical fields within the field list,
 * and likewise for numeric columns.
 */
export interface Batch {
  size: number;
  /** size × numCategorical, row-major. */
  cat: Int32Array;
  /** size × numNumeric, row-major (NaN already filled with 0). */
  num: Float32Array;
  /** size labels in {0, 1}. */
  label: Float32Array;
}

export type Split = 'train' | 'valid' | 'test';

export interface BatchOptions {
  batchSize: number;
  shuffle: boolean;
  /** Seed for the shuffle; with `epoch` it fixes the order, so a resumed run sees the same batches. */
  seed: number;
  epoch: number;
}

/** An encoded split that the trainer streams batches from. */
export interface SplitSource {
  readonly rows: number;
  readonly fields: FieldInfo[];
  batches(opts: BatchOptions): AsyncIterable<Batch>;
}
