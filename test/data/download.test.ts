// Download, resume, retry, checksum and extraction against a local HTTP server serving small zips in the
// layout of the real releases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import yazl from 'yazl';
import { prepareDataset } from '../../src/data/prepare.js';
import { avazuRow, AVAZU_HEADER, criteoRow, CRITEO_HEADER, tempDir } from './helpers.js';

interface LogEntry {
  path: string;
  range: string | undefined;
  status: number;
  bytes: number;
}

type Behaviour = { kind: 'ok' } | { kind: 'cut'; after: number } | { kind: 'fail'; times: number } | { kind: 'truncate' };

const files = new Map<string, Buffer>();
const behaviour = new Map<string, Behaviour>();
const log: LogEntry[] = [];
let server: http.Server;
let base = '';

function csv(header: string, rows: string[]): Buffer {
  return Buffer.from([header, ...rows].join('\n') + '\n');
}

function makeZip(entries: Record<string, Buffer>, zip64: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) z.addBuffer(data, name, { forceZip64Format: zip64, compress: true });
    z.end({ forceZip64Format: zip64, comment: '' });
    const parts: Buffer[] = [];
    z.outputStream.on('data', (d: Buffer) => parts.push(d));
    z.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    z.outputStream.on('error', reject);
  });
}

const criteoCsvs = {
  'train.csv': csv(CRITEO_HEADER, Array.from({ length: 400 }, (_, i) => criteoRow(i % 3 === 0 ? 1 : 0, { C1: String(i % 11), I1: String(i / 400) }))),
  'valid.csv': csv(CRITEO_HEADER, [criteoRow(0, { C1: '3' }), criteoRow(1, { C1: '77' })]),
  'test.csv': csv(CRITEO_HEADER, [criteoRow(1, { C1: '4' })]),
};
const criteoMd5 = Object.fromEntries(Object.entries(criteoCsvs).map(([k, v]) => [k, createHash('md5').update(v).digest('hex')]));
const avazuCsvs = {
  'train.csv': csv(AVAZU_HEADER, Array.from({ length: 300 }, (_, i) => avazuRow(i % 5 === 0 ? 1 : 0, `141021${String(i % 24).padStart(2, '0')}`, { site_id: `s${i % 13}` }))),
  'valid.csv': csv(AVAZU_HEADER, [avazuRow(0, '14102900')]),
  'test.csv': csv(AVAZU_HEADER, [avazuRow(1, '14103000')]),
};

before(async () => {
  // the CSVs sit in a sub-folder in one archive and at the root in the other; both must be found
  files.set('/criteo/Criteo_x1.zip', await makeZip(Object.fromEntries(Object.entries(criteoCsvs).map(([k, v]) => [`Criteo_x1/${k}`, v])), false));
  files.set('/criteo64/Criteo_x1.zip', await makeZip(criteoCsvs, true));
  files.set('/avazu/Avazu_x4.zip', await makeZip(avazuCsvs, false));
  server = http.createServer((req, res) => {
    const path = req.url ?? '';
    const body = files.get(path.replace(/^\/([a-z0-9]+)-\d+\//, '/$1/'));
    const b = behaviour.get(path) ?? { kind: 'ok' };
    const entry: LogEntry = { path, range: req.headers.range, status: 200, bytes: 0 };
    log.push(entry);
    if (!body) {
      entry.status = 404;
      res.writeHead(404).end();
      return;
    }
    if (b.kind === 'fail' && b.times > 0) {
      b.times--;
      entry.status = 503;
      res.writeHead(503).end();
      return;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) start = Number(m[1]);
    const total = b.kind === 'truncate' ? Math.floor(body.length / 2) : body.length;
    const headers: Record<string, string | number> = { 'content-length': total - start, etag: '"v1"', 'accept-ranges': 'bytes' };
    if (m) {
      entry.status = 206;
      headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
    }
    res.writeHead(entry.status, headers);
    if (b.kind === 'cut' && !m) {
      // send part of the body, then kill the connection
      behaviour.set(path, { kind: 'ok' });
      res.write(body.subarray(0, b.after), () => {
        entry.bytes = b.after;
        res.destroy();
      });
      return;
    }
    entry.bytes = total - start;
    res.end(body.subarray(start, total));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

function entriesFor(prefix: string): LogEntry[] {
  return log.filter((e) => e.path.startsWith(prefix));
}

test('clean download via --mirror, extraction from a sub-folder, MD5 check of the CSVs', async () => {
  const { dir, cleanup } = tempDir('dl-clean');
  try {
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: dir, mirror: `${base}/criteo/`, checksums: { csvMd5: criteoMd5 } });
    assert.deepEqual(s.rows, { train: 400, valid: 2, test: 1 });
    assert.ok(existsSync(join(s.dir, 'Criteo_x1.zip')));
    assert.ok(existsSync(join(s.dir, 'train.csv')));
    assert.equal(s.fields.find((f) => f.name === 'C1')!.vocabSize, 13);
  } finally {
    cleanup();
  }
});

test('ZIP64 archive is extracted', async () => {
  const { dir, cleanup } = tempDir('dl-zip64');
  try {
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: dir, mirror: `${base}/criteo64`, checksums: { csvMd5: criteoMd5 } });
    assert.equal(s.rows.train, 400);
  } finally {
    cleanup();
  }
});

test('GE4REC_MIRROR env, download killed midway, then resumed with Range fetching only the rest', async () => {
  const { dir, cleanup } = tempDir('dl-resume');
  const path = '/avazu-1/Avazu_x4.zip';
  const zip = files.get('/avazu/Avazu_x4.zip')!;
  const sha = createHash('sha256').update(zip).digest('hex');
  const cut = Math.floor(zip.length / 2);
  behaviour.set(path, { kind: 'cut', after: cut });
  process.env.GE4REC_MIRROR = `${base}/avazu-1`;
  try {
    const opts = { dataset: 'avazu_x4' as const, dataDir: dir, checksums: { zipSha256: sha, zipBytes: zip.length }, retries: 0 };
    await assert.rejects(prepareDataset(opts), /failed after 1 attempt/);
    const ds = join(dir, 'avazu_x4_3bbbc4c9');
    assert.ok(!existsSync(join(ds, 'Avazu_x4.zip')), 'a partial download must not look whole');
    // bytes in flight when the server reset the connection may be lost: the part holds at most `cut`
    const have = statSync(join(ds, 'Avazu_x4.zip.part')).size;
    assert.ok(have > 0 && have <= cut, `part holds ${have} bytes`);
    const s = await prepareDataset(opts);
    assert.equal(s.rows.train, 300);
    const reqs = entriesFor(path);
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0].range, undefined);
    assert.equal(reqs[1].range, `bytes=${have}-`);
    assert.equal(reqs[1].status, 206);
    assert.equal(reqs[1].bytes, zip.length - have);
    assert.ok(!existsSync(join(ds, 'Avazu_x4.zip.part')));
  } finally {
    delete process.env.GE4REC_MIRROR;
    cleanup();
  }
});

