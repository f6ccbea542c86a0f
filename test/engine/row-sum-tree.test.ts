import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TREE_ROUNDS, TreePlanner, type TreePlan } from '../../src/engine/row-sum-tree.js';
import { Rng } from '../../src/util/rng.js';
import { Graph, type Tensor } from '../../src/engine/graph.js';
import { grad } from '../../src/engine/autodiff.js';
import { reachable } from '../../src/engine/onnx.js';
import { gradCheck, type FeedValue } from '../../src/engine/evaluate.js';

/** A batch plan in the store's layout: each position's slot, slot s's first position, the repeats in order. */
function randomPlan(rng: Rng, n: number, U: number, heavy: boolean) {
  const slotOfPos = new Int32Array(n);
  const first = new BigInt64Array(U + 1);
  const repPos = new BigInt64Array(n);
  const repSlot = new BigInt64Array(n);
  const f32 = new Int32Array(first.buffer);
  const rp32 = new Int32Array(repPos.buffer);
  const rs32 = new Int32Array(repSlot.buffer);
  const seen = new Uint8Array(U);
  let R = 0;
  let nextNew = 1;
  for (let p = 0; p < n; p++) {
    // New slots until all U − 1 exist; a heavy head (slot 1) and the padding slot 0 repeat often.
    let s: number;
    if (nextNew < U && (p < U - 1 || rng.uniform() < 0.3)) s = nextNew++;
    else s = heavy && rng.uniform() < 0.4 ? 1 : Math.floor(rng.uniform() * nextNew);
    slotOfPos[p] = s;
    if (s !== 0 && !seen[s]) {
      seen[s] = 1;
      f32[2 * s] = p;
    } else {
      rp32[2 * R] = p;
      rs32[2 * R++] = s;
    }
  }
  assert.equal(nextNew, U);
  return { slotOfPos, f32, rp32, rs32, R };
}

/** Runs the rounds as the graph does, on values v[p] (float64 here), and returns each slot's sum. */
function runPlan(plan: TreePlan, v: Float64Array): Float64Array {
  const pool: number[] = [...v, 0];
  let V = pool.slice();
  for (let r = 0; r < TREE_ROUNDS; r++) {
    const next = Array.from(plan.a[r], (a, i) => V[Number(a)] + V[Number(plan.b[r][i])]);
    next.push(0);
    pool.push(...next);
    V = next;
  }
  return Float64Array.from(plan.final, (i) => pool[Number(i)]);
}

test('row-sum tree: each slot gets the sum of its positions, the padding slot 0, for light and heavy repeats', () => {
  const rng = new Rng(11);
  const planner = new TreePlanner();
  for (const [n, U, heavy] of [[5, 1, false], [1, 2, false], [7, 3, false], [64, 40, false], [5000, 700, true], [3000, 2999, false], [4096, 2, true]] as const) {
    const p = randomPlan(rng, n, U, heavy);
    const plan = planner.plan(n, U, p.f32, p.R, p.rp32, p.rs32);
    assert.equal(plan.final.length, U);
    // Integer values: every order gives the exact sum.
    const v = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 1000) - 500);
    const want = new Float64Array(U);
    for (let q = 0; q < n; q++) if (p.slotOfPos[q] !== 0) want[p.slotOfPos[q]] += v[q];
    assert.deepEqual(Array.from(runPlan(plan, v)), Array.from(want), `n=${n} U=${U}`);
    // Each position is read exactly once over all rounds (slots with one position: by `final` directly).
    const readsOfPos = new Int32Array(n);
    for (let i = 0; i < plan.a[0].length; i++) {
      readsOfPos[Number(plan.a[0][i])]++;
      if (Number(plan.b[0][i]) < n) readsOfPos[Number(plan.b[0][i])]++;
    }
    for (let s = 1; s < U; s++) if (Number(plan.final[s]) < n) readsOfPos[Number(plan.final[s])]++;
    for (let q = 0; q < n; q++) assert.equal(readsOfPos[q], p.slotOfPos[q] === 0 ? 0 : 1, `position ${q}`);
  }
});

