import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillDropoutMask } from '../../src/engine/dropout.js';
import { Rng } from '../../src/util/rng.js';

test('dropout masks drop a fraction p, are seeded, and differ between draws', () => {
  const a = new Uint8Array(200_001);
  const b = new Uint8Array(200_001);
  fillDropoutMask(new Rng(1), a, 0.3);
  fillDropoutMask(new Rng(1), b, 0.3);
  assert.deepEqual(a, b);
  const kept = a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(Math.abs(kept - 0.7) < 0.005, `kept ${kept}`);
  assert.ok(a.every((x) => x === 0 || x === 1));
  const r = new Rng(1);
  fillDropoutMask(r, b, 0.3);
  fillDropoutMask(r, b, 0.3);
  assert.notDeepEqual(a, b);
  const none = new Uint8Array(1000);
  fillDropoutMask(new Rng(2), none, 0);
  assert.ok(none.every((x) => x === 1));
});

test('mask words are the Rng stream: the generator continues exactly where nextU32 would', () => {
  const r1 = new Rng(9);
  const r2 = new Rng(9);
  const m = new Uint8Array(7);
  fillDropoutMask(r1, m, 0.5);
  const words = Array.from({ length: 4 }, () => r2.nextU32());
  for (let i = 0; i < 6; i++) assert.equal(m[i], ((words[i >> 1] >>> (16 * (i & 1))) & 0xffff) >= 32768 ? 1 : 0);
  assert.equal(r1.nextU32(), r2.nextU32());
});
