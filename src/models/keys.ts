// Every model_config.yaml key ge4rec knows, by what it does with it: the training keys it honours (read in
// config.ts), the GEN keys every model shares, keys that must keep the one value the engine implements, and keys
// FuxiCTR/GE4Rec use for bookkeeping only (inert). A key in none of these, nor in the model's descriptor, is an error.
import { key, type ModelKey } from './descriptor.js';

/** The GEN encoder's keys (GE4Rec reads them for every model; the defaults are its constructor's). */
export const GEN_KEYS: readonly ModelKey[] = [
  key('emb_activation', 'embActivation', { oneOf: ['linear', 'relu', 'tanh', 'sigmoid', 'silu', 'elu'] }, 'linear'),
  key('concat_emb', 'concatEmb', 'bool', false),
  key('gamma', 'gamma', 'number', 1),
  key('gen_residual', 'genResidual', 'bool', false),
  key('symmetric', 'symmetric', 'bool', false),
  key('small_transformation', 'smallTransformation', 'bool', false),
  // GE4Rec's feature-selection switches: the paper's experiments keep them off, and so does the engine.
  key('use_fs', null, 'bool', false, (v) => (v === true ? 'feature selection (use_fs) is not implemented; the paper trains with it off' : null)),
  key('linear_fs', null, 'bool', false, (v) => (v === true ? 'linear_fs is not implemented; the paper trains with it off' : null)),
];

/** The paper's GEN ablation keys, read for every model by config.ts's parseAblationKeys. */
export const GEN_ABLATION_KEYS: readonly string[] = ['exp_group_idx', 'field_share', 'more_layers', 'use_att'];

/** Training keys read by loadExperiment (src/models/config.ts). */
export const TRAINING_KEYS: readonly string[] = [
  'model', 'model_id', 'dataset_id', 'embedding_dim', 'batch_size', 'learning_rate', 'epochs', 'embedding_regularizer',
  'net_regularizer', 'regularizer', 'seed', 'metrics', 'monitor', 'monitor_mode', 'early_stop_patience', 'shuffle',
  'optimizer', 'loss', 'task', 'eval_steps',
];

/** Keys FuxiCTR uses for logging, checkpoints, workers or feature bookkeeping: they change no number, any value is accepted. */
export const INERT_KEYS: readonly string[] = [
  'model_root', 'num_workers', 'verbose', 'pickle_feature_encoder', 'save_best_only', 'debug_mode', 'use_hdf5',
  'group_id', 'use_features', 'feature_specs', 'feature_config', 'gpu', 'every_x_epochs', 'data_root', 'data_format',
  'train_data', 'valid_data', 'test_data', 'min_categr_count', 'feature_cols', 'label_col',
  // read by neither FuxiCTR v2.3.1's BaseModel nor GE4Rec's models (experiment-block `patience` is ignored:
  // only Base's early_stop_patience counts; data_block_size only splits the parquet output into files)
  'patience', 'embedding_dropout', 'workers', 'debug', 'partition_block_size', 'data_block_size',
];

/**
 * Training keys with the only value the engine implements; anything else is an error, never a silent substitute.
 * Returns the problem with a value, or null.
 */
export const FIXED_VALUES: Readonly<Record<string, (v: unknown) => string | null>> = {
  optimizer: (v) => (v == null || String(v).toLowerCase() === 'adam' ? null : `optimizer ${JSON.stringify(v)} is not supported (only adam: exact PyTorch Adam)`),
  loss: (v) => (v == null || v === 'binary_crossentropy' || v === 'bce' ? null : `loss ${JSON.stringify(v)} is not supported (only binary_crossentropy)`),
  task: (v) => (v == null || v === 'binary_classification' ? null : `task ${JSON.stringify(v)} is not supported (only binary_classification)`),
  monitor_mode: (v) => (v == null || v === 'max' ? null : `monitor_mode ${JSON.stringify(v)} is not supported (only max: maximise the monitor; give a weighted monitor such as {AUC: 1, logloss: -1} instead)`),
  shuffle: (v) => (v == null || v === true ? null : `shuffle ${JSON.stringify(v)} is not supported (training batches are always shuffled, per epoch from the seed)`),
  eval_steps: (v) => (v == null ? null : `eval_steps ${JSON.stringify(v)} is not supported (validation runs once per epoch; use null)`),
};
