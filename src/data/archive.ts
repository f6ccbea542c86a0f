// Checksums and zip extraction for the downloaded releases. Extraction streams each wanted entry (ZIP64 included,
// handled by yauzl) to a temporary name and renames it when the entry is complete, so a truncated or corrupt
// archive never leaves a CSV that looks whole.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { tmpNameFor } from '../util/fs.js';
import { UserError } from '../util/errors.js';

export async function fileDigest(path: string, algorithm: 'md5' | 'sha256', onProgress?: (bytes: number) => void): Promise<string> {
  const h = createHash(algorithm);
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    h.update(chunk as Buffer);
    n += (chunk as Buffer).length;
    onProgress?.(n);
  }
  return h.digest('hex');
}

/**
 * Whose file it is: one ge4rec downloaded or extracted (a rerun fetches it anew) or the user's own, from --source
 * (the user must replace it; nothing tells them to download it).
 */
export type FileOwner = 'download' | 'source';

/** What to tell the user about a bad file. */
function badFileHint(owner: FileOwner, path: string): string {
  return owner === 'source'
    ? `${path} (from --source) is not the release file: its checksum is not the published one, so it is left alone. ` +
      'For the release, point --source at an intact copy; to train on data of your own, declare it in a FuxiCTR ' +
      'dataset_config.yaml and run: ge4rec prepare --config dataset_config.yaml --dataset YOUR_ID'
    : 'run the same command again: the file was deleted and is fetched anew';
}

/** Throws a UserError naming the file and both digests if they differ; `removeOnMismatch` deletes the file. */
export async function verifyDigest(
  path: string,
  algorithm: 'md5' | 'sha256',
  expected: string,
  opts: { removeOnMismatch?: boolean; owner?: FileOwner; onProgress?: (bytes: number) => void } = {},
): Promise<void> {
  const owner = opts.owner ?? 'download';
  const actual = await fileDigest(path, algorithm, opts.onProgress).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`Cannot read ${path}: ${e.code ?? e.message}`, owner === 'source' ? badFileHint(owner, path) : 'run the same command again');
  });
  if (actual.toLowerCase() !== expected.toLowerCase()) {
    const removed = opts.removeOnMismatch && owner === 'download';
    if (removed) rmSync(path, { force: true });
    throw new UserError(
      `Checksum mismatch for ${path}: ${algorithm} is ${actual}, expected ${expected}` + (removed ? ' (the file was deleted)' : ''),
      removed ? badFileHint(owner, path) : owner === 'source' ? badFileHint(owner, path) : 'the file is corrupt or incomplete; delete it and run the same command again',
    );
  }
}

/** Full disk (or quota): the message says so, with the file that was being written. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('no zip'));
      else resolve(zip);
    });
  });
}

/**
 * Extracts the entries whose base name is in `wanted` (wherever they sit inside the archive) into `outDir`.
 * Returns the paths written. A bad archive or a missing entry is a UserError naming the archive.
 */
export async function extractEntries(
  zipPath: string,
  wanted: string[],
  outDir: string,
  onProgress?: (bytes: number, total: number) => void,
  owner: FileOwner = 'download',
): Promise<Record<string, string>> {
  const corrupt = owner === 'source' ? badFileHint(owner, zipPath) : `delete ${zipPath} and run the same command again to download it anew`;
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (e) {
    throw new UserError(`${zipPath} is not a readable zip archive (${(e as Error).message})`, corrupt);
  }
  mkdirSync(outDir, { recursive: true });
  const out: Record<string, string> = {};
  const entries: yauzl.Entry[] = [];
  const walk = new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (wanted.includes(basename(entry.fileName)) && !entry.fileName.endsWith('/')) entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  try {
    await walk;
  } catch (e) {
    zip.close();
    throw new UserError(`${zipPath} is a corrupt zip archive (${(e as Error).message})`, corrupt);
  }
  const total = entries.reduce((s, e) => s + e.uncompressedSize, 0);
  let done = 0;
  try {
    for (const entry of entries) {
      const name = basename(entry.fileName);
      const dest = join(outDir, name);
      const tmp = tmpNameFor(dest);
      try {
        const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))),
        );
        const counter = new Transform({
          transform(chunk: Buffer, _e, cb) {
            done += chunk.length;
            onProgress?.(done, total);
            cb(null, chunk);
          },
        });
        await pipeline(stream, counter, createWriteStream(tmp));
        renameSync(tmp, dest);
        out[name] = dest;
      } catch (e) {
        rmSync(tmp, { force: true });
        if (isDiskFull(e)) throw new UserError(`Disk full while extracting ${entry.fileName} to ${dest} (${(e as NodeJS.ErrnoException).code})`, 'free some space and run the same command again');
        throw new UserError(`${zipPath}: extracting ${entry.fileName} failed (${(e as Error).message})`, corrupt);
      }
    }
  } finally {
    zip.close();
  }
  const missing = wanted.filter((w) => !out[w]);
  if (missing.length) throw new UserError(`${zipPath} has no ${missing.join(', ')} (entries found: ${entries.map((e) => e.fileName).join(', ') || 'none'})`);
  return out;
}
