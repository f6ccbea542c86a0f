// The device bundle's pieces and their reassembly, with the real scripts on a small fake bundle: device-bundle.sh
// splits, device-check.sh keeps the pieces as they arrive one call at a time, checks every checksum, unpacks ge4rec
// and puts the provider beside onnxruntime's core library; a changed or missing piece stops it with a clear message.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const sh = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync('bash', [join('scripts', script), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

/** A fake .device/cache: an "app" tarball shaped like ge4rec's, a "provider", a "node". */
function fakeCache(root: string): { src: string; provider: Buffer } {
  const src = join(root, 'device');
  const cache = join(src, 'cache');
  const app = join(root, 'stage', 'app');
  mkdirSync(join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64'), { recursive: true });
  mkdirSync(join(app, 'bin'), { recursive: true });
  writeFileSync(join(app, 'bin', 'run.js'), 'console.log("ge4rec")\n');
  mkdirSync(cache, { recursive: true });
  execFileSync('bash', ['-c', `tar -C "${join(root, 'stage')}" -cf - app | xz -1 > "${join(cache, 'app.tar.xz')}"`]);
  // Incompressible, so that it spreads over several pieces.
  const provider = randomBytes(300_000);
  writeFileSync(join(root, 'provider.so'), provider);
  execFileSync('bash', ['-c', `xz -1 -c "${join(root, 'provider.so')}" > "${join(cache, 'provider.so.xz')}"`]);
  execFileSync('bash', ['-c', `printf '#!/bin/sh\\necho v20.99.0\\n' | xz -1 > "${join(cache, 'node-20.20.2.xz')}"`]);
  return { src, provider };
}

test('pieces: split at PIECE_SIZE, carried one folder per call, reassembled and unpacked after checksums', () => {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-bundle-'));
  try {
    const { src, provider } = fakeCache(root);
    const b = sh('device-bundle.sh', ['--pieces-only'], { GE4REC_DEVICE_SRC: src, PIECE_SIZE: '128K' });
    assert.equal(b.status, 0, b.stderr);
    const pieces = readdirSync(src).filter((d) => /^p\d+$/.test(d)).sort();
    assert.deepEqual(pieces, ['p1', 'p2', 'p3']);
    for (const p of pieces) {
      const files = readdirSync(join(src, p)).sort();
      assert.equal(files.length, 3, `${p}: ${files.join(', ')}`);
      assert.equal(readFileSync(join(src, p, 'PIECES.count'), 'utf8').trim(), '3');
    }
    assert.deepEqual(readdirSync(join(src, 'node')).sort(), ['PIECES.count', 'PIECES.sha256', 'node.xz']);

    // The device machine: each call brings one folder; the pieces are kept between calls.
    const keep = join(root, 'keep');
    const out = join(root, 'out');
    const carried = join(root, 'carried');
    const call = (mode: string, folders: string[]) => {
      rmSync(carried, { recursive: true, force: true });
      mkdirSync(carried);
      for (const f of folders) execFileSync('cp', ['-r', join(src, f), join(carried, f)]);
      return sh('device-check.sh', [mode], { GE4REC_DEVICE_SRC: carried, GE4REC_DEVICE_DIR: keep, OUT: out });
    };
    const first = call('stash', ['p1']);
    assert.match(first.stderr, /pieces here: 1 of 3/);
    const early = call('unpack', ['p2']);
    assert.notEqual(early.status, 0);
    assert.match(early.stderr, /not every piece is here yet/);
    const last = call('unpack', ['p3']);
    assert.equal(last.status, 0, last.stderr);
    assert.match(last.stderr, /pieces here: 3 of 3/);
    const bin = join(keep, 'app', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
    assert.ok(readFileSync(join(bin, 'libonnxruntime_providers_cuda.so')).equals(provider));
    assert.equal(readFileSync(join(keep, 'app', 'bin', 'run.js'), 'utf8'), 'console.log("ge4rec")\n');
    assert.ok(existsSync(join(out, 'device-check.log')));

    // One changed byte in a kept piece: the checksum stops the reassembly.
    const piece = join(keep, 'pieces', 'p2', 'bundle.tar.01');
    const bytes = readFileSync(piece);
    bytes[1000] ^= 1;
    writeFileSync(piece, bytes);
    const bad = call('unpack', []);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /a piece's checksum differs/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
