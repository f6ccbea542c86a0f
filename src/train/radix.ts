// LSD radix sort of float64 values (V8's typed-array sort takes ~0.5 µs per element; AUC over 8 M rows needs better).
// Each value's IEEE-754 bits are mapped to an unsigned key with the same order (positive: flip the sign bit;
// negative: flip every bit), keys are sorted 16 bits per pass (a pass whose digit is constant is skipped, so float32
// predictions widened to float64 cost two passes), and mapped back. NaN must not be present.

export function sortFloat64(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  out.set(values instanceof Float64Array ? values : Float64Array.from(values));
  const bits = new Uint32Array(out.buffer); // little-endian: [lo, hi] per value
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1];
    const l = bits[2 * i];
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 0xffff]++;
    if (count[(src[0] >>> shift) & 0xffff] === n) continue; // every key has the same digit
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = count[(src[i] >>> shift) & 0xffff]++;
      lo2[at] = lo[i];
      hi2[at] = hi[i];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    if (h & 0x80000000) {
      bits[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      bits[2 * i] = lo[i];
    } else {
      bits[2 * i + 1] = ~h >>> 0;
      bits[2 * i] = ~lo[i] >>> 0;
    }
  }
  return out;
}
