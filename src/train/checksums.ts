// SHA-256 of every file of a checkpoint folder, in `sha256.json` beside them (written last). A resume checks them
// before loading: a checkpoint whose bytes changed (finite garbage loads without complaint) is an error naming the file.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';

export const CHECKSUMS_FILE = 'sha256.json';

export function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

function filesOf(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((n) => {
    const rel = prefix ? `${prefix}/${n}` : n;
    if (rel === CHECKSUMS_FILE) return [];
    return statSync(join(dir, rel)).isDirectory() ? filesOf(dir, rel) : [rel];
  }).sort();
}

export function writeChecksums(dir: string): void {
  const files: Record<string, string> = {};
  for (const f of filesOf(dir)) files[f] = sha256File(join(dir, f));
  writeJsonAtomic(join(dir, CHECKSUMS_FILE), { algorithm: 'sha256', files });
}

export function verifyChecksums(dir: string, hint?: string): void {
  const p = join(dir, CHECKSUMS_FILE);
  if (!existsSync(p)) throw new UserError(`${dir}: checkpoint has no ${CHECKSUMS_FILE} (incomplete, or written by an older ge4rec)`, hint);
  let man: { files: Record<string, string> };
  try {
    man = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new UserError(`${p}: unreadable checksum manifest (${(e as Error).message})`, hint);
  }
  for (const [f, want] of Object.entries(man.files ?? {})) {
    const path = join(dir, f);
    if (!existsSync(path)) throw new UserError(`${path}: missing from the checkpoint`, hint);
    if (sha256File(path) !== want) throw new UserError(`${path}: checksum mismatch (the file changed after it was written)`, hint);
  }
  for (const f of filesOf(dir)) if (!(f in (man.files ?? {}))) throw new UserError(`${join(dir, f)}: not part of the checkpoint's manifest`, hint);
}
