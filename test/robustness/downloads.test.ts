// Class 4: downloads that cannot hang, a marker that never outlives its file, hints that work when followed, and
// messages about the user's own --source files that never say to download them. Against a 127.0.0.1 server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import yazl from 'yazl';
import { downloadFile } from '../../src/data/download.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { CRITEO_HEADER, criteoRow, tempDir } from '../data/helpers.js';

const csv = (rows: string[]) => Buffer.from([CRITEO_HEADER, ...rows].join('\n') + '\n');
const csvs = {
  'train.csv': csv(Array.from({ length: 50 }, (_, i) => criteoRow(i % 3 === 0 ? 1 : 0, { C1: String(i % 5) }))),
  'valid.csv': csv([criteoRow(0), criteoRow(1)]),
  'test.csv': csv([criteoRow(1)]),
};
const md5 = Object.fromEntries(Object.entries(csvs).map(([k, v]) => [k, createHash('md5').update(v).digest('hex')]));
let zip: Buffer;
const html = Buffer.from('<!DOCTYPE html><html><body>Sign in to continue</body></html>');
/** What each path serves: 'zip', 'html' (as application/zip), 'stall' (headers and a few bytes, then nothing), 'silent'. */
const mode = new Map<string, string>();
let server: http.Server;
const sockets = new Set<Socket>();
let base = '';

before(async () => {
  zip = await new Promise<Buffer>((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(csvs)) z.addBuffer(data, name);
    z.end();
    const parts: Buffer[] = [];
    z.outputStream.on('data', (d: Buffer) => parts.push(d));
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    z.outputStream.on('error', reject);
  });
  server = http.createServer((req, res) => {
    const m = mode.get((req.url ?? '').replace(/\/[^/]*$/, '')) ?? 'zip';
    if (m === 'silent') return; // accepts, never answers
    if (m === 'stall') {
      res.writeHead(200, { 'content-length': zip.length });
      res.write(zip.subarray(0, 10)); // then nothing more
      return;
    }
    const body = m === 'html' ? html : zip;
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/zip' }).end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  for (const s of sockets) s.destroy();
  server.close();
});

/** Rejects if `p` has not settled within `ms` (a hang), so the test stays bounded on code without timeouts. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`still hanging after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

test('a server that stalls mid-body, or never answers, ends in the retry error instead of hanging', { timeout: 20_000 }, async () => {
  const { dir, cleanup } = tempDir('rb-stall');
  try {
    mode.set('/stall', 'stall');
    mode.set('/silent', 'silent');
    const o = { retries: 1, baseDelayMs: 10, connectTimeoutMs: 300, idleTimeoutMs: 300 };
    await within(assert.rejects(downloadFile(`${base}/stall/x.zip`, join(dir, 'a.zip'), o), /failed after 2 attempt\(s\).*idle timeout/), 5000);
    await within(assert.rejects(downloadFile(`${base}/silent/x.zip`, join(dir, 'b.zip'), o), /failed after 2 attempt\(s\).*connect timeout/), 5000);
    assert.ok(existsSync(join(dir, 'a.zip.part')), 'the partial body is kept for resuming');
  } finally {
    for (const s of sockets) s.destroy();
    cleanup();
  }
});

test('an HTML page served as the zip is never marked downloaded; the printed hint works when followed', { timeout: 20_000 }, async () => {
  const { dir, cleanup } = tempDir('rb-html');
  try {
    mode.set('/m1', 'html');
    const o = { dataset: 'criteo_x1' as const, dataDir: dir, mirror: `${base}/m1`, checksums: { csvMd5: md5 }, retries: 0 };
    let hint = '';
    await within(assert.rejects(prepareDataset(o), (e: Error & { hint?: string }) => {
      assert.equal(e.name, 'UserError');
      assert.match(e.message, /Criteo_x1\.zip/);
      hint = e.hint ?? '';
      return true;
    }), 5000);
    const ds = join(dir, 'criteo_x1_7b681156');
    assert.ok(!existsSync(join(ds, '.done', 'download.json')), 'no download marker for an HTML page');
    // follow the hint (the file it names, if any, deleted), once the server is right again
    const named = /delete (\S+)/i.exec(hint);
    if (named) rmSync(named[1], { force: true });
    mode.set('/m1', 'zip');
    const s = await within(prepareDataset(o), 5000);
    assert.equal(s.rows.train, 50);
  } finally {
    cleanup();
  }
});

test('a marker never outlives its file: after an MD5 mismatch the rerun checks again instead of failing with ENOENT', { timeout: 20_000 }, async () => {
  const { dir, cleanup } = tempDir('rb-md5');
  try {
    const o = { dataset: 'criteo_x1' as const, dataDir: dir, mirror: `${base}/m2`, checksums: { csvMd5: { ...md5, 'valid.csv': '0'.repeat(32) } }, retries: 0 };
    await assert.rejects(prepareDataset(o), /Checksum mismatch .*valid\.csv/);
    await assert.rejects(prepareDataset(o), (e: Error) => e.name === 'UserError' && /Checksum mismatch .*valid\.csv/.test(e.message) && !/ENOENT/.test(e.message));
    // the extracted copy deleted by hand: the extract step runs again
    const s = await prepareDataset({ ...o, checksums: { csvMd5: md5 } });
    assert.equal(s.rows.valid, 2);
    rmSync(join(s.dir, 'train.csv'));
    const again = await prepareDataset({ ...o, checksums: { csvMd5: md5 } });
    assert.equal(again.rows.train, 50);
    assert.ok(existsSync(join(s.dir, 'train.csv')), 'extracted again');
  } finally {
    cleanup();
  }
});

test("messages about the user's own --source files never say to download them anew", async () => {
  const { dir, cleanup } = tempDir('rb-source');
  try {
    mkdirSync(join(dir, 'src'));
    for (const [n, b] of Object.entries(csvs)) writeFileSync(join(dir, 'src', n), b);
    const o = { dataset: 'criteo_x1' as const, dataDir: join(dir, 'data'), source: join(dir, 'src'), checksums: { csvMd5: { ...md5, 'test.csv': '1'.repeat(32) } } };
    await assert.rejects(prepareDataset(o), (e: Error & { hint?: string }) => {
      assert.match(e.message, /test\.csv/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /anew|download|fetch/i);
      assert.match(e.hint ?? '', /--source/);
      return true;
    });
    assert.ok(existsSync(join(dir, 'src', 'test.csv')), 'the user\'s file is never deleted');
    rmSync(join(dir, 'src', 'train.csv'));
    writeFileSync(join(dir, 'src', 'Criteo_x1.zip'), html);
    await assert.rejects(prepareDataset({ ...o, checksums: { csvMd5: md5 } }), (e: Error & { hint?: string }) => {
      assert.match(e.message, /Criteo_x1\.zip/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /anew|download it/i);
      return true;
    });
  } finally {
    cleanup();
  }
});
