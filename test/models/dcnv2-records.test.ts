// What DCNv2's cross layers record for the analysis, on a 2-layer network with hand-picked weights, against numbers
// worked out by hand: left = the GEN output c_l, right = the layer's transform W_l·x_l (GE4Rec's CrossNetV2 records).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossNet } from '../../src/models/layers/cross.js';
import { TestContext } from './harness.js';
import { tinyConfig } from './tiny.js';

test('DCNv2 records c_l (left) and W_l·x_l (right) per cross layer: hand computation, 2 layers', async () => {
  // B = 2 rows, F = 2 fields, D = 1, so n = 2. GEN: c = 2·ReLU(x·A) + x on the current state (use_gen_rst).
  const ctx = new TestContext({ B: 2, F: 2, D: 1, seed: 1 });
  const x0 = ctx.featureEmbedding().reshape(['B', 2]);
  const cfg = tinyConfig('DCNv2', 'gen', { numCrossLayers: 2, gamma: 2, embActivation: 'relu', concatEmb: true, genResidual: true, useGenRst: true, crossDrop: 0 });
  const out = crossNet(ctx, x0, 2, cfg);
  // Row-major [in, out] matrices: (x·M)_o = Σ_i x_i M[i][o].
  const known = new Map<string, Float64Array>([
    ['E', Float64Array.from([1, 2, -1, 0.5])],
    ['cross.gen.0.A', Float64Array.from([1, 0, 0, -1])],
    ['cross.0.weight', Float64Array.from([0, 1, 1, 0])],
    ['cross.gen.1.A', Float64Array.from([0, 1, 1, 0])],
    ['cross.1.weight', Float64Array.from([0.5, 0, 0, 0.5])],
  ]);
  assert.deepEqual([...known.keys()].slice(1).sort(), [...ctx.params.keys()].sort());
  const got = await ctx.run({ out, ...Object.fromEntries(ctx.records) }, known);
  // Row 0: x0 = [1, 2]; x0·A0 = [1, −2] → c0 = 2·[1, 0] + [1, 2] = [3, 2]; W0·x0 = [2, 1]; x1 = [1 + 6, 2 + 2] = [7, 4].
  //        x1·A1 = [4, 7] → c1 = [8, 14] + [7, 4] = [15, 18]; W1·x1 = [3.5, 2]; x2 = [7 + 52.5, 4 + 36] = [59.5, 40].
  // Row 1: x0 = [−1, 0.5]; x0·A0 = [−1, −0.5] → c0 = x0 = [−1, 0.5]; W0·x0 = [0.5, −1]; x1 = [−1.5, 0].
  //        x1·A1 = [0, −1.5] → c1 = x1 = [−1.5, 0]; W1·x1 = [−0.75, 0]; x2 = [−1.5 + 1.125, 0] = [−0.375, 0].
  const want: Record<string, number[]> = {
    'interaction.left': [3, 2, -1, 0.5],
    'interaction.right': [2, 1, 0.5, -1],
    'interaction.left.1': [15, 18, -1.5, 0],
    'interaction.right.1': [3.5, 2, -0.75, 0],
    out: [59.5, 40, -0.375, 0],
  };
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) assert.deepEqual([...got[k]], v, k);
});
