// The batch's row gradients summed per slot in a fixed pairwise order, from Gather and Add only: the form for devices
// whose scatter-add is not ordered (onnxruntime's CUDA ScatterElements 'add' uses atomicAdd, so repeated rows' sums
// could change in their last bits from run to run). The host plans the rounds here; EngineContext.rowGradient builds
// the graph side. Round r reads V_r (its rows, then one zero row) and writes V_{r+1}[i] = V_r[a_r[i]] + V_r[b_r[i]]:
// each slot with m > 1 partial sums pairs them up in order, an odd last one with the zero row. V_0 is the positions'
// gradients; a slot's sum is the one row it has left, and `final` picks it from all rounds' rows laid end to end.

import type { Tensor } from './graph.js';
import * as ops from './ops.js';

/** Rounds in the graph: a row may occur up to 2^16 times in a batch. */
export const TREE_ROUNDS = 16;

export interface TreePlan {
  /** Per round, the pairs' rows in V_r (int64 low words, high words 0); length = that round's output rows. */
  a: BigInt64Array[];
  b: BigInt64Array[];
  /** [U]: each slot's sum in the concatenation V_0' … V_16' (each V_r' is V_r with its zero row); slot 0 → a zero row. */
  final: BigInt64Array;
}

/** Reusable buffers: int64 arrays written through Int32 views (low words; the high words stay 0). */
export class TreePlanner {
  private readonly a: BigInt64Array[] = [];
  private readonly b: BigInt64Array[] = [];
  private lengths = new Int32Array(TREE_ROUNDS);
  private final = new BigInt64Array(0);
  private cnt = new Int32Array(0);
  private elems = new Int32Array(0);
  private cur = new Int32Array(0);
  private seg = [new Int32Array(0), new Int32Array(0)]; // active lists' starts, this round and next
  private end = [new Int32Array(0), new Int32Array(0)]; // and ends (a finished slot's row may lie between two lists)
  private slot = [new Int32Array(0), new Int32Array(0)];

  /**
   * n positions, U slots (0: the padding row, whose sum is 0). Slot s ≥ 1 starts at position first32[2s]; the R
   * repeats (positions repPos32[2r] of slots repSlot32[2r], slot 0 included) come in position order. The arguments
   * are Int32 views of the store's int64 plan buffers, read at stride 2. `rounds`: the graph's fixed round count.
   */
  plan(n: number, U: number, first32: Int32Array, R: number, repPos32: Int32Array, repSlot32: Int32Array, rounds = TREE_ROUNDS): TreePlan {
    if (this.cnt.length < U + 1) {
      const m = Math.ceil((U + 1) * 1.25);
      this.cnt = new Int32Array(m);
      this.seg = [new Int32Array(m), new Int32Array(m)];
      this.end = [new Int32Array(m), new Int32Array(m)];
      this.slot = [new Int32Array(m), new Int32Array(m)];
    }
    if (this.elems.length < n) {
      this.elems = new Int32Array(Math.ceil(n * 1.25));
      this.cur = new Int32Array(this.elems.length);
    }
    if (this.final.length < U) this.final = new BigInt64Array(Math.ceil(U * 1.25));
    const final32 = new Int32Array(this.final.buffer);
    final32[0] = n; // slot 0: V_0's zero row
    // Each slot's positions, first then repeats in position order (a counting sort by slot); then cnt[s] = its end.
    const { cnt, elems, cur } = this;
    cnt.fill(0, 0, U + 1);
    for (let s = 1; s < U; s++) cnt[s + 1] = 1;
    for (let r = 0; r < R; r++) cnt[repSlot32[2 * r] + 1]++;
    for (let s = 1; s <= U; s++) cnt[s] += cnt[s - 1];
    for (let s = 1; s < U; s++) elems[cnt[s]++] = first32[2 * s];
    for (let r = 0; r < R; r++) elems[cnt[repSlot32[2 * r]]++] = repPos32[2 * r];
    // Slots with one position are done; the others' lists go, in slot order, into one array.
    let [seg, segNext] = this.seg;
    let [fin, finNext] = this.end;
    let [slotOf, slotNext] = this.slot;
    let active = 0;
    let w = 0;
    for (let s = 1; s < U; s++) {
      const start = cnt[s - 1];
      const end = cnt[s];
      if (end - start === 1) {
        final32[2 * s] = elems[start];
        continue;
      }
      seg[active] = w;
      slotOf[active] = s;
      for (let k = start; k < end; k++) cur[w++] = elems[k];
      fin[active++] = w;
    }
    if (this.lengths.length < rounds) this.lengths = new Int32Array(rounds);
    let rows = n; // rows of V_r, before its zero row
    let offset = 0; // where V_r' starts in the concatenation
    for (let round = 0; round < rounds; round++) {
      let outRows = 0;
      for (let j = 0; j < active; j++) outRows += (fin[j] - seg[j] + 1) >> 1;
      if (!this.a[round] || this.a[round].length < outRows) {
        this.a[round] = new BigInt64Array(Math.ceil(Math.max(outRows, 16) * 1.25));
        this.b[round] = new BigInt64Array(this.a[round].length);
      }
      const a32 = new Int32Array(this.a[round].buffer);
      const b32 = new Int32Array(this.b[round].buffer);
      const nextOffset = offset + rows + 1;
      let out = 0;
      let nextActive = 0;
      for (let j = 0; j < active; j++) {
        const s1 = fin[j];
        const firstOut = out;
        for (let k = seg[j]; k < s1; k += 2, out++) {
          // Round 0 reads positions; later rounds read the previous round's rows, which are in list order.
          a32[2 * out] = round === 0 ? cur[k] : k;
          b32[2 * out] = k + 1 < s1 ? (round === 0 ? cur[k + 1] : k + 1) : rows;
        }
        if (out - firstOut === 1) final32[2 * slotOf[j]] = nextOffset + firstOut;
        else {
          segNext[nextActive] = firstOut;
          finNext[nextActive] = out;
          slotNext[nextActive++] = slotOf[j];
        }
      }
      this.lengths[round] = out;
      [seg, segNext] = [segNext, seg];
      [fin, finNext] = [finNext, fin];
      [slotOf, slotNext] = [slotNext, slotOf];
      active = nextActive;
      offset = nextOffset;
      rows = out;
    }
    if (active > 0) throw new Error(`row-sum tree: a row occurs more than 2^${rounds} times in one batch`);
    return {
      a: this.a.slice(0, rounds).map((x, r) => x.subarray(0, this.lengths[r])),
      b: this.b.slice(0, rounds).map((x, r) => x.subarray(0, this.lengths[r])),
      final: this.final.subarray(0, U),
    };
  }
}

/**
 * The graph side of a plan, along `axis`: V_0 = [values; zero], V_{r+1} = [V_r[a_r] + V_r[b_r]; zero] for each round's
 * index pair, then `final` gathers each slot's sum from all V_r laid end to end.
 */
export function pairwiseSums(values: Tensor, zero: Tensor, axis: number, rounds: [Tensor, Tensor][], final: Tensor): Tensor {
  let V = ops.concat([values, zero], axis);
  const pool = [V];
  for (const [a, b] of rounds) {
    V = ops.concat([ops.add(ops.gather(V, a, axis), ops.gather(V, b, axis)), zero], axis);
    pool.push(V);
  }
  return ops.gather(ops.concat(pool, axis), final, axis);
}
