// Resumable HTTP(S) download. The bytes go to `<dest>.part`, with a sidecar `<dest>.part.json` recording the URL,
// the expected total size and the ETag; only a complete file is renamed to `<dest>`. A later call resumes with
// `Range: bytes=<have>-` (and If-Range with the ETag) and appends only if the server answers 206 with a
// Content-Range starting exactly at <have>; any other answer restarts from zero. Network errors, premature ends and
// 5xx answers are retried with exponential back-off, resuming each time. A server that does not answer within the
// connect timeout (30 s), or stops sending for the idle timeout (60 s), counts as a network error. With `expectZip`
// a body that is not a whole zip archive (an HTML page, a short body) is deleted and never renamed to `<dest>`.
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { writeJsonAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';

export interface DownloadOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First back-off delay; doubles on each retry (default 2000 ms). */
  baseDelayMs?: number;
  expectedBytes?: number;
  onProgress?: (bytes: number, total: number) => void;
  log?: (msg: string) => void;
  signal?: AbortSignal;
  /** No answer (response headers) within this many ms is a network error (default 30 000). */
  connectTimeoutMs?: number;
  /** No body byte for this many ms is a network error (default 60 000). */
  idleTimeoutMs?: number;
  /** The file must be a zip archive: local header at the start, end-of-central-directory record at the end. */
  expectZip?: boolean;
}

export const CONNECT_TIMEOUT_MS = 30_000;
export const IDLE_TIMEOUT_MS = 60_000;

export interface DownloadResult {
  bytes: number;
  /** Bytes already on disk when this call started (a resumed download). */
  resumedFrom: number;
  attempts: number;
}

interface Sidecar {
  url: string;
  total: number | null;
  etag: string | null;
}

class RetryableError extends Error {}

const AGAIN = 'run the same command again to download it anew';

/** Why the file at `path` is not a whole zip archive, or null if it looks like one. */
function notAZip(path: string): string | null {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64));
    readSync(fd, head, 0, head.length, 0);
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) {
      const text = head.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 40);
      return /<(!doctype|html|head|body|\?xml)/i.test(text) ? `an HTML page: "${text}…"` : `${size} bytes starting "${text}"`;
    }
    // the end-of-central-directory record sits in the last 22 + 65 535 bytes; a truncated archive lacks it
    const tailLen = Math.min(size, 22 + 65_535);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) return null;
    return `${size} bytes without the end of a zip archive: truncated`;
  } finally {
    closeSync(fd);
  }
}

export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const part = `${dest}.part`;
  const side = `${dest}.part.json`;
  const retries = opts.retries ?? 5;
  const baseDelay = opts.baseDelayMs ?? 2000;
  let sidecar = readSidecar(side);
  if (!sidecar || sidecar.url !== url || !existsSync(part)) {
    rmSync(part, { force: true });
    sidecar = { url, total: opts.expectedBytes ?? null, etag: null };
  }
  const resumedFrom = existsSync(part) ? statSync(part).size : 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await attemptOnce(url, part, side, sidecar, opts);
      const size = statSync(part).size;
      if (sidecar.total !== null && size !== sidecar.total) {
        throw new RetryableError(`${dest}: got ${size} bytes, expected ${sidecar.total}`);
      }
      if (opts.expectedBytes !== undefined && size !== opts.expectedBytes) {
        rmSync(part, { force: true });
        rmSync(side, { force: true });
        throw new UserError(`${url}: the server sent ${size} bytes, but the archive should be ${opts.expectedBytes} bytes`, AGAIN);
      }
      if (opts.expectZip) {
        const problem = notAZip(part);
        if (problem) {
          rmSync(part, { force: true });
          rmSync(side, { force: true });
          throw new UserError(`${url}: the server's answer is not a zip archive (${problem}); nothing was kept`, 'check the URL (--mirror, GE4REC_MIRROR), then run the same command again');
        }
      }
      renameSync(part, dest);
      rmSync(side, { force: true });
      return { bytes: size, resumedFrom, attempts: attempt + 1 };
    } catch (e) {
      if (e instanceof UserError || opts.signal?.aborted) throw e;
      if (attempt >= retries) {
        throw new UserError(
          `Download of ${url} failed after ${attempt + 1} attempt(s): ${(e as Error).message}`,
          `The partial file ${part} is kept; run the same command again to resume.`,
        );
      }
      const delay = baseDelay * 2 ** attempt;
      opts.log?.(`download: ${(e as Error).message}; retrying in ${delay} ms`);
      await sleep(delay, opts.signal);
    }
  }
}

function readSidecar(path: string): Sidecar | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Sidecar;
  } catch {
    return null;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    });
  });
}

