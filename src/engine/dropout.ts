// Host-side dropout masks: 1 keeps, 0 drops, with P(drop) = p at 16-bit resolution (two draws per 32-bit random
// word: |p − p_eff| < 8e-6), from the engine's seeded dropout stream, so a seed and a step fix every mask.
import type { Rng } from '../util/rng.js';

export function fillDropoutMask(rng: Rng, mask: Uint8Array, p: number): void {
  const thr = Math.round(p * 65536);
  const n = mask.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r = rng.nextU32();
    mask[i] = (r & 0xffff) >= thr ? 1 : 0;
    mask[i + 1] = r >>> 16 >= thr ? 1 : 0;
  }
  if (i < n) mask[i] = (rng.nextU32() & 0xffff) >= thr ? 1 : 0;
}
