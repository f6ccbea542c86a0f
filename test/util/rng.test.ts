import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';

test('same seed gives the same stream, different seeds differ', () => {
  const a = new Rng(7), b = new Rng(7), c = new Rng(8);
  const xa = Array.from({ length: 5 }, () => a.nextU32());
  const xb = Array.from({ length: 5 }, () => b.nextU32());
  const xc = Array.from({ length: 5 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('normal draws have mean ~0 and std ~1', () => {
  const r = new Rng(1);
  const n = 200000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
  const mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
});

test('state round-trips', () => {
  const r = new Rng(3);
  r.nextU32();
  const s = r.getState();
  const x = r.nextU32();
  r.setState(s);
  assert.equal(r.nextU32(), x);
});
