// The shared libraries an ELF file asks the dynamic loader for (its DT_NEEDED entries), read from the file itself:
// which CUDA libraries (and which of their major versions) the installed CUDA provider needs depends on how it was built
// (the registry package links CUDA 13, NuGet's CUDA 12). Reads only the headers and the dynamic section, never the
// whole file (the CUDA provider is 230 MB).
import { closeSync, openSync, readSync } from 'node:fs';

const SHT_DYNAMIC = 6;
const DT_NULL = 0n;
const DT_NEEDED = 1n;

function readAt(fd: number, offset: number, length: number, file: string): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, offset);
  if (n !== length) throw new Error(`${file}: truncated ELF file (wanted ${length} bytes at ${offset}, got ${n})`);
  return buf;
}

/** DT_NEEDED sonames of a 64-bit little-endian ELF shared object, in file order. */
export function elfNeeded(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const h = readAt(fd, 0, 64, file);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
    if (h[4] !== 2 || h[5] !== 1) throw new Error(`${file}: not a 64-bit little-endian ELF file`);
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    if (shoff === 0 || shnum === 0) throw new Error(`${file}: no section headers`);
    const sh = readAt(fd, shoff, shentsize * shnum, file);
    const section = (i: number) => {
      const o = i * shentsize;
      return {
        type: sh.readUInt32LE(o + 4),
        offset: Number(sh.readBigUInt64LE(o + 0x18)),
        size: Number(sh.readBigUInt64LE(o + 0x20)),
        link: sh.readUInt32LE(o + 0x28),
      };
    };
    for (let i = 0; i < shnum; i++) {
      const dyn = section(i);
      if (dyn.type !== SHT_DYNAMIC) continue;
      const strtab = section(dyn.link);
      const strs = readAt(fd, strtab.offset, strtab.size, file);
      const entries = readAt(fd, dyn.offset, dyn.size, file);
      const out: string[] = [];
      for (let o = 0; o + 16 <= entries.length; o += 16) {
        const tag = entries.readBigInt64LE(o);
        if (tag === DT_NULL) break;
        if (tag !== DT_NEEDED) continue;
        const at = Number(entries.readBigUInt64LE(o + 8));
        const end = strs.indexOf(0, at);
        out.push(strs.toString('latin1', at, end < 0 ? strs.length : end));
      }
      return out;
    }
    return [];
  } finally {
    closeSync(fd);
  }
}
