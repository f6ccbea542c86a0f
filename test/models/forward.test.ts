// Every model's graph (DIS and GEN) against the plain-loop references of test/reference/models on the same numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getModel } from '../../src/models/index.js';
import { REFERENCES } from '../reference/models/models.js';
import { TestContext, maxRelErr, rowsOf } from './harness.js';
import { variants, tinyConfig } from './tiny.js';

const B = 3, F = 4, D = 3;

async function check(model: string, cfg: ReturnType<typeof tinyConfig>, bnTraining = false, seed = 7): Promise<void> {
  const ctx = new TestContext({ B, F, D, seed, bnTraining });
  const logits = getModel(model)(ctx, cfg);
  assert.deepEqual(logits.shape.length, 1, `${model}: logits must be [B], got [${logits.shape}]`);
  const outputs = { logits, ...Object.fromEntries(ctx.records) };
  const got = await ctx.run(outputs);
  const ref = REFERENCES[model](ctx.refInput(), cfg, ctx.extraRef('linear_embedding'));
  assert.equal(got.logits.length, B);
  const err = maxRelErr(got.logits, ref.logits);
  assert.ok(err < 1e-9, `${model}: logits differ from the reference by ${err}: ${Array.from(got.logits)} vs ${ref.logits}`);
  assert.deepEqual([...ctx.records.keys()].sort(), Object.keys(ref.records).sort(), `${model}: recorded tensors`);
  for (const [name, rows] of Object.entries(ref.records)) {
    const e = maxRelErr(got[name], rows.flat());
    assert.ok(e < 1e-9, `${model}: record ${name} differs by ${e}`);
    assert.deepEqual(rowsOf(got[name], B).length, B);
  }
}

for (const [label, model, cfg] of variants()) {
  test(`forward matches reference: ${label}`, () => check(model, cfg));
}

test('forward with BatchNorm in training mode (batch statistics): DeepFM gen, IPNN dis', async () => {
  await check('DeepFM', tinyConfig('DeepFM', 'gen', { batchNorm: true }), true);
  await check('IPNN', tinyConfig('IPNN', 'dis', { batchNorm: true }), true);
});

test('the reference comparison can fail: a perturbed parameter changes the logits', async () => {
  const cfg = tinyConfig('DCNv2', 'gen');
  const ctx = new TestContext({ B, F, D, seed: 3 });
  const logits = getModel('DCNv2')(ctx, cfg);
  const inp = ctx.refInput();
  const A = inp.params.get('cross.gen.1.A')!;
  const bumped = Float64Array.from(A.data);
  bumped[5] += 0.1;
  const got = await ctx.run({ logits }, new Map([['cross.gen.1.A', bumped]]));
  const ref = REFERENCES.DCNv2(inp, cfg);
  assert.ok(maxRelErr(got.logits, ref.logits) > 1e-6);
});
