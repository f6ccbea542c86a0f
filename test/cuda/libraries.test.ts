// The CUDA library search on a fake folder tree: a PyTorch user's pip wheels, CUDA_HOME, the loader's cache, and the
// message that names what is missing and every place looked in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { elfNeeded } from '../../src/cuda/elf.js';
import { CUDA13_SONAMES, cudaNeeds, describeMissing, libraryPathWith, searchCudaLibraries } from '../../src/cuda/libraries.js';
import { planCudaLaunch, RELAUNCHED, wantsCuda } from '../../src/cuda/relaunch.js';
import { fakeCuda, fakeElf, touch } from './fake-cuda.js';

// No real system folders or cache: only the fake tree counts.
const isolated = { ldconfigCache: new Map<string, string>(), systemDirs: [] as string[], defaultDirs: [] };

test('elfNeeded reads DT_NEEDED: the onnxruntime binding needs the core library, node needs libc', () => {
  const binding = join('node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64', 'onnxruntime_binding.node');
  assert.ok(elfNeeded(binding).includes('libonnxruntime.so.1'));
  assert.ok(elfNeeded(process.execPath).some((s) => s.startsWith('libc.so')));
  const f = fakeCuda();
  writeFileSync(join(f.root, 'not-elf'), 'hello, world, this is not an ELF file at all............................');
  assert.throws(() => elfNeeded(join(f.root, 'not-elf')), /not an ELF file/);
  rmSync(f.root, { recursive: true });
});

