// `npm run install:cuda`: puts onnxruntime's CUDA provider where onnxruntime-node loads it (provider.ts), from the npm
// registry alone: the package com.github.asus4.onnxruntime.linux-x64-gpu (MIT; Microsoft's release binaries
// repackaged) holds the CUDA 13 build of the provider for one onnxruntime version. It is fetched only when asked
// (`npm pack` into an ignored folder), never as a dependency that every `npm ci` downloads: it is 180 MB.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_LIBRARY, holdsVersion, PROVIDER_LIBRARIES, type OrtPackage } from './provider.js';

/** onnxruntime version → the registry package holding its CUDA 13 provider, and the provider's folder inside it. */
export const REGISTRY_PROVIDERS: Record<string, { spec: string; dir: string }> = {
  '1.29.0': { spec: 'com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9', dir: 'package/Plugins/Linux/x64' },
};

export function registryProvider(version: string): { spec: string; dir: string } {
  const p = REGISTRY_PROVIDERS[version];
  if (!p)
    throw new Error(
      `no npm registry package holds the CUDA provider of onnxruntime ${version} (onnxruntime-node's version); ` +
        `known: ${Object.keys(REGISTRY_PROVIDERS).join(', ')}. Use \`npm run install:cuda -- --from nuget\` (CUDA 12, network to nuget.org)`,
    );
  return p;
}

/** `npm pack <spec>` into `dest`; returns the tarball's path (npm checks it against the registry's integrity). */
export function npmPack(spec: string, dest: string, npm: string[] = npmCommand()): string {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(npm[0], [...npm.slice(1), 'pack', spec, '--pack-destination', dest, '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  return join(dest, info[0].filename);
}

/** npm as `npm run` started us (npm_execpath), else the `npm` on PATH. */
function npmCommand(): string[] {
  const p = process.env.npm_execpath;
  return p && p.endsWith('.js') ? [process.execPath, p] : ['npm'];
}

/** Extracts the provider libraries from a package tarball into `dir`; returns their paths. */
export function extractProvider(tarball: string, inner: string, dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const members = PROVIDER_LIBRARIES.map((f) => `${inner}/${f}`);
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir, ...members], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`${tarball}: could not extract ${members.join(', ')} (${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()})`);
  }
  return PROVIDER_LIBRARIES.map((f) => join(dir, inner, f));
}

/**
 * Checks that the provider libraries in `from` are onnxruntime `pkg.version` (as the core library beside the binding
 * is), then copies them into `pkg.binDir`, each written beside and renamed so a reader never sees half a file.
 */
export function placeProvider(from: string[], pkg: OrtPackage): string[] {
  const core = join(pkg.binDir, CORE_LIBRARY);
  if (!existsSync(core)) throw new Error(`${core}: onnxruntime-node's core library is missing (run \`npm ci\`)`);
  if (!holdsVersion(core, pkg.version)) throw new Error(`${core} is not onnxruntime ${pkg.version} (onnxruntime-node's package.json says so)`);
  for (const f of from) {
    if (!existsSync(f)) throw new Error(`${f}: missing from the provider package`);
    if (f.endsWith('_cuda.so') && !holdsVersion(f, pkg.version))
      throw new Error(`${f} is not onnxruntime ${pkg.version}: a provider of another version does not load into onnxruntime-node ${pkg.version}`);
  }
  const placed: string[] = [];
  for (const f of from) {
    const name = f.slice(f.lastIndexOf('/') + 1);
    const dest = join(pkg.binDir, name);
    const tmp = `${dest}.tmp-${process.pid}`;
    copyFileSync(f, tmp);
    renameSync(tmp, dest);
    placed.push(dest);
  }
  return placed;
}
