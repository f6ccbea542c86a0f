// A WebAssembly SIMD (f32x4) kernel for the dense embedding Adam's hot loop: the elementwise update of rows that
// got no batch gradient (g = coef·λ·w), which is ~all rows of every table, every step. Hand-assembled here (no
// toolchain needed); tables must live in one shared WebAssembly.Memory so that worker threads share them.
//
// dense(e0, e1, wOff, mOff, vOff, cl, b1, c1, b2, c2, stepSize, ib, eps) -> f64 Σ w_new²
//   over float elements [e0, e1) (multiples of 4) of the arrays at byte offsets wOff/mOff/vOff:
//   g = cl·w; m = b1·m + c1·g; v = b2·v + c2·g²; w −= stepSize·m / (sqrt(v)·ib + eps), all in float32 like torch.

import { F32, F64, I32, V128, WASM_HEADER, name, section, simd, uleb, vec } from './wasm-encode.js';

const memarg = [4, 0]; // align 2^4, offset 0

// Params: 0 e0, 1 e1, 2 wOff, 3 mOff, 4 vOff, 5 cl, 6 b1, 7 c1, 8 b2, 9 c2, 10 stepSize, 11 ib, 12 eps
// Locals: 13 i (byte index), 14 end (byte index), 15 blockEnd, 16 acc f64,
//         17 w, 18 m, 19 v, 20 g, 21 blk, 22 vcl, 23 vb1, 24 vc1, 25 vb2, 26 vc2, 27 vss, 28 vib, 29 veps (v128)
function body(): number[] {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const splat = (src: number, dst: number) => [...get(src), ...simd(0x13), ...set(dst)];
  const load = (off: number) => [...get(off), ...get(13), 0x6a, ...simd(0x00, ...memarg)];
  const f32x4 = { add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6), div: simd(0xe7), sqrt: simd(0xe3) };
  const code: number[] = [
    ...splat(5, 22), ...splat(6, 23), ...splat(7, 24), ...splat(8, 25), ...splat(9, 26), ...splat(10, 27),
    ...splat(11, 28), ...splat(12, 29),
    // i = e0*4; end = e1*4
    ...get(0), 0x41, 2, 0x74, ...set(13),
    ...get(1), 0x41, 2, 0x74, ...set(14),
    0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...set(16),
    0x02, 0x40, // block (outer exit)
    0x03, 0x40, // loop (blocks)
    ...get(13), ...get(14), 0x4f, 0x0d, 1, // br_if exit when i >= end (unsigned)
    // blockEnd = min(i + 4096, end)
    ...get(13), 0x41, ...[0x80, 0x20], 0x6a, ...tee(15), ...get(14), ...get(15), ...get(14), 0x49, 0x1b, ...set(15),
    // blk = 0
    ...simd(0x0c, ...new Array(16).fill(0)), ...set(21),
    0x03, 0x40, // loop (elements)
    // w = load(wOff + i); g = vcl * w
    ...load(2), ...tee(17), ...get(22), ...f32x4.mul, ...set(20),
    // m = vb1*load(m) + vc1*g
    ...load(3), ...get(23), ...f32x4.mul, ...get(20), ...get(24), ...f32x4.mul, ...f32x4.add, ...set(18),
    // v = vb2*load(v) + vc2*g*g
    ...load(4), ...get(25), ...f32x4.mul, ...get(20), ...get(20), ...f32x4.mul, ...get(26), ...f32x4.mul, ...f32x4.add, ...set(19),
    // w = w - (vss*m) / (sqrt(v)*vib + veps)
    ...get(17), ...get(27), ...get(18), ...f32x4.mul, ...get(19), ...f32x4.sqrt, ...get(28), ...f32x4.mul, ...get(29),
    ...f32x4.add, ...f32x4.div, ...f32x4.sub, ...set(17),
    // stores
    ...get(3), ...get(13), 0x6a, ...get(18), ...simd(0x0b, ...memarg),
    ...get(4), ...get(13), 0x6a, ...get(19), ...simd(0x0b, ...memarg),
    ...get(2), ...get(13), 0x6a, ...get(17), ...simd(0x0b, ...memarg),
    // blk += w*w
    ...get(21), ...get(17), ...get(17), ...f32x4.mul, ...f32x4.add, ...set(21),
    // i += 16; continue while i < blockEnd
    ...get(13), 0x41, 16, 0x6a, ...tee(13), ...get(15), 0x49, 0x0d, 0,
    0x0b, // end inner loop
    // acc += f64(blk lanes)
    ...get(16),
    ...get(21), ...simd(0x1f, 0), 0xbb, 0xa0,
    ...get(21), ...simd(0x1f, 1), 0xbb, 0xa0,
    ...get(21), ...simd(0x1f, 2), 0xbb, 0xa0,
    ...get(21), ...simd(0x1f, 3), 0xbb, 0xa0,
    ...set(16),
    0x0c, 0, // br outer loop
    0x0b, // end loop
    0x0b, // end block
    ...get(16),
    0x0b, // end function
  ];
  const locals = vec([
    [3, I32],
    [1, F64],
    [13, V128],
  ]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], ...Array(8).fill([F32])]), ...vec([[F64]])]]));
  // import env.mem: shared memory, limits flag 0x03 (min, max, shared); min 1 page, max 65536 pages
  const imp = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]]));
  const func = section(3, vec([[0]]));
  const exp = section(7, vec([[...name('dense'), 0x00, 0]]));
  const code = section(10, vec([body()]));
  return Uint8Array.from([...WASM_HEADER, ...type, ...imp, ...func, ...exp, ...code]);
}

// Minimal typings: the project's lib settings (ES2023, node types) do not declare WebAssembly.
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: SharedArrayBuffer }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export type SimdDense = (
  e0: number, e1: number, wOff: number, mOff: number, vOff: number, cl: number, b1: number, c1: number, b2: number,
  c2: number, stepSize: number, ib: number, eps: number,
) => number;

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly SIMD or shared memory is unavailable. */
export function simdModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = new WA.Module(moduleBytes());
  } catch {
    compiled = null;
  }
  return compiled;
}

export function instantiateSimd(mod: WasmModule, mem: WasmMemory): SimdDense {
  const inst = new WA.Instance(mod, { env: { mem } });
  return inst.exports.dense as SimdDense;
}

/** A shared memory able to hold `bytes`, or null when it would exceed wasm32's 4 GiB. */
export function sharedMemory(bytes: number): WasmMemory | null {
  const pages = Math.ceil(bytes / 65536) + 1;
  if (pages > 65536) return null;
  try {
    return new WA.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    return null;
  }
}
