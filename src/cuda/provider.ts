// onnxruntime's CUDA execution provider as onnxruntime-node loads it: two shared libraries in the folder of the core
// library (libonnxruntime.so.1, beside the node binding in onnxruntime-node's bin/napi-v6/<platform>/<arch>), where
// onnxruntime-node's own NuGet installer puts them too. A provider only loads into a core library of exactly its
// version, so both are checked for the version string onnxruntime compiles into them.
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const PROVIDER_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'] as const;
export const CORE_LIBRARY = 'libonnxruntime.so.1';

export interface OrtPackage {
  /** onnxruntime-node's package folder. */
  root: string;
  version: string;
  /** Where the binding, the core library and the providers are. */
  binDir: string;
}

/** onnxruntime-node as this program resolves it. */
export function ortPackage(from: string = import.meta.url): OrtPackage {
  const pkgJson = createRequire(from).resolve('onnxruntime-node/package.json');
  const root = dirname(pkgJson);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { root, version, binDir: join(root, 'bin', 'napi-v6', process.platform, process.arch) };
}

/** True when `file` holds `version` as a NUL-terminated string (how onnxruntime's ORT_VERSION is stored). Reads the
 *  file in chunks: the CUDA provider is 230 MB. */
export function holdsVersion(file: string, version: string): boolean {
  const needle = Buffer.from(`\0${version}\0`, 'latin1');
  const chunk = 16 << 20;
  const buf = Buffer.alloc(chunk + needle.length);
  const fd = openSync(file, 'r');
  try {
    let pos = 0;
    let carry = 0;
    for (;;) {
      const n = readSync(fd, buf, carry, chunk, pos);
      if (n === 0) return false;
      const len = carry + n;
      if (buf.subarray(0, len).indexOf(needle) >= 0) return true;
      pos += n;
      carry = Math.min(needle.length - 1, len);
      buf.copy(buf, 0, len - carry, len);
    }
  } finally {
    closeSync(fd);
  }
}

export interface ProviderStatus {
  pkg: OrtPackage;
  /** Provider libraries absent from binDir. */
  absent: string[];
  /** Libraries present that do not hold onnxruntime-node's version (the core library included). */
  wrongVersion: string[];
}

export function providerStatus(pkg: OrtPackage = ortPackage()): ProviderStatus {
  const absent = PROVIDER_LIBRARIES.filter((f) => !existsSync(join(pkg.binDir, f)));
  const wrongVersion = [CORE_LIBRARY, ...PROVIDER_LIBRARIES.filter((f) => f.endsWith('_cuda.so'))]
    .filter((f) => existsSync(join(pkg.binDir, f)))
    .filter((f) => !holdsVersion(join(pkg.binDir, f), pkg.version));
  return { pkg, absent, wrongVersion };
}