test('a server that fails twice (503) then succeeds', async () => {
  const { dir, cleanup } = tempDir('dl-retry');
  const path = '/criteo-2/Criteo_x1.zip';
  behaviour.set(path, { kind: 'fail', times: 2 });
  try {
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: dir, mirror: `${base}/criteo-2`, checksums: { csvMd5: criteoMd5 }, retryBaseMs: 5 });
    assert.equal(s.rows.train, 400);
    assert.deepEqual(entriesFor(path).map((e) => e.status), [503, 503, 200]);
  } finally {
    cleanup();
  }
});

test('wrong SHA-256: clear error naming the file and both digests, nothing left looking whole', async () => {
  const { dir, cleanup } = tempDir('dl-sha');
  const wrong = 'ab'.repeat(32);
  try {
    await assert.rejects(
      prepareDataset({ dataset: 'avazu_x4', dataDir: dir, mirror: `${base}/avazu`, checksums: { zipSha256: wrong, zipBytes: null } }),
      (e: Error) => {
        assert.equal(e.name, 'UserError');
        const actual = createHash('sha256').update(files.get('/avazu/Avazu_x4.zip')!).digest('hex');
        assert.ok(e.message.includes('Avazu_x4.zip'), e.message);
        assert.ok(e.message.includes(wrong) && e.message.includes(actual), e.message);
        return true;
      },
    );
    const ds = join(dir, 'avazu_x4_3bbbc4c9');
    assert.deepEqual(readdirSync(ds).filter((f) => !f.startsWith('.')), []);
  } finally {
    cleanup();
  }
});

test('wrong MD5 of an extracted CSV is reported and the CSV removed', async () => {
  const { dir, cleanup } = tempDir('dl-md5');
  try {
    const bad = { ...criteoMd5, 'valid.csv': '0'.repeat(32) };
    await assert.rejects(prepareDataset({ dataset: 'criteo_x1', dataDir: dir, mirror: `${base}/criteo`, checksums: { csvMd5: bad } }), (e: Error) => {
      assert.match(e.message, /valid\.csv: md5 is [0-9a-f]{32}, expected 0{32}/);
      return true;
    });
    assert.ok(!existsSync(join(dir, 'criteo_x1_7b681156', 'valid.csv')));
    assert.ok(!existsSync(join(dir, 'criteo_x1_7b681156', '.done', 'encode.json')));
  } finally {
    cleanup();
  }
});

test('a truncated archive is a clear error and leaves no CSV behind', async () => {
  const { dir, cleanup } = tempDir('dl-trunc');
  const path = '/criteo-3/Criteo_x1.zip';
  behaviour.set(path, { kind: 'truncate' });
  try {
    await assert.rejects(prepareDataset({ dataset: 'criteo_x1', dataDir: dir, mirror: `${base}/criteo-3`, checksums: { csvMd5: criteoMd5 } }), (e: Error) => {
      assert.equal(e.name, 'UserError');
      assert.match(e.message, /Criteo_x1\.zip.*(zip|extract)/);
      return true;
    });
    const ds = join(dir, 'criteo_x1_7b681156');
    assert.deepEqual(readdirSync(ds).filter((f) => f.endsWith('.csv') || f.includes('.tmp')), []);
  } finally {
    cleanup();
  }
});

test('--source DIR with the release zip: no network, same result', async () => {
  const { dir, cleanup } = tempDir('src-zip');
  try {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'dl'));
    writeFileSync(join(dir, 'dl', 'Criteo_x1.zip'), files.get('/criteo64/Criteo_x1.zip')!);
    const before = log.length;
    const s = await prepareDataset({ dataset: 'criteo_x1', dataDir: join(dir, 'data'), source: join(dir, 'dl'), checksums: { csvMd5: criteoMd5 } });
    assert.equal(s.rows.train, 400);
    assert.equal(log.length, before);
  } finally {
    cleanup();
  }
});
