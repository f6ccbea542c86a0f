// Where the CUDA libraries that onnxruntime's CUDA provider loads are on this machine. The dynamic loader only looks
// at LD_LIBRARY_PATH (read once, when the process starts), its cache and the system folders, while CUDA users have
// them in other places too: a CUDA toolkit under CUDA_HOME, or, for PyTorch users, the pip wheels' folders
// `site-packages/nvidia/<name>/lib` (`nvidia/cu13/lib` for the CUDA 13 wheels, `nvidia/cudnn/lib`, ...).
// `searchCudaLibraries` looks in all of them and says which folders the library path needs, or which library is
// missing and every place it looked.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { elfNeeded } from './elf.js';

export interface LibraryNeed {
  soname: string;
  /** What it is, for messages ("cuBLAS"). */
  what: string;
  /** The pip package that carries it, when there is one. */
  pip?: string;
  /** Part of the NVIDIA driver (libcuda.so.1): never in a CUDA toolkit or a wheel, only where a driver is installed. */
  driver?: boolean;
}

const KNOWN: { re: RegExp; what: string; pip?: (cudaMajor: number) => string; driver?: boolean }[] = [
  { re: /^libcuda\.so/, what: 'the NVIDIA driver', driver: true },
  { re: /^libcudart\.so/, what: 'CUDA runtime', pip: (m) => wheel('nvidia-cuda-runtime', m) },
  { re: /^libcublasLt\.so/, what: 'cuBLASLt', pip: (m) => wheel('nvidia-cublas', m) },
  { re: /^libcublas\.so/, what: 'cuBLAS', pip: (m) => wheel('nvidia-cublas', m) },
  { re: /^libcurand\.so/, what: 'cuRAND', pip: (m) => wheel('nvidia-curand', m) },
  { re: /^libcufft\.so/, what: 'cuFFT', pip: (m) => wheel('nvidia-cufft', m) },
  { re: /^libcudnn\.so/, what: 'cuDNN 9 (loaded when the provider starts)', pip: (m) => `nvidia-cudnn-cu${m}` },
  { re: /^libnvrtc\.so/, what: 'NVRTC', pip: (m) => wheel('nvidia-cuda-nvrtc', m) },
];

/** CUDA 13's wheels dropped the `-cu13` suffix that CUDA 12's carry (nvidia-cublas-cu12). */
function wheel(name: string, cudaMajor: number): string {
  return cudaMajor >= 13 ? name : `${name}-cu${cudaMajor}`;
}

/** The CUDA 13 registry provider's needs (libonnxruntime_providers_cuda.so of onnxruntime 1.29, read with elfNeeded). */
export const CUDA13_SONAMES = ['libcublasLt.so.13', 'libcublas.so.13', 'libcurand.so.10', 'libcudart.so.13', 'libcuda.so.1'];
/** Loaded with dlopen when the provider starts, so absent from its DT_NEEDED. */
const CUDNN = 'libcudnn.so.9';

/** The CUDA libraries a provider library needs: its own DT_NEEDED entries that are CUDA's, plus cuDNN 9. */
export function cudaNeeds(providerFile?: string): LibraryNeed[] {
  const sonames = providerFile && existsSync(providerFile) ? elfNeeded(providerFile) : CUDA13_SONAMES;
  const cudart = sonames.find((s) => s.startsWith('libcudart.so.'));
  const major = cudart ? Number(cudart.slice('libcudart.so.'.length)) : 13;
  const needs: LibraryNeed[] = [];
  for (const soname of [...sonames, CUDNN]) {
    const k = KNOWN.find((x) => x.re.test(soname));
    if (!k || needs.some((n) => n.soname === soname)) continue;
    needs.push({ soname, what: k.what, ...(k.pip ? { pip: k.pip(major) } : {}), ...(k.driver ? { driver: true } : {}) });
  }
  return needs;
}

export type PlaceKind = 'LD_LIBRARY_PATH' | 'system' | 'CUDA_HOME' | 'python' | 'cuda-default' | 'driver-default';

export interface SearchPlace {
  dir: string;
  kind: PlaceKind;
  /** Where the folder came from, for messages ("LD_LIBRARY_PATH", "python3 (/usr/bin/python3) site-packages"). */
  source: string;
}

export interface FoundLibrary {
  need: LibraryNeed;
  path: string;
  place: SearchPlace;
}

export interface CudaLibrarySearch {
  found: FoundLibrary[];
  missing: LibraryNeed[];
  /** Every folder looked in, in order (also those that did not exist). */
  places: SearchPlace[];
  /** Other things tried that are not folders (an environment variable that was unset, a python that failed). */
  notes: string[];
  /** Folders that must go onto LD_LIBRARY_PATH for the loader to find the found libraries (not already on it or in
   *  the loader's cache / system folders). */
  addToPath: string[];
}

