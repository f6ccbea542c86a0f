// A fake machine for the CUDA library search: empty files named like the CUDA libraries, laid out as PyTorch's pip
// wheels, a CUDA toolkit and a driver lay them out, and a fake `python3` that prints its site-packages.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeCuda {
  root: string;
  /** The fake python's site-packages. */
  site: string;
  /** `site/nvidia/cu13/lib`: cudart, cublas, cublasLt, curand (CUDA 13 wheels). */
  cu13: string;
  /** `site/nvidia/cudnn/lib`: libcudnn.so.9. */
  cudnn: string;
  /** A folder holding libcuda.so.1, as a driver install would. */
  driver: string;
  /** A folder holding the fake python3 (put it on PATH). */
  bin: string;
}

export function touch(dir: string, ...names: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) writeFileSync(join(dir, n), '');
}

export function fakeCuda(): FakeCuda {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-fake-cuda-'));
  const site = join(root, 'venv', 'lib', 'python3.12', 'site-packages');
  const cu13 = join(site, 'nvidia', 'cu13', 'lib');
  const cudnn = join(site, 'nvidia', 'cudnn', 'lib');
  touch(cu13, 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10');
  touch(cudnn, 'libcudnn.so.9', 'libcudnn_graph.so.9');
  touch(join(site, 'torch', 'lib'), 'libtorch.so');
  const driver = join(root, 'driver');
  touch(driver, 'libcuda.so.1');
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  const py = join(bin, 'python3');
  writeFileSync(py, `#!/bin/sh\necho '${JSON.stringify([site, join(root, 'user-site')])}'\n`);
  chmodSync(py, 0o755);
  return { root, site, cu13, cudnn, driver, bin };
}

/** A minimal 64-bit ELF file whose dynamic section asks for `needed` (section headers: null, .dynstr, .dynamic). */
export function fakeElf(needed: string[]): Buffer {
  const strs = Buffer.from(`\0${needed.join('\0')}\0`, 'latin1');
  const dyn = Buffer.alloc(16 * (needed.length + 1));
  let at = 1;
  needed.forEach((n, i) => {
    dyn.writeBigInt64LE(1n, i * 16); // DT_NEEDED
    dyn.writeBigUInt64LE(BigInt(at), i * 16 + 8);
    at += n.length + 1;
  });
  const strOff = 64;
  const dynOff = strOff + strs.length + ((8 - (strs.length % 8)) % 8);
  const shOff = dynOff + dyn.length;
  const sh = Buffer.alloc(64 * 3);
  const section = (i: number, type: number, off: number, size: number, link: number) => {
    sh.writeUInt32LE(type, i * 64 + 4);
    sh.writeBigUInt64LE(BigInt(off), i * 64 + 0x18);
    sh.writeBigUInt64LE(BigInt(size), i * 64 + 0x20);
    sh.writeUInt32LE(link, i * 64 + 0x28);
  };
  section(1, 3, strOff, strs.length, 0); // SHT_STRTAB
  section(2, 6, dynOff, dyn.length, 1); // SHT_DYNAMIC, strings in section 1
  const h = Buffer.alloc(64);
  h.writeUInt32BE(0x7f454c46, 0);
  h[4] = 2; // 64-bit
  h[5] = 1; // little-endian
  h.writeBigUInt64LE(BigInt(shOff), 0x28);
  h.writeUInt16LE(64, 0x3a);
  h.writeUInt16LE(3, 0x3c);
  const out = Buffer.alloc(shOff + sh.length);
  h.copy(out, 0);
  strs.copy(out, strOff);
  dyn.copy(out, dynOff);
  sh.copy(out, shOff);
  return out;
}
