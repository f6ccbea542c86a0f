// Tiny configs for the model tests: each model's real Criteo config (DIS or GEN) with small layer sizes and a
// γ large enough for the GEN path to matter numerically.
import { defaultExperiment, type ModelConfig } from '../../src/models/config.js';
import { modelNames } from '../../src/models/catalog.js';

export function tinyConfig(model: string, paradigm: 'dis' | 'gen', over: Partial<ModelConfig> = {}): ModelConfig {
  const base = defaultExperiment(model, 'criteo_x1', paradigm).modelConfig;
  return {
    ...base,
    hiddenUnits: [5, 4],
    dnnHiddenUnits: [5, 4],
    cinHiddenUnits: [3, 2],
    numCrossLayers: 2,
    parallelDnnHiddenUnits: [5, 4],
    stackedDnnHiddenUnits: [4, 3],
    ...(paradigm === 'gen' ? { gamma: 1.7 } : {}),
    ...over,
  };
}

/** Every model variant the forward tests cover: [label, registry model, config]. */
export function variants(): [string, string, ModelConfig][] {
  const out: [string, string, ModelConfig][] = [];
  for (const par of ['dis', 'gen'] as const) {
    for (const m of modelNames().filter((x) => x !== 'FwFM')) // FwFM: one variant per linear_type below
      out.push([`${m} ${par}`, m, tinyConfig(m, par)]);
    out.push([`FwFM ${par} FeLV`, 'FwFM', tinyConfig('FwFM', par)]);
    out.push([`FwFM ${par} FiLV`, 'FwFM', tinyConfig('FwFM', par, { linearType: 'FiLV' })]);
    out.push([`FwFM ${par} LW`, 'FwFM', tinyConfig('FwFM', par, { linearType: 'LW' })]);
  }
  out.push(['FmFM gen vectorized', 'FmFM', tinyConfig('FmFM', 'gen', { fieldInteractionType: 'vectorized' })]);
  out.push(['FM gen symmetric', 'FM', tinyConfig('FM', 'gen', { symmetric: true })]);
  out.push(['DeepFM gen no batch_norm', 'DeepFM', tinyConfig('DeepFM', 'gen', { batchNorm: false, hiddenActivations: ['relu', 'tanh'] })]);
  out.push(['xDeepFM gen CIN-only, 3 layers', 'xDeepFM', tinyConfig('xDeepFM', 'gen', { dnnHiddenUnits: [], cinHiddenUnits: [3, 2, 2] })]);
  out.push(['xDeepFM dis batch_norm', 'xDeepFM', tinyConfig('xDeepFM', 'dis', { batchNorm: true })]);
  out.push(['DCNv2 gen x0 source (use_gen_rst false)', 'DCNv2', tinyConfig('DCNv2', 'gen', { useGenRst: false, genResidual: false })]);
  out.push(['DCNv2 gen stacked', 'DCNv2', tinyConfig('DCNv2', 'gen', { modelStructure: 'stacked' })]);
  out.push(['DCNv2 gen stacked_parallel', 'DCNv2', tinyConfig('DCNv2', 'gen', { modelStructure: 'stacked_parallel', batchNorm: true })]);
  for (const a of ['tanh', 'sigmoid', 'silu', 'elu'] as const)
    out.push([`FM gen ${a}`, 'FM', tinyConfig('FM', 'gen', { embActivation: a })]);
  return out;
}
