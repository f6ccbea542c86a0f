import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropoutMasks, fillDropoutMask } from '../../src/engine/dropout.js';
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

for (const parallel of [true, false]) {
  test(`DropoutMasks (${parallel ? 'worker thread' : 'in place'}) draws the same bytes as fillDropoutMask, in order`, async () => {
    const sites = [{ n: 30_001, p: 0.1 }, { n: 7, p: 0.5 }, { n: 12_000, p: 0.25 }];
    const ref = new Rng(4);
    const refSteps = [0, 1].map(() =>
      sites.map((s) => {
        const m = new Uint8Array(s.n);
        fillDropoutMask(ref, m, s.p);
        return m;
      }),
    );
    const rng = new Rng(4);
    const masks = new DropoutMasks(rng, parallel);
    try {
      // A step started and abandoned (an error before take) leaves the stream where it was.
      await masks.start(sites);
      for (const want of refSteps) {
        await masks.start(sites);
        const got = await masks.take();
        assert.equal(got.length, sites.length);
        got.forEach((m, i) => assert.deepEqual(m, want[i]));
      }
      assert.equal(rng.nextU32(), ref.nextU32(), 'the stream continues where the sequential draws left it');
      await assert.rejects(masks.take(), /no step started/);
    } finally {
      await masks.dispose();
    }
  });
}
