import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, logloss } from '../../src/train/metrics.js';
import { sortFloat64 } from '../../src/train/radix.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('AUC: sklearn doc example and hand-counted cases with ties', () => {
  close(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  close(auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  // pos {0.5, 0.9, 0.1}, neg {0.1, 0.5}: 1 + ½ + 2 + ½ + 0 = 4 of 6 pairs
  close(auc([0, 0, 1, 1, 1], [0.1, 0.5, 0.5, 0.9, 0.1]), 4 / 6);
  close(auc([1, 0], [0.2, 0.7]), 0);
  assert.ok(Number.isNaN(auc([1, 1], [0.2, 0.7])));
});

test('AUC equals a brute-force pair count on random data with many ties', () => {
  const r = new Rng(3);
  for (let rep = 0; rep < 20; rep++) {
    const n = 50 + r.int(300);
    const levels = 1 + r.int(12);
    const y = Array.from({ length: n }, () => (r.uniform() < 0.3 ? 1 : 0));
    const p = Float32Array.from({ length: n }, () => r.int(levels) / levels);
    let num = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        if (y[i] === 1 && y[j] === 0) {
          pairs++;
          num += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
        }
    close(auc(y, p), num / pairs);
  }
});

test('logloss: clipped at 1e-7 like sklearn log_loss(eps=1e-7)', () => {
  close(logloss([1, 0], [0.8, 0.3]), -(Math.log(0.8) + Math.log(0.7)) / 2);
  close(logloss([1, 1], [1, 0]), -(Math.log(1 - 1e-7) + Math.log(1e-7)) / 2);
  // sklearn forms 1 − clip(p) in float64, so the clipped negative side is 1 − (1 − 1e-7), not 1e-7 exactly
  close(logloss([0], [1]), -Math.log(1 - (1 - 1e-7)));
});

test('AUC on 2 M rows is fast enough (rough guard, not a timing test)', () => {
  const r = new Rng(5);
  const n = 2_000_000;
  const y = new Float32Array(n);
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = r.uniform() < 0.25 ? 1 : 0;
    p[i] = Math.round((0.3 * y[i] + r.uniform()) * 1000) / 1000;
  }
  const a = auc(y, p);
  assert.ok(a > 0.6 && a < 0.9, String(a));
});

test('radix sort of float64 orders like a comparison sort (signs, zeros, infinities, ties, subnormals)', () => {
  const r = new Rng(9);
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, 1, -1];
  const xs = [...special, ...Array.from({ length: 5000 }, () => (r.uniform() < 0.5 ? Math.fround(r.normal()) : r.normal() * 10 ** r.int(20)))];
  const sorted = sortFloat64(xs);
  const expected = Float64Array.from(xs).sort();
  assert.equal(sorted.length, expected.length);
  for (let i = 0; i < xs.length; i++) assert.ok(sorted[i] === expected[i] || (sorted[i] === 0 && expected[i] === 0), `at ${i}: ${sorted[i]} vs ${expected[i]}`);
  assert.deepEqual([...sortFloat64([3, 1, 2])], [1, 2, 3]);
  assert.equal(sortFloat64([]).length, 0);
});
