// install:cuda's registry route on a fake package tarball and a fake onnxruntime-node folder: the provider is placed
// beside the core library only when both are onnxruntime-node's version; diagnoseCuda names what is wrong.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnoseCuda } from '../../src/cuda/diagnose.js';
import { extractProvider, placeProvider, registryProvider } from '../../src/cuda/install.js';
import { holdsVersion, ortPackage, providerStatus, type OrtPackage } from '../../src/cuda/provider.js';
import { fakeCuda, fakeElf } from './fake-cuda.js';

/** A library file carrying onnxruntime's version string the way the real ones do. */
const lib = (version: string, pad = 1000) => Buffer.concat([Buffer.alloc(pad, 0x41), Buffer.from(`\0${version}\0`, 'latin1'), Buffer.alloc(64, 0x42)]);

function fakeOrt(root: string, version: string): OrtPackage {
  const binDir = join(root, 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'libonnxruntime.so.1'), lib(version));
  return { root: join(root, 'onnxruntime-node'), version, binDir };
}

function fakeTarball(root: string, version: string): string {
  const dir = join(root, 'pkgsrc', 'package', 'Plugins', 'Linux', 'x64');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'libonnxruntime_providers_cuda.so'), Buffer.concat([fakeElf(['libcublas.so.13', 'libcudart.so.13', 'libcuda.so.1']), lib(version)]));
  writeFileSync(join(dir, 'libonnxruntime_providers_shared.so'), 'shared');
  writeFileSync(join(dir, 'libonnxruntime_providers_tensorrt.so'), 'tensorrt');
  const tgz = join(root, 'provider.tgz');
  execFileSync('tar', ['-czf', tgz, '-C', join(root, 'pkgsrc'), 'package']);
  return tgz;
}

test('holdsVersion finds the NUL-delimited version string, also across its 16 MiB read chunks', () => {
  const f = fakeCuda();
  try {
    const file = join(f.root, 'big.so');
    // The string straddles the first chunk boundary.
    writeFileSync(file, lib('1.29.0', (16 << 20) - 3));
    assert.equal(holdsVersion(file, '1.29.0'), true);
    assert.equal(holdsVersion(file, '1.30.0'), false);
    // Not NUL-delimited: "11.29.00" holds no "\01.29.0\0".
    writeFileSync(file, Buffer.from('\x0011.29.00\x00'));
    assert.equal(holdsVersion(file, '1.29.0'), false);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('the registry route: extract the two provider libraries and place them beside a core library of their version', () => {
  const f = fakeCuda();
  try {
    const pkg = fakeOrt(f.root, '1.29.0');
    assert.deepEqual(providerStatus(pkg).absent, ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
    const libs = extractProvider(fakeTarball(f.root, '1.29.0'), registryProvider('1.29.0').dir, join(f.root, 'extract'));
    const placed = placeProvider(libs, pkg);
    assert.deepEqual(placed.map((p) => p.slice(pkg.binDir.length + 1)).sort(), ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
    assert.equal(readFileSync(join(pkg.binDir, 'libonnxruntime_providers_shared.so'), 'utf8'), 'shared');
    // Nothing else (no TensorRT provider, no temporary files).
    assert.deepEqual(readdirSync(pkg.binDir).sort(), ['libonnxruntime.so.1', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so']);
    assert.deepEqual(providerStatus(pkg), { pkg, absent: [], wrongVersion: [] });
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('a provider of another onnxruntime version is refused and nothing is placed', () => {
  const f = fakeCuda();
  try {
    const pkg = fakeOrt(f.root, '1.30.0');
    const libs = extractProvider(fakeTarball(f.root, '1.29.0'), 'package/Plugins/Linux/x64', join(f.root, 'extract'));
    assert.throws(() => placeProvider(libs, pkg), /is not onnxruntime 1\.30\.0: a provider of another version does not load/);
    assert.equal(existsSync(join(pkg.binDir, 'libonnxruntime_providers_shared.so')), false);
    assert.throws(() => registryProvider('1.30.0'), /no npm registry package holds the CUDA provider of onnxruntime 1\.30\.0.*--from nuget/);
    assert.throws(() => extractProvider(join(f.root, 'missing.tgz'), 'package', join(f.root, 'x')), /could not extract/);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('diagnoseCuda: provider absent → install:cuda; libraries missing → each named; no driver → no GPU', () => {
  const f = fakeCuda();
  try {
    const pkg = fakeOrt(f.root, '1.29.0');
    const none = diagnoseCuda('Failed to load shared library', { pkg });
    assert.match(none.message, /the CUDA provider is not installed: libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so missing from/);
    assert.match(none.hint, /npm run install:cuda/);
    placeProvider(extractProvider(fakeTarball(f.root, '1.29.0'), 'package/Plugins/Linux/x64', join(f.root, 'extract')), pkg);
    const iso = { ldconfigCache: new Map<string, string>(), systemDirs: [] as string[], defaultDirs: [] };
    rmSync(join(f.cu13, 'libcublas.so.13'));
    const libs = diagnoseCuda('libcublas.so.13: cannot open shared object file', { pkg, env: { PATH: f.bin }, ...iso });
    // The fake provider needs cuBLAS, cudart and the driver (its DT_NEEDED), and cuDNN.
    assert.match(libs.message, /libcuda\.so\.1 \(the NVIDIA driver\) was not found: this machine has no NVIDIA driver, so no usable GPU/);
    assert.match(libs.message, /CUDA libraries not found: libcublas\.so\.13 \(cuBLAS; pip package nvidia-cublas\)$/m);
    assert.match(libs.hint, /needs an NVIDIA GPU with its driver/);
    writeFileSync(join(f.cu13, 'libcublas.so.13'), '');
    const path = diagnoseCuda('libcublas.so.13: cannot open shared object file', { pkg, env: { PATH: f.bin, LD_LIBRARY_PATH: f.driver }, ...iso });
    assert.match(path.message, /the CUDA libraries are in .*cu13\/lib, .*cudnn\/lib, where the loader does not look/);
    const gpu = diagnoseCuda('CUDA failure 100: no CUDA-capable device is detected', { pkg, env: { PATH: f.bin, LD_LIBRARY_PATH: [f.cu13, f.cudnn, f.driver].join(':') }, ...iso });
    assert.match(gpu.message, /the driver reports no usable GPU/);
    writeFileSync(join(pkg.binDir, 'libonnxruntime.so.1'), lib('1.28.0'));
    assert.match(diagnoseCuda('x', { pkg }).message, /^libonnxruntime\.so\.1 in .* is not onnxruntime 1\.29\.0/m);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('the installed onnxruntime-node is the pinned 1.29.0, the version the registry provider is built for', () => {
  const pkg = ortPackage(import.meta.url);
  assert.equal(pkg.version, '1.29.0');
  assert.equal(registryProvider(pkg.version).spec, 'com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9');
  const pinned = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies['onnxruntime-node'];
  assert.equal(pinned, '1.29.0');
});
