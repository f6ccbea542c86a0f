// `npm run install:cuda [-- --from registry|nuget] [--tarball FILE]`: installs onnxruntime's CUDA execution provider
// where onnxruntime-node loads it, then says where the CUDA libraries it needs are (or which are missing).
//   --from registry (default): the CUDA 13 build from the npm registry (src/cuda/install.ts), for CUDA 13 machines
//                               (driver 580 or newer; PyTorch's cu13 wheels bring the libraries).
//   --from nuget:              onnxruntime-node's own installer, which downloads the CUDA 12 build from nuget.org.
//   --tarball FILE:            the registry package's tarball, already downloaded (`npm pack` elsewhere): no network.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cudaNeeds, describeMissing, searchCudaLibraries } from '../src/cuda/libraries.js';
import { extractProvider, npmPack, placeProvider, registryProvider } from '../src/cuda/install.js';
import { ortPackage, providerStatus } from '../src/cuda/provider.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i];
  const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
  if (v === undefined || v.startsWith('--')) fail(`--${name}: a value is needed`);
  return v;
};
function fail(msg: string): never {
  console.error(`install:cuda: ${msg}`);
  process.exit(1);
}
for (const a of args)
  if (a.startsWith('--') && !/^--(from|tarball)(=|$)/.test(a)) fail(`unknown option ${a} (options: --from registry|nuget, --tarball FILE)`);

const from = opt('from') ?? 'registry';
if (from !== 'registry' && from !== 'nuget') fail(`--from: expected registry or nuget, got '${from}'`);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the CUDA provider is for linux x64; this is ${process.platform} ${process.arch}`);

const pkg = ortPackage(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
try {
  if (from === 'nuget') {
    // onnxruntime-node's installer, told to install this platform's providers (linux x64: the CUDA 12 manifest). Not
    // `cuda12`: its flag parser returns nothing for that value, and inside a project's scripts it then exits 0 silently.
    console.log(`install:cuda: onnxruntime-node ${pkg.version}'s installer, CUDA 12 provider from nuget.org`);
    const r = spawnSync(process.execPath, [join(pkg.root, 'script', 'install.js')], {
      stdio: 'inherit',
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: '1' },
    });
    if (r.status !== 0) fail(`onnxruntime-node's installer failed (status ${r.status ?? r.signal}); it needs network to api.nuget.org`);
  } else {
    const p = registryProvider(pkg.version);
    const tarball = opt('tarball') ?? (console.log(`install:cuda: npm pack ${p.spec} (about 180 MB, once; npm caches it)`), npmPack(p.spec, join(root, '.cuda')));
    const libs = extractProvider(tarball, p.dir, join(root, '.cuda', 'extract'));
    for (const f of placeProvider(libs, pkg)) console.log(`install:cuda: ${f}`);
    rmSync(join(root, '.cuda'), { recursive: true, force: true }); // npm keeps the tarball in its cache
  }
} catch (e) {
  fail((e as Error).message);
}
const st = providerStatus(pkg);
if (st.absent.length > 0 || st.wrongVersion.length > 0)
  fail(`after installing, ${[...st.absent.map((f) => `${f} is missing`), ...st.wrongVersion.map((f) => `${f} is not ${pkg.version}`)].join('; ')}`);
console.log(`install:cuda: provider matches onnxruntime-node ${pkg.version}`);

const search = searchCudaLibraries(cudaNeeds(join(pkg.binDir, 'libonnxruntime_providers_cuda.so')));
for (const f of search.found) console.log(`  ${f.need.soname.padEnd(20)} ${f.path}  (${f.place.source})`);
const missing = describeMissing(search);
if (missing) console.log(`${missing}\n(install:cuda succeeded; --device cuda needs these at run time)`);
else if (search.addToPath.length > 0) console.log(`ge4rec adds ${search.addToPath.join(', ')} to LD_LIBRARY_PATH by itself with --device cuda`);
console.log('next: npx ge4rec check-device --device cuda');