test('cudaNeeds: the CUDA 13 sonames plus cuDNN 9, with CUDA 13 pip names; CUDA 12 names from a CUDA 12 provider', () => {
  const needs = cudaNeeds();
  assert.deepEqual(needs.map((n) => n.soname), [...CUDA13_SONAMES, 'libcudnn.so.9']);
  assert.equal(needs.find((n) => n.soname === 'libcublas.so.13')?.pip, 'nvidia-cublas');
  assert.equal(needs.find((n) => n.soname === 'libcudnn.so.9')?.pip, 'nvidia-cudnn-cu13');
  assert.equal(needs.find((n) => n.soname === 'libcuda.so.1')?.driver, true);
  const f = fakeCuda();
  try {
    const cuda12 = join(f.root, 'libonnxruntime_providers_cuda.so');
    writeFileSync(cuda12, fakeElf(['libcublasLt.so.12', 'libcublas.so.12', 'libcudart.so.12', 'libcuda.so.1', 'libstdc++.so.6']));
    const n12 = cudaNeeds(cuda12);
    assert.deepEqual(n12.map((n) => n.soname), ['libcublasLt.so.12', 'libcublas.so.12', 'libcudart.so.12', 'libcuda.so.1', 'libcudnn.so.9']);
    assert.equal(n12[0].pip, 'nvidia-cublas-cu12');
    assert.equal(n12[4].pip, 'nvidia-cudnn-cu12');
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test("a PyTorch user's wheels are found through python3's site-packages and go onto the library path", () => {
  const f = fakeCuda();
  try {
    const env = { PATH: f.bin, LD_LIBRARY_PATH: f.driver };
    const s = searchCudaLibraries(cudaNeeds(), { env, ...isolated });
    assert.deepEqual(s.missing, []);
    const at = Object.fromEntries(s.found.map((x) => [x.need.soname, x.path]));
    assert.equal(at['libcublasLt.so.13'], join(f.cu13, 'libcublasLt.so.13'));
    assert.equal(at['libcudnn.so.9'], join(f.cudnn, 'libcudnn.so.9'));
    assert.equal(at['libcuda.so.1'], join(f.driver, 'libcuda.so.1'));
    assert.match(s.found.find((x) => x.need.soname === 'libcudart.so.13')!.place.source, /python3 site-packages/);
    // The driver's folder is on LD_LIBRARY_PATH already: only the wheels' folders are added, before it.
    assert.deepEqual(s.addToPath, [f.cu13, f.cudnn]);
    assert.equal(libraryPathWith(s, env.LD_LIBRARY_PATH), [f.cu13, f.cudnn, f.driver].join(':'));
    assert.equal(describeMissing(s), '');
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('a missing library is named with its pip package, and every place looked in is listed', () => {
  const f = fakeCuda();
  try {
    rmSync(join(f.cu13, 'libcublasLt.so.13'));
    const s = searchCudaLibraries(cudaNeeds(), { env: { PATH: f.bin, LD_LIBRARY_PATH: f.driver }, ...isolated });
    assert.deepEqual(s.missing.map((n) => n.soname), ['libcublasLt.so.13']);
    const msg = describeMissing(s);
    assert.match(msg, /libcublasLt\.so\.13 \(cuBLASLt; pip package nvidia-cublas\)/);
    assert.match(msg, /pip install nvidia-cublas/);
    assert.ok(msg.includes(`LD_LIBRARY_PATH: ${f.driver}`), msg);
    assert.ok(msg.includes(f.cu13) && msg.includes(f.cudnn), msg);
    assert.match(msg, /CUDA_HOME is not set/);
    assert.ok(msg.includes(`no nvidia/ folder in ${join(f.root, 'user-site')}`), msg);
    assert.doesNotMatch(msg, /NVIDIA driver/);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('no libcuda.so.1 anywhere: the message says there is no NVIDIA driver, hence no GPU', () => {
  const f = fakeCuda();
  try {
    const s = searchCudaLibraries(cudaNeeds(), { env: { PATH: f.bin }, ...isolated });
    assert.deepEqual(s.missing.map((n) => n.soname), ['libcuda.so.1']);
    assert.match(describeMissing(s), /libcuda\.so\.1 \(the NVIDIA driver\) was not found: this machine has no NVIDIA driver, so no usable GPU/);
    assert.match(describeMissing(s), /LD_LIBRARY_PATH is not set/);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('CUDA_HOME/lib64 and the loader cache are searched; cached libraries need no path change', () => {
  const f = fakeCuda();
  try {
    const home = join(f.root, 'cuda-13.0');
    touch(join(home, 'lib64'), 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10');
    const cache = new Map([['libcuda.so.1', '/usr/lib/x86_64-linux-gnu/libcuda.so.1'], ['libcudnn.so.9', '/usr/lib/x86_64-linux-gnu/libcudnn.so.9']]);
    // No python on PATH: only CUDA_HOME and the cache.
    const s = searchCudaLibraries(cudaNeeds(), { env: { PATH: join(f.root, 'nothing'), CUDA_HOME: home }, ldconfigCache: cache, systemDirs: [], defaultDirs: [] });
    assert.deepEqual(s.missing, []);
    assert.deepEqual(s.addToPath, [join(home, 'lib64')]);
    assert.equal(s.found.find((x) => x.need.soname === 'libcuda.so.1')?.place.kind, 'system');
    assert.match(s.notes.join('\n'), /no python3 or python on PATH/);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('wantsCuda and planCudaLaunch: a relaunch environment only when folders must be added, never twice', () => {
  assert.equal(wantsCuda(['check-device', '--device', 'cuda']), true);
  assert.equal(wantsCuda(['reproduce', '--device=cuda']), true);
  assert.equal(wantsCuda(['reproduce', '--device', 'cpu', '--model', 'cuda']), false);
  const f = fakeCuda();
  try {
    const env = { PATH: f.bin, LD_LIBRARY_PATH: f.driver };
    const plan = planCudaLaunch(env, isolated, '');
    assert.equal(plan.env?.LD_LIBRARY_PATH, [f.cu13, f.cudnn, f.driver].join(':'));
    assert.equal(plan.env?.[RELAUNCHED], '1');
    assert.equal(planCudaLaunch({ ...env, [RELAUNCHED]: '1' }, isolated, '').env, undefined);
    // Everything already on the path: nothing to do.
    assert.equal(planCudaLaunch({ PATH: f.bin, LD_LIBRARY_PATH: [f.cu13, f.cudnn, f.driver].join(':') }, isolated, '').env, undefined);
  } finally {
    rmSync(f.root, { recursive: true });
  }
});

test('relaunchForCuda starts the command again with the wheels on LD_LIBRARY_PATH and returns its exit status', () => {
  const f = fakeCuda();
  try {
    const script = join(f.root, 'child.mts');
    const provider = join(f.root, 'libonnxruntime_providers_cuda.so');
    writeFileSync(provider, fakeElf(CUDA13_SONAMES));
    const relaunch = new URL('../../src/cuda/relaunch.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { relaunchForCuda } from ${JSON.stringify(relaunch)};\n` +
        `const s = await relaunchForCuda(['--device', 'cuda'], ${JSON.stringify(provider)});\n` +
        `if (s !== undefined) { console.log('parent got', s); process.exit(s); }\n` +
        `console.log('child LD_LIBRARY_PATH=' + process.env.LD_LIBRARY_PATH);\n` +
        `process.exit(7);\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      env: { PATH: f.bin, LD_LIBRARY_PATH: f.driver, HOME: process.env.HOME ?? '/tmp' },
    });
    assert.equal(r.status, 7, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], `child LD_LIBRARY_PATH=${[f.cu13, f.cudnn, f.driver].join(':')}`);
    assert.equal(lines[1], 'parent got 7');
    // Without a provider there is nothing to load: no relaunch.
    rmSync(provider);
    const none = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env: { PATH: f.bin, HOME: process.env.HOME ?? '/tmp' } });
    assert.equal(none.stdout.trim(), 'child LD_LIBRARY_PATH=undefined');
  } finally {
    rmSync(f.root, { recursive: true });
  }
});
