// Full-model gradient checks: reverse-mode `grad` through each model's graph against central finite differences of
// the forward graph, float64, for the embeddings, the LR output and every parameter (sampled coordinates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheckModel } from './gradcheck-lib.js';
import { tinyConfig } from './tiny.js';
import type { ModelConfig } from '../../src/models/config.js';

const B = 3, F = 4, D = 2;

const gradCheck = (model: string, cfg: ModelConfig, bnTraining = false) => gradCheckModel(model, cfg, { B, F, D, seed: 21, bnTraining });

const cases: [string, string, ModelConfig][] = [];
for (const m of ['FM', 'FmFM', 'FwFM', 'DeepFM', 'IPNN', 'xDeepFM', 'DCNv2', 'CrossNetV2'])
  for (const par of ['dis', 'gen'] as const) cases.push([`${m} ${par}`, m, tinyConfig(m, par, { hiddenUnits: [3], dnnHiddenUnits: [3], parallelDnnHiddenUnits: [3] })]);
cases.push(['xDeepFM gen, CIN layers wider than F (unfactored path)', 'xDeepFM', tinyConfig('xDeepFM', 'gen', { cinHiddenUnits: [5, 6], dnnHiddenUnits: [] })]);
cases.push(['FM gen elu', 'FM', tinyConfig('FM', 'gen', { embActivation: 'elu' })]);
cases.push(['FM gen silu', 'FM', tinyConfig('FM', 'gen', { embActivation: 'silu' })]);

for (const [label, model, cfg] of cases) test(`gradient check: ${label}`, () => gradCheck(model, cfg));

test('gradient check: DeepFM gen with BatchNorm in training mode', () =>
  gradCheck('DeepFM', tinyConfig('DeepFM', 'gen', { hiddenUnits: [3], batchNorm: true }), true));