export interface SearchOptions {
  env?: NodeJS.ProcessEnv;
  /** sonames the loader finds by itself (`ldconfig -p`); default: read from ldconfig. */
  ldconfigCache?: Map<string, string>;
  /** The loader's own default folders; default: the usual Linux ones. */
  systemDirs?: string[];
  /** Folders where CUDA toolkits and container drivers are by default; tests pass []. */
  defaultDirs?: { dir: string; kind: PlaceKind; source: string }[];
}

const SYSTEM_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
const DEFAULT_DIRS: { dir: string; kind: PlaceKind; source: string }[] = [
  { dir: '/usr/local/cuda/lib64', kind: 'cuda-default', source: 'the default CUDA toolkit folder' },
  { dir: '/usr/local/cuda/lib', kind: 'cuda-default', source: 'the default CUDA toolkit folder' },
  { dir: '/usr/local/cuda/targets/x86_64-linux/lib', kind: 'cuda-default', source: 'the default CUDA toolkit folder' },
  { dir: '/usr/local/nvidia/lib64', kind: 'driver-default', source: "NVIDIA containers' driver folder" },
  { dir: '/usr/local/nvidia/lib', kind: 'driver-default', source: "NVIDIA containers' driver folder" },
];

/** `ldconfig -p`: soname → path, for the sonames the loader finds without LD_LIBRARY_PATH. Empty when unavailable. */
export function readLdconfigCache(): Map<string, string> {
  const cache = new Map<string, string>();
  for (const exe of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    let out: string;
    try {
      out = execFileSync(exe, ['-p'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue;
    }
    for (const line of out.split('\n')) {
      const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line);
      // On x86-64 skip 32-bit entries (libc6 without x86-64) of the same soname.
      if (m && m[2].includes('x86-64') && !cache.has(m[1])) cache.set(m[1], m[3]);
    }
    break;
  }
  return cache;
}

const SITE_SCRIPT =
  'import json, site, sys\n' +
  'd = []\n' +
  'try: d += site.getsitepackages()\nexcept Exception: pass\n' +
  'try: d.append(site.getusersitepackages())\nexcept Exception: pass\n' +
  "d += [p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))]\n" +
  'print(json.dumps(d))\n';

/** Python interpreters to ask for their site-packages: the active virtualenv's / conda's, then python3 and python on PATH. */
function pythons(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const prefix of [env.VIRTUAL_ENV, env.CONDA_PREFIX]) if (prefix) out.push(join(prefix, 'bin', 'python3'), join(prefix, 'bin', 'python'));
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) for (const n of ['python3', 'python']) out.push(join(dir, n));
  const seen = new Set<string>();
  return out.filter((p) => {
    if (!isFile(p)) return false;
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      return false;
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function sitePackages(python: string, env: NodeJS.ProcessEnv, notes: string[]): string[] {
  try {
    const out = execFileSync(python, ['-c', SITE_SCRIPT], { encoding: 'utf8', timeout: 15_000, env, stdio: ['ignore', 'pipe', 'ignore'] });
    const dirs = JSON.parse(out.trim().split('\n').pop() ?? '[]') as unknown;
    if (!Array.isArray(dirs)) throw new Error('not a list');
    return [...new Set(dirs.filter((d): d is string => typeof d === 'string'))];
  } catch (e) {
    notes.push(`${python} did not list its site-packages (${(e as Error).message.split('\n')[0]})`);
    return [];
  }
}

/** The folders to look in, in the order the search prefers them. */
export function searchPlaces(o: SearchOptions = {}, notes: string[] = []): SearchPlace[] {
  const env = o.env ?? process.env;
  const places: SearchPlace[] = [];
  const add = (dir: string, kind: PlaceKind, source: string) => {
    if (!places.some((p) => p.dir === dir)) places.push({ dir, kind, source });
  };
  const ld = (env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean);
  if (ld.length === 0) notes.push('LD_LIBRARY_PATH is not set');
  for (const d of ld) add(d, 'LD_LIBRARY_PATH', 'LD_LIBRARY_PATH');
  const homes = (['CUDA_HOME', 'CUDA_PATH'] as const).filter((k) => env[k]);
  if (homes.length === 0) notes.push('CUDA_HOME is not set');
  for (const k of homes)
    for (const sub of ['lib64', 'lib', join('targets', 'x86_64-linux', 'lib')]) add(join(env[k] as string, sub), 'CUDA_HOME', k);
  const pys = pythons(env);
  if (pys.length === 0) notes.push('no python3 or python on PATH (nor VIRTUAL_ENV / CONDA_PREFIX)');
  for (const py of pys) {
    const without: string[] = [];
    for (const site of sitePackages(py, env, notes)) {
      const nv = join(site, 'nvidia');
      if (!isDir(nv)) {
        without.push(site);
        continue;
      }
      for (const name of readdirSync(nv).sort()) add(join(nv, name, 'lib'), 'python', `${py} site-packages`);
    }
    if (without.length > 0) notes.push(`${py}: no nvidia/ folder in ${without.join(', ')}`);
  }
  for (const d of o.defaultDirs ?? DEFAULT_DIRS) add(d.dir, d.kind, d.source);
  for (const d of o.systemDirs ?? SYSTEM_DIRS) add(d, 'system', "the system's library folders");
  return places;
}

/** Looks for every needed library; a library the loader's cache knows counts as found where the cache says. */
export function searchCudaLibraries(needs: LibraryNeed[], o: SearchOptions = {}): CudaLibrarySearch {
  const env = o.env ?? process.env;
  const notes: string[] = [];
  const places = searchPlaces(o, notes);
  const cache = o.ldconfigCache ?? readLdconfigCache();
  const cachePlace = (path: string): SearchPlace => ({ dir: path.slice(0, path.lastIndexOf('/')), kind: 'system', source: "the loader's cache (ldconfig -p)" });
  const found: FoundLibrary[] = [];
  const missing: LibraryNeed[] = [];
  for (const need of needs) {
    // LD_LIBRARY_PATH comes before the cache for the loader too.
    let hit: FoundLibrary | undefined;
    for (const place of places.filter((p) => p.kind === 'LD_LIBRARY_PATH')) {
      const p = join(place.dir, need.soname);
      if (existsSync(p)) {
        hit = { need, path: p, place };
        break;
      }
    }
    const cached = cache.get(need.soname);
    if (!hit && cached) hit = { need, path: cached, place: cachePlace(cached) };
    if (!hit)
      for (const place of places) {
        const p = join(place.dir, need.soname);
        if (existsSync(p)) {
          hit = { need, path: p, place };
          break;
        }
      }
    if (hit) found.push(hit);
    else missing.push(need);
  }
  const onPath = new Set((env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean));
  const addToPath: string[] = [];
  for (const f of found)
    if (f.place.kind !== 'system' && !onPath.has(f.place.dir) && !addToPath.includes(f.place.dir)) addToPath.push(f.place.dir);
  if (cache.size === 0) notes.push("the loader's cache could not be read (ldconfig -p)");
  return { found, missing, places, notes, addToPath };
}

/** The LD_LIBRARY_PATH that lets the loader find every found library (the given one, after the added folders). */
export function libraryPathWith(search: CudaLibrarySearch, current: string | undefined): string {
  return [...search.addToPath, ...(current ?? '').split(delimiter).filter(Boolean)].join(delimiter);
}

/** Names every missing library (with its pip package) and every place looked in. Empty when nothing is missing. */
export function describeMissing(search: CudaLibrarySearch): string {
  if (search.missing.length === 0) return '';
  const lines: string[] = [];
  const driver = search.missing.filter((n) => n.driver);
  const rest = search.missing.filter((n) => !n.driver);
  if (driver.length > 0)
    lines.push(
      `${driver.map((n) => n.soname).join(', ')} (${driver[0].what}) was not found: this machine has no NVIDIA driver, so no usable GPU ` +
        '(install the driver, or run with --device cpu)',
    );
  if (rest.length > 0) {
    lines.push(`CUDA libraries not found: ${rest.map((n) => `${n.soname} (${n.what}${n.pip ? `; pip package ${n.pip}` : ''})`).join(', ')}`);
    const pips = [...new Set(rest.map((n) => n.pip).filter(Boolean))];
    if (pips.length > 0)
      lines.push(`  install them with \`pip install ${pips.join(' ')}\` (PyTorch's CUDA builds bring them), or a CUDA toolkit with CUDA_HOME set`);
  }
  lines.push('  looked in:');
  const bySource = new Map<string, SearchPlace[]>();
  for (const p of search.places) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p]);
  for (const [source, ps] of bySource) lines.push(`    ${source}: ${ps.map((p) => `${p.dir}${isDir(p.dir) ? '' : ' (absent)'}`).join(', ')}`);
  lines.push(`    the loader's cache (ldconfig -p)`);
  for (const n of search.notes) lines.push(`    (${n})`);
  return lines.join('\n');
}
