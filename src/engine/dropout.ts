// Host-side dropout masks: 1 keeps, 0 drops, with P(drop) = p at 16-bit resolution (two draws per 32-bit random
// word: |p − p_eff| < 8e-6), from the engine's seeded dropout stream, so a seed and a step fix every mask.
// The generator is util/rng's xoshiro128** run on local copies of its state (the same words nextU32 would give,
// without a method call per word); the state is written back at the end.
import type { Rng } from '../util/rng.js';

export function fillDropoutMask(rng: Rng, mask: Uint8Array, p: number): void {
  const thr = Math.round(p * 65536);
  const n = mask.length;
  const st = rng.getState();
  let a = st[0] | 0, b = st[1] | 0, c = st[2] | 0, d = st[3] | 0;
  const words = (n + 1) >> 1;
  for (let k = 0, i = 0; k < words; k++, i += 2) {
    const x = Math.imul(b, 5);
    const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    mask[i] = (r & 0xffff) >= thr ? 1 : 0;
    if (i + 1 < n) mask[i + 1] = r >>> 16 >= thr ? 1 : 0;
  }
  rng.setState([a, b, c, d]);
}
