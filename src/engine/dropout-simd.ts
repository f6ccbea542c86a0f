// The dropout-mask kernel in WebAssembly SIMD: four xoshiro128** generators side by side in i32x4 lanes, two 16-bit
// draws per word, 16 mask bytes per iteration. Hand-assembled like embedding-simd.ts (no toolchain needed).
//
// fill(dst, blocks, sp, thr): writes `blocks` × 16 bytes at dst and advances the lane state at sp (64 bytes:
// word a of lanes 0–3, then b, c, d). Each block is two steps of the four lanes; for step words r the bytes are
// [lo16(r) ≥ thr for lanes 0–3, hi16(r) ≥ thr for lanes 0–3], the first step's 8 bytes before the second's.
// LANES_JS_SRC's fillLanesJs writes the same bytes in plain JavaScript (the fallback, and the tests' reference).

import { I32, V128, WASM_HEADER, name, section, simd, sleb, uleb, vec } from './wasm-encode.js';

const OP = {
  load: 0x00, store: 0x0b, splat: 0x11, and: 0x4e, or: 0x50, xor: 0x51, geU: 0x40, neg: 161, shl: 171, shrU: 173,
  mul: 181, narrow32to16U: 134, narrow16to8U: 102,
};

// Params 0 dst, 1 blocks, 2 sp, 3 thr; v128 locals 4 a, 5 b, 6 c, 7 d, 8 x, 9 t, 10 vthr, 11 v5, 12 v9, 13 v0xffff,
// 14 first half of a block, 15 r.
function body(): number[] {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const i32 = (v: number) => [0x41, ...sleb(v)];
  const v = (op: keyof typeof OP, ...imm: number[]) => simd(OP[op], ...imm);
  const [a, b, c, d, x, t, vthr, v5, v9, vm, half, r] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const xor = (dst: number, src: number) => [...get(dst), ...get(src), ...v('xor'), ...set(dst)];
  const rotl = (src: number, k: number) => [...get(src), ...i32(k), ...v('shl'), ...get(src), ...i32(32 - k), ...v('shrU'), ...v('or')];
  // One xoshiro128** step of all lanes: r = rotl(b·5, 7)·9, then the state update.
  const step = [
    ...get(b), ...get(v5), ...v('mul'), ...set(x),
    ...rotl(x, 7), ...get(v9), ...v('mul'), ...set(r),
    ...get(b), ...i32(9), ...v('shl'), ...set(t),
    ...xor(c, a), ...xor(d, b), ...xor(b, c), ...xor(a, d), ...xor(c, t),
    ...rotl(d, 11), ...set(d),
  ];
  // The step's 8 keep flags (1 keeps: draw ≥ thr) as i16x8: low halves of the 4 words, then high halves.
  const flags = [
    ...get(r), ...get(vm), ...v('and'), ...get(vthr), ...v('geU'), ...v('neg'),
    ...get(r), ...i32(16), ...v('shrU'), ...get(vthr), ...v('geU'), ...v('neg'),
    ...v('narrow32to16U'),
  ];
  const at = (off: number) => [4, ...uleb(off)]; // memarg: align 2^4, offset
  const code = [
    ...get(2), ...v('load', ...at(0)), ...set(a),
    ...get(2), ...v('load', ...at(16)), ...set(b),
    ...get(2), ...v('load', ...at(32)), ...set(c),
    ...get(2), ...v('load', ...at(48)), ...set(d),
    ...get(3), ...v('splat'), ...set(vthr),
    ...i32(5), ...v('splat'), ...set(v5),
    ...i32(9), ...v('splat'), ...set(v9),
    ...i32(0xffff), ...v('splat'), ...set(vm),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(1), 0x45, 0x0d, 1, // br_if out when blocks == 0
    ...step, ...flags, ...set(half),
    ...get(0), ...step, ...get(half), ...flags, ...v('narrow16to8U'), ...v('store', ...at(0)),
    ...get(0), ...i32(16), 0x6a, ...set(0),
    ...get(1), ...i32(1), 0x6b, ...set(1),
    0x0c, 0, // br loop
    0x0b, 0x0b, // end loop, end block
    ...get(2), ...get(a), ...v('store', ...at(0)),
    ...get(2), ...get(b), ...v('store', ...at(16)),
    ...get(2), ...get(c), ...v('store', ...at(32)),
    ...get(2), ...get(d), ...v('store', ...at(48)),
    0x0b,
  ];
  const fn = [...vec([[12, V128]]), ...code];
  return [...uleb(fn.length), ...fn];
}