async function attemptOnce(url: string, part: string, side: string, sc: Sidecar, opts: DownloadOptions): Promise<void> {
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have > 0 && sc.total !== null && have === sc.total) return; // already complete
  if (have > 0 && sc.total !== null && have > sc.total) {
    rmSync(part, { force: true });
    have = 0;
  }
  const headers: Record<string, string> = { 'user-agent': 'ge4rec', 'accept-encoding': 'identity' };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (sc.etag && !sc.etag.startsWith('W/')) headers['if-range'] = sc.etag;
  }
  const res = await request(url, headers, opts.signal, opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  const status = res.statusCode ?? 0;
  if (status >= 500 || status === 429) {
    res.resume();
    throw new RetryableError(`HTTP ${status} from ${url}`);
  }
  if (status === 416 && have > 0) {
    // our part is not a prefix the server can continue: start over
    res.resume();
    rmSync(part, { force: true });
    throw new RetryableError(`HTTP 416 for range ${have}- of ${url}; restarting`);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new UserError(`Download of ${url} failed: HTTP ${status} ${res.statusMessage ?? ''}`.trim(), 'check the URL (--mirror, GE4REC_MIRROR)');
  }
  if (opts.expectZip && /^text\/html\b/i.test(String(res.headers['content-type'] ?? ''))) {
    res.destroy();
    throw new UserError(`${url}: the server answered with an HTML page, not the zip archive; nothing was kept`, 'check the URL (--mirror, GE4REC_MIRROR), then run the same command again');
  }
  let append = false;
  let total: number | null = null;
  const etag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== have) {
      res.resume();
      rmSync(part, { force: true });
      throw new RetryableError(`server answered range ${have}- with Content-Range "${res.headers['content-range']}"; restarting`);
    }
    append = true;
    total = m[3] === '*' ? null : Number(m[3]);
  } else {
    const len = Number(res.headers['content-length']);
    total = Number.isFinite(len) && res.headers['content-length'] !== undefined ? len : null;
    have = 0; // server ignored the range (or none was asked): start from zero
  }
  if (total !== null && opts.expectedBytes !== undefined && total !== opts.expectedBytes) {
    res.resume();
    throw new UserError(`${url}: server reports ${total} bytes, expected ${opts.expectedBytes}`);
  }
  sc.total = total ?? sc.total;
  sc.etag = etag ?? sc.etag;
  writeJsonAtomic(side, sc);
  let got = have;
  const idleMs = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  let idle: NodeJS.Timeout | undefined;
  // synchronous writes: every byte counted is on disk when this returns, even if the connection dies
  const fd = openSync(part, append ? 'a' : 'w');
  try {
    await new Promise<void>((resolveP, rejectP) => {
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          rejectP(new RetryableError(`no data for ${idleMs / 1000} s after ${got} bytes (idle timeout)`));
          res.destroy();
        }, idleMs);
      };
      arm();
      res.on('data', (chunk: Buffer) => {
        arm();
        try {
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        } catch (e) {
          res.destroy();
          const code = (e as NodeJS.ErrnoException).code;
          rejectP(new UserError(`Cannot write ${part}: ${code === 'ENOSPC' ? 'the disk is full' : (e as Error).message}`, 'free some space and run the same command again: the download resumes'));
          return;
        }
        got += chunk.length;
        opts.onProgress?.(got, sc.total ?? 0);
      });
      res.on('end', () => resolveP());
      res.on('aborted', () => rejectP(new RetryableError(`connection lost after ${got} bytes`)));
      res.on('error', (e) => rejectP(new RetryableError(`connection lost after ${got} bytes (${e.message})`)));
      res.on('close', () => {
        if (!res.complete) rejectP(new RetryableError(`connection closed after ${got} bytes`));
      });
    });
  } finally {
    clearTimeout(idle);
    closeSync(fd);
  }
  if (!res.complete) throw new RetryableError(`connection closed after ${got} bytes`);
}

/** GET with redirects; no response headers within `connectMs` is a RetryableError (and the socket is closed). */
function request(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, connectMs: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!mod) return reject(new UserError(`Unsupported URL scheme in ${url} (use http:// or https://)`));
    const timer = setTimeout(() => {
      reject(new RetryableError(`no answer from ${u.host} within ${connectMs / 1000} s (connect timeout)`));
      req.destroy();
    }, connectMs);
    const req = mod.get(u, { headers, signal }, (res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= 10) return reject(new UserError(`Too many redirects from ${url}`));
        const next = new URL(res.headers.location, u).toString();
        request(next, headers, signal, connectMs, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(signal?.aborted ? e : new RetryableError(`${e.message}`));
    });
  });
}
