// Shared by the engine tests: a small FM + LR + cross layer + MLP model, fixed random batches, and the mirror of
// the model in the plain reference (test/reference/engine/tiny-model.ts).
import type { ModelFn } from '../../src/engine/api.js';
import type { Batch, FieldInfo } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';

export const FIELDS: FieldInfo[] = [
  { name: 'n1', type: 'numeric' },
  { name: 'c1', type: 'categorical', vocabSize: 6 },
  { name: 'c2', type: 'categorical', vocabSize: 4 },
  { name: 'n2', type: 'numeric' },
  { name: 'c3', type: 'categorical', vocabSize: 9 },
];
export const D = 3;
export const HIDDEN = 4;
const K = FIELDS.length * D;

export const tinyModel: ModelFn = (ctx) => {
  const E = ctx.featureEmbedding(); // [B, F, D]
  const lr = ctx.logisticRegression(true); // [B, 1]
  const S = E.sum([1]);
  const fm = S.square().sub(E.square().sum([1])).sum([1]).mul(0.5); // [B]
  const x0 = E.reshape(['B', K]);
  const wc = ctx.param('cross.w', [K, K], { kind: 'xavier_normal' }, 'none');
  const x1 = x0.add(x0.mul(x0.matmul(wc)));
  const w1 = ctx.param('mlp.w1', [K, HIDDEN], { kind: 'xavier_normal' }, 'net');
  const b1 = ctx.param('mlp.b1', [HIDDEN], { kind: 'normal', std: 0.1 }, 'net');
  const h = ctx.dropout(x1.matmul(w1).add(b1).relu(), 0);
  const w2 = ctx.param('mlp.w2', [HIDDEN, 1], { kind: 'xavier_normal' }, 'net');
  const b2 = ctx.param('mlp.b2', [1], { kind: 'zeros' }, 'net');
  ctx.record('hidden', h);
  return h.matmul(w2).add(b2).add(lr).reshape(['B']).add(fm);
};

/** Fixed random batches with repeats and padding (index 0); numeric values around 1. */
export function makeBatches(n: number, size: number, seed: number, lastSize = size): Batch[] {
  const rng = new Rng(seed);
  const cats = FIELDS.filter((f) => f.type === 'categorical');
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) {
    const B = i === n - 1 ? lastSize : size;
    const cat = new Int32Array(B * cats.length);
    for (let j = 0; j < cat.length; j++) cat[j] = rng.int(cats[j % cats.length].vocabSize!);
    const num = Float32Array.from({ length: B * 2 }, () => Math.fround(1 + rng.normal()));
    const label = Float32Array.from({ length: B }, () => rng.int(2));
    out.push({ size: B, cat, num, label });
  }
  return out;
}
