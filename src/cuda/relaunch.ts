// `--device cuda`: the dynamic loader reads LD_LIBRARY_PATH once, when a process starts, so setting it from inside
// ge4rec changes nothing for the CUDA provider loaded later. When the CUDA libraries are somewhere the loader does
// not look (a PyTorch user's site-packages, a CUDA_HOME off the path), ge4rec starts itself again with them on
// LD_LIBRARY_PATH; otherwise it goes on as it is, and a provider that fails to load is explained by
// `diagnoseCuda` (diagnose.ts).
import { spawn } from 'node:child_process';
import { cudaNeeds, libraryPathWith, searchCudaLibraries, type CudaLibrarySearch, type SearchOptions } from './libraries.js';
import { ortPackage } from './provider.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Set in the child: the search already ran, never start a third process. */
export const RELAUNCHED = 'GE4REC_CUDA_RELAUNCHED';

/** `--device cuda` / `--device=cuda` among a command's arguments. */
export function wantsCuda(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--device=cuda' || (a === '--device' && argv[i + 1] === 'cuda'));
}

export interface RelaunchPlan {
  search: CudaLibrarySearch;
  /** The environment to start again with; undefined when the loader already finds everything that was found. */
  env?: NodeJS.ProcessEnv;
}

/** Which CUDA libraries the installed provider needs, where they are, and whether the library path must change. */
export function planCudaLaunch(env: NodeJS.ProcessEnv = process.env, o: Omit<SearchOptions, 'env'> = {}, providerFile?: string): RelaunchPlan {
  let file = providerFile;
  if (file === undefined) {
    try {
      file = join(ortPackage().binDir, 'libonnxruntime_providers_cuda.so');
    } catch {
      file = undefined;
    }
  }
  const search = searchCudaLibraries(cudaNeeds(file), { ...o, env });
  if (search.addToPath.length === 0 || env[RELAUNCHED] === '1') return { search };
  return { search, env: { ...env, LD_LIBRARY_PATH: libraryPathWith(search, env.LD_LIBRARY_PATH), [RELAUNCHED]: '1' } };
}

/**
 * For bin/run.js: with `--device cuda` and CUDA libraries off the loader's path, runs this same command again in a
 * child process with them on LD_LIBRARY_PATH and resolves to its exit status; otherwise resolves to undefined (go on
 * in this process). Signals to this process are passed on to the child.
 */
export async function relaunchForCuda(argv: readonly string[] = process.argv.slice(2), providerFile?: string): Promise<number | undefined> {
  if (!wantsCuda(argv) || process.env[RELAUNCHED] === '1' || process.platform !== 'linux') return undefined;
  let file = providerFile;
  try {
    file ??= join(ortPackage().binDir, 'libonnxruntime_providers_cuda.so');
  } catch {
    return undefined;
  }
  // No provider: nothing to load; the session's error says how to install it (diagnose.ts).
  if (!existsSync(file)) return undefined;
  const plan = planCudaLaunch(process.env, {}, file);
  if (!plan.env) return undefined;
  if (process.env.GE4REC_DEBUG_CUDA) process.stderr.write(`ge4rec: LD_LIBRARY_PATH=${plan.env.LD_LIBRARY_PATH}\n`);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: plan.env });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  return await new Promise<number>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`ge4rec: could not start itself again with the CUDA libraries' path (${e.message})\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    });
  });
}
