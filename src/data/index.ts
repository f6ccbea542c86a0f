// Public surface of the data pipeline.
export * from './types.js';
export { openSplit, epochRng, defaultMemoryBudget, type OpenSplitOptions } from './split-source.js';
export { prepareDataset, ensureDataset, datasetDirFor, type PrepareOptions, type PrepareSummary, type EnsureOptions } from './prepare.js';
export { DATASET_NAMES, datasetSpec, isSynthetic, SPLITS, type DatasetName, type DatasetSpec } from './datasets.js';
