import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropoutMasks, fillDropoutMask, simdMasks } from '../../src/engine/dropout.js';
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

// The stream as documented in dropout-simd.ts, recomputed with util/rng: 16 words seed four lanes through murmur3's
// finaliser; each 16-byte block is two steps of the lanes, low 16-bit halves then high halves.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
function referenceMask(rng: Rng, n: number, p: number): Uint8Array {
  const words = Array.from({ length: 16 }, () => fmix32(rng.nextU32()));
  const lanes = [0, 1, 2, 3].map((k) => {
    const r = new Rng(0);
    r.setState(words.slice(4 * k, 4 * k + 4));
    return r;
  });
  const thr = Math.round(p * 65536);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 16) {
    for (let half = 0; half < 2; half++) {
      lanes.forEach((lane, k) => {
        const r = lane.nextU32();
        const at = i + 8 * half + k;
        if (at < n) out[at] = (r & 0xffff) >= thr ? 1 : 0;
        if (at + 4 < n) out[at + 4] = r >>> 16 >= thr ? 1 : 0;
      });
    }
  }
  return out;
}

test('the SIMD kernel is available here (else masks come from the slower JavaScript path)', () => {
  assert.ok(simdMasks());
});

for (const simd of [true, false]) {
  test(`masks (${simd ? 'wasm SIMD' : 'JavaScript'}) are the documented four-lane stream; the Rng moves on by 16 words`, () => {
    // Lengths around the 16-byte block and the kernel's 64 KB chunk.
    for (const [n, p] of [[7, 0.5], [16, 0.1], [33, 0.25], [65_536, 0.1], [65_536 * 2 + 9, 0.3]] as const) {
      const r1 = new Rng(9);
      const r2 = new Rng(9);
      const m = new Uint8Array(n);
      fillDropoutMask(r1, m, p, simd);
      const want = referenceMask(r2, n, p);
      const bad = m.findIndex((x, i) => x !== want[i]);
      assert.equal(bad, -1, `n=${n}: first difference at byte ${bad}`);
      assert.equal(r1.nextU32(), r2.nextU32(), 'the stream continues after the 16 seed words');
    }
  });
}

for (const parallel of [true, false]) {
  test(`DropoutMasks (${parallel ? 'worker thread' : 'in place'}) draws the same bytes as fillDropoutMask, in order`, async () => {
    const sites = [{ n: 30_001, p: 0.1 }, { n: 7, p: 0.5 }, { n: 12_000, p: 0.25 }];
    // The third step's first mask is smaller than the buffer it reuses and its third larger (a fresh buffer).
    const stepSites = [sites, sites, [{ n: 20_000, p: 0.1 }, { n: 7, p: 0.5 }, { n: 50_000, p: 0.25 }]];
    const ref = new Rng(4);
    const refSteps = stepSites.map((sites) =>
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
      for (const [k, want] of refSteps.entries()) {
        await masks.start(stepSites[k]);
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