/** The module's bytes: imports env.mem (a non-shared memory), exports fill. */
export function maskModuleBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])]]));
  const imp = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]]));
  const func = section(3, vec([[0]]));
  const exp = section(7, vec([[...name('fill'), 0x00, 0]]));
  const code = section(10, vec([body()]));
  return Uint8Array.from([...WASM_HEADER, ...type, ...imp, ...func, ...exp, ...code]);
}

/**
 * JavaScript source shared by the main thread and the mask worker (so both draw the same bytes):
 * - seedLanes(rs, lanes): draws 16 words from the xoshiro128** state rs (4 int32, advanced in place, the words
 *   util/rng's nextU32 gives), scrambles each with murmur3's 32-bit finaliser, and lays them out as the kernel's
 *   lane state (word j of lane k at lanes[4j + k]).
 * - fillLanesJs(lanes, mask, thr): the kernel's bytes in plain JavaScript.
 * - makeSimdFill(bytes): fill(lanes, mask, thr) on the wasm kernel, 64 KB at a time, or null without wasm SIMD.
 */
export const LANES_JS_SRC = `
function xoWord(s) {
  const x = Math.imul(s[1], 5);
  const r = Math.imul((x << 7) | (x >>> 25), 9);
  const t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
  return r;
}
function fmix32(h) {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); return h ^ (h >>> 16);
}
function seedLanes(rs, lanes) {
  for (let k = 0; k < 4; k++) {
    for (let j = 0; j < 4; j++) lanes[4 * j + k] = fmix32(xoWord(rs));
    // An all-zero xoshiro state would stay zero.
    if ((lanes[k] | lanes[4 + k] | lanes[8 + k] | lanes[12 + k]) === 0) lanes[k] = 1;
  }
}
function fillLanesJs(lanes, mask, thr) {
  const n = mask.length;
  // Lane by lane: lane k owns bytes k and k + 4 of each 8-byte half-block.
  for (let k = 0; k < 4; k++) {
    let a = lanes[k], b = lanes[4 + k], c = lanes[8 + k], d = lanes[12 + k];
    for (let i = k; i < n; i += 8) {
      const x = Math.imul(b, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9);
      const t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
      d = (d << 11) | (d >>> 21);
      mask[i] = (((r & 0xffff) - thr) >> 31) + 1;
      if (i + 4 < n) mask[i + 4] = (((r >>> 16) - thr) >> 31) + 1;
    }
    lanes[k] = a; lanes[4 + k] = b; lanes[8 + k] = c; lanes[12 + k] = d;
  }
}
function makeSimdFill(bytes) {
  let inst, mem;
  try {
    mem = new WebAssembly.Memory({ initial: 2 });
    inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
  } catch (e) {
    return null;
  }
  const fill = inst.exports.fill;
  const CHUNK = 4096; // blocks per call: 64 KB of output, copied out while in cache
  return (lanes, mask, thr) => {
    const buf = mem.buffer;
    new Int32Array(buf, 0, 16).set(lanes);
    const out = new Uint8Array(buf, 64, CHUNK * 16);
    const n = mask.length;
    for (let i = 0; i < n; i += CHUNK * 16) {
      const len = Math.min(CHUNK * 16, n - i);
      fill(64, Math.ceil(len / 16), 0, thr);
      mask.set(len === CHUNK * 16 ? out : out.subarray(0, len), i);
    }
    lanes.set(new Int32Array(buf, 0, 16));
  };
}
`;