test('row-sum tree: the rounds halve the work (log2 of the largest repeat count), and the plan is reproducible', () => {
  const rng = new Rng(3);
  const p = randomPlan(rng, 4096, 50, true);
  const planner = new TreePlanner();
  const plan = planner.plan(4096, 50, p.f32, p.R, p.rp32, p.rs32);
  const counts = new Int32Array(50);
  for (let q = 0; q < 4096; q++) counts[p.slotOfPos[q]]++;
  const maxCount = Math.max(...counts.subarray(1));
  const used = plan.a.filter((x) => x.length > 0).length;
  assert.equal(used, Math.ceil(Math.log2(maxCount)));
  // A slot with m positions takes m − 1 sums plus at most one carried odd row per round.
  const total = plan.a.reduce((s, x) => s + x.length, 0);
  let bound = 0;
  for (let s = 1; s < 50; s++) if (counts[s] > 1) bound += counts[s] - 1 + Math.ceil(Math.log2(counts[s]));
  assert.ok(total <= bound, `${total} pair sums, bound ${bound}`);
  const again = new TreePlanner().plan(4096, 50, p.f32, p.R, p.rp32, p.rs32);
  assert.deepEqual(again.a.map((x) => Array.from(x)), plan.a.map((x) => Array.from(x)));
  assert.deepEqual(Array.from(again.final), Array.from(plan.final));
});

test('row-sum tree: a row repeated more than 2^16 times is refused', () => {
  const n = 2 ** TREE_ROUNDS + 1;
  const first = new Int32Array(4);
  const rp = new Int32Array(2 * n);
  const rs = new Int32Array(2 * n);
  for (let r = 0; r < n - 1; r++) {
    rp[2 * r] = r + 1;
    rs[2 * r] = 1;
  }
  assert.throws(() => new TreePlanner().plan(n, 2, first, n - 1, rp, rs), /more than 2\^16 times/);
});

/** Gather gradients of constant repeated indices in an ordered graph: against finite differences, and no scatter-add. */
async function orderedGatherCase(build: (G: Graph) => { out: Tensor; wrt: Tensor[]; feeds: Record<string, FeedValue> }) {
  const G = new Graph({ floatType: 'float64', orderedSums: true });
  const { out, wrt, feeds } = build(G);
  const [gw] = grad(out.sum([...Array(out.rank).keys()]), wrt);
  const ops = reachable([gw]).nodes.map((n) => n.op);
  assert.ok(!ops.includes('ScatterElements') && !ops.includes('ScatterND'), ops.join(','));
  const r = await gradCheck(out, wrt, feeds);
  assert.ok(r.checked > 0 && r.maxErr <= 1e-6, `max error ${r.maxErr} at ${r.worst}`);
  return ops;
}

const normal = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());

test('ordered Gather gradient, static leading dims: the pairwise tree of constants (many repeats, unread rows)', async () => {
  const rng = new Rng(4);
  // 300 reads of 20 rows, row 7 read 150 times, rows 15–19 never: 8 rounds.
  const idx = Array.from({ length: 300 }, (_, k) => (k % 2 ? 7 : rng.int(15)));
  const ops = await orderedGatherCase((G) => {
    const t = G.input('t', [20, 3]);
    return { out: t.gather(G.constant(idx, [300], 'int64'), 0).tanh(), wrt: [t], feeds: { t: { data: normal(rng, 60), shape: [20, 3] } } };
  });
  assert.ok(ops.filter((o) => o === 'Add').length >= 8, 'one Add per round');
});

test('ordered Gather gradient, symbolic batch before the axis: the one-hot product', async () => {
  const rng = new Rng(5);
  const ops = await orderedGatherCase((G) => {
    const t = G.input('t', ['B', 4, 2]);
    const idx = G.constant([2, 2, 0, 3, 2], [5], 'int64');
    return { out: t.gather(idx, 1).mul(t.gather(idx, 1)), wrt: [t], feeds: { t: { data: normal(rng, 24), shape: [3, 4, 2] } } };
  });
  assert.ok(ops.includes('MatMul'));
});
