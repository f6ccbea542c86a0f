// Crash-safe file output: everything is written to a temporary name beside the target, then renamed over it,
// so a killed process never leaves a half-written file under the final name.
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function tmpNameFor(path: string): string {
  return join(dirname(path), `.tmp-${process.pid}-${Date.now().toString(36)}-${basename(path)}`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpNameFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** A write stream to a temporary file; `commit()` closes and renames it, `abort()` removes it. */
export function atomicWriteStream(path: string): { stream: WriteStream; commit(): Promise<void>; abort(): void } {
  mkdirSync(dirname(path), { recursive: true });
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
