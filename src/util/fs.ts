// Crash-safe file output: everything is written to a temporary name beside the target, then renamed over it,
// so a killed process never leaves a half-written file under the final name.
import { createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync, type WriteStream } from 'node:fs';
import { UserError } from './errors.js';
import { dirname, basename, join } from 'node:path';

export function tmpNameFor(path: string): string {
  return join(dirname(path), `.tmp-${process.pid}-${Date.now().toString(36)}-${basename(path)}`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw writeError(e, path);
  }
  const tmp = tmpNameFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(e, path);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** A write stream to a temporary file; `commit()` closes and renames it, `abort()` removes it. */
export function atomicWriteStream(path: string): { stream: WriteStream; commit(): Promise<void>; abort(): void } {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw writeError(e, path);
  }
  const tmp = tmpNameFor(path);
  const stream = createWriteStream(tmp);
  return {
    stream,
    commit: () =>
      new Promise<void>((resolve, reject) => {
        stream.end((err?: Error | null) => {
          if (err) return reject(err);
          try {
            renameSync(tmp, path);
            resolve();
          } catch (e) {
            reject(e);
          }
        });
      }),
    abort: () => {
      stream.destroy();
      rmSync(tmp, { force: true });
    },
  };
}

/**
 * Writes all of `data` at the file position (a write may be short: a full disk, a signal), looping until done. An
 * error (ENOSPC, EIO, ...) becomes a UserError naming `path`, the file the user will look for.
 */
export function writeFully(fd: number, data: string | Uint8Array, path: string, position?: number): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let off = 0;
  try {
    while (off < bytes.length) {
      const n = writeSync(fd, bytes, off, bytes.length - off, position === undefined ? null : position + off);
      if (n <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
      off += n;
    }
  } catch (e) {
    throw writeError(e, path);
  }
}

/** A write failure as a UserError naming the file; a full disk says so. */
export function writeError(e: unknown, path: string): Error {
  if (e instanceof UserError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')
    return new UserError(`Disk full while writing ${path} (${code}); nothing was left under the final name`, 'free some space and run the same command again');
  if (code) return new UserError(`Cannot write ${path}: ${code} (${(e as Error).message})`);
  return e as Error;
}

/** A JSON file's value; unreadable or invalid JSON is a UserError naming the file (not a bare SyntaxError). */
export function readJsonFile<T>(path: string, hint?: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, hint);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message}${text.length === 0 ? '; the file is empty' : ''})`, hint);
  }
}
