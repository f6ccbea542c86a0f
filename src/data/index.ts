// Public surface of the data pipeline.
export * from './types.js';
export { openSplit, epochRng, defaultMemoryBudget, type OpenSplitOptions } from './split-source.js';
export { prepareDataset, ensureDataset, datasetDirFor, type PrepareOptions, type PrepareSummary, type EnsureOptions } from './prepare.js';
export { SPLITS, type DatasetSpec } from './datasets.js';
export { allDatasets, datasetNames, datasetSpec, findDataset, getDataset, isSynthetic, registerDataset, releaseNames, type DatasetDescriptor, type ReleaseName } from './catalog.js';
