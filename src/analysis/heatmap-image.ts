// A correlation matrix as a small PNG (one pixel per cell, a 256-colour palette), to embed in the heat map's SVG:
// an n × n matrix drawn as n² SVG rects made a 16 MB file for DCNv2 on Criteo; as one image it stays a few hundred KB.
import { deflateSync } from 'node:zlib';

/** Moreland's cool-warm map (as the paper's figures), sampled at -1, -0.5, 0, 0.5, 1 and interpolated in RGB. */
export const COOLWARM_STOPS: readonly (readonly [number, string])[] = [
  [-1, '#3b4cc0'],
  [-0.5, '#8db0fe'],
  [0, '#dddddd'],
  [0.5, '#f49a7b'],
  [1, '#b40426'],
];

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Colour of v (clamped to [-1, 1]) on COOLWARM_STOPS. */
export function coolwarm(v: number): [number, number, number] {
  const x = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  for (let k = 0; k + 1 < COOLWARM_STOPS.length; k++) {
    const [a, ca] = COOLWARM_STOPS[k];
    const [b, cb] = COOLWARM_STOPS[k + 1];
    if (x <= b) {
      const t = (x - a) / (b - a);
      const [p, q] = [rgb(ca), rgb(cb)];
      return [0, 1, 2].map((i) => Math.round(p[i] + t * (q[i] - p[i]))) as [number, number, number];
    }
  }
  return rgb(COOLWARM_STOPS[COOLWARM_STOPS.length - 1][1]) as [number, number, number];
}

/** Palette index of v: 256 levels over [-1, 1] (steps of 0.0078, finer than the eye tells apart). */
export function level(v: number): number {
  const x = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  return Math.round(((x + 1) / 2) * 255);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bufs: Uint8Array[]): number {
  let c = 0xffffffff;
  for (const b of bufs) for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([head.subarray(4), data]), 0);
  return Buffer.concat([head, data, crc]);
}

/** rows × cols matrix (row-major) as an 8-bit palette PNG, row 0 at the top. */
export function heatmapPng(matrix: ArrayLike<number>, rows: number, cols: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(cols, 0);
  ihdr.writeUInt32BE(rows, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // palette
  const plte = Buffer.alloc(256 * 3);
  for (let i = 0; i < 256; i++) plte.set(coolwarm((i / 255) * 2 - 1), i * 3);
  const raw = Buffer.alloc(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    raw[r * (cols + 1)] = 0; // filter: none
    for (let c = 0; c < cols; c++) raw[r * (cols + 1) + 1 + c] = level(matrix[r * cols + c]);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}
