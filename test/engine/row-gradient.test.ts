// The training step's embedding gradient: the host's plan (EmbeddingStore.prepare) and the graph's rowGradient
// together give, to the bit, the sequential scatter-add of every position's gradient into its slot, in batch order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddingStore } from '../../src/engine/embedding-store.js';
import { EngineContext, ParamRegistry } from '../../src/engine/context.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { FieldInfo } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';

const fields: FieldInfo[] = [
  { name: 'c1', type: 'categorical', vocabSize: 5 },
  { name: 'n1', type: 'numeric' },
  { name: 'c2', type: 'categorical', vocabSize: 2 },
  { name: 'c3', type: 'categorical', vocabSize: 300 },
];
const D = 3;

async function check(B: number, padding: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const cats = fields.filter((f) => f.type === 'categorical');
  const Fc = cats.length;
  const cat = Int32Array.from({ length: B * Fc }, (_, i) => {
    const v = cats[i % Fc].vocabSize!;
    return rng.uniform() < padding ? 0 : 1 + rng.int(v - 1);
  });
  const store = new EmbeddingStore({ fields, dim: D, withLr: false, lambda: 0, mode: 'lazy', seed: 1, threads: 1 });
  try {
    const prep = store.prepare(cat, B, true);
    const plan = prep.plan!;
    const U = prep.unique;
    assert.equal(plan.first.length, U);
    assert.equal(plan.repPos.length, B * Fc - (U - 1), 'every position but the slots\' first ones is a repeat');

    const ctx = new EngineContext({ training: true, fields, embeddingDim: D, withLr: false, floatType: 'float32', registry: new ParamRegistry('float32', new Rng(0)) });
    const gPos = ctx.g.input('g_pos', ['B', Fc, D]);
    const G = ctx.rowGradient(gPos);
    const gv = Float32Array.from({ length: B * Fc * D }, () => rng.normal() * 10 ** rng.int(4));
    const out = await evaluate({ G }, {
      g_pos: { data: gv, shape: [B, Fc, D] },
      emb_first_pos: { data: plan.first, shape: [U] },
      emb_rep_pos: { data: plan.repPos, shape: [plan.repPos.length] },
      emb_rep_slot: { data: plan.repSlot, shape: [plan.repSlot.length] },
    });
    // Reference: ScatterElements of every position into zeros, one float32 addition at a time.
    const ref = new Float32Array(U * D);
    for (let p = 0; p < B * Fc; p++) {
      const s = Number(prep.indices[p]);
      for (let d = 0; d < D; d++) ref[s * D + d] = Math.fround(ref[s * D + d] + gv[p * D + d]);
    }
    const got = out.G.data as Float32Array;
    assert.deepEqual(out.G.shape, [U, D]);
    for (let i = 0; i < ref.length; i++) assert.ok(got[i] === ref[i], `G[${Math.floor(i / D)}][${i % D}]: ${got[i]} vs ${ref[i]}`);
  } finally {
    await store.dispose();
  }
}

test('row gradient from the plan: padding present, many repeats', () => check(64, 0.2, 1));
test('row gradient from the plan: no padding in the batch (the padding row stays 0)', () => check(40, 0, 2));
test('row gradient from the plan: one row, all padding', () => check(1, 1, 3));
test('row gradient from the plan: no repeats at all (empty repeat lists)', () => check(1, 0, 4));
