// Why the CUDA provider did not start, in words a user can act on: onnxruntime only says which library the loader
// could not open, and not where ge4rec looked for it or how to get it.
import { delimiter } from 'node:path';
import { cudaNeeds, describeMissing, searchCudaLibraries, type SearchOptions } from './libraries.js';
import { ortPackage, providerStatus, type OrtPackage } from './provider.js';

export const INSTALL_HINT =
  '`npm run install:cuda` installs the CUDA provider for CUDA 13 from the npm registry; on a CUDA 12 machine use ' +
  '`npm run install:cuda -- --from nuget` (needs network to nuget.org)';

export interface CudaDiagnosis {
  /** What is wrong, one line per cause. */
  message: string;
  /** What to do. */
  hint: string;
}

/** Explains a failed CUDA session from the installation, the library search and onnxruntime's own message. */
export function diagnoseCuda(ortMessage: string, o: SearchOptions & { pkg?: OrtPackage } = {}): CudaDiagnosis {
  const head = `--device cuda: onnxruntime could not start the CUDA execution provider (${ortMessage.trim()})`;
  let pkg: OrtPackage;
  try {
    pkg = o.pkg ?? ortPackage();
  } catch (e) {
    return { message: `${head}\nonnxruntime-node is not installed (${(e as Error).message})`, hint: 'run `npm ci`' };
  }
  const st = providerStatus(pkg);
  if (st.absent.length > 0)
    return {
      message: `${head}\nthe CUDA provider is not installed: ${st.absent.join(', ')} missing from ${pkg.binDir}`,
      hint: `${INSTALL_HINT}; then check with \`ge4rec check-device --device cuda\`, or run with --device cpu`,
    };
  if (st.wrongVersion.length > 0)
    return {
      message: `${head}\n${st.wrongVersion.join(', ')} in ${pkg.binDir} is not onnxruntime ${pkg.version} (onnxruntime-node's version): a provider loads only into its own version`,
      hint: `install the provider again: ${INSTALL_HINT}`,
    };
  const search = searchCudaLibraries(cudaNeeds(`${pkg.binDir}/libonnxruntime_providers_cuda.so`), o);
  const missing = describeMissing(search);
  if (missing)
    return {
      message: `${head}\n${missing}`,
      hint: search.missing.some((n) => n.driver)
        ? 'the CUDA provider needs an NVIDIA GPU with its driver; use --device cpu on this machine'
        : 'install the missing libraries (or point CUDA_HOME / LD_LIBRARY_PATH at them), then `ge4rec check-device --device cuda`',
    };
  const env = o.env ?? process.env;
  if (search.addToPath.length > 0) {
    const path = [...search.addToPath, ...(env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean)].join(delimiter);
    return {
      message: `${head}\nthe CUDA libraries are in ${search.addToPath.join(', ')}, where the loader does not look`,
      hint: `the \`ge4rec\` command adds them by itself; elsewhere (scripts, tests) run with LD_LIBRARY_PATH=${path}`,
    };
  }
  if (/no CUDA-capable device|cudaErrorNoDevice|CUDA driver version is insufficient|cudaErrorInsufficientDriver/i.test(ortMessage))
    return {
      message: `${head}\nthe CUDA libraries were found, but the driver reports no usable GPU`,
      hint: 'check `nvidia-smi`; the CUDA 13 provider needs a driver of the 580 series or newer; or run with --device cpu',
    };
  return {
    message: `${head}\nevery CUDA library it needs was found (${search.found.map((f) => f.path).join(', ')})`,
    hint: `see onnxruntime's message above; \`ge4rec check-device --device cuda\` checks the setup; ${INSTALL_HINT}`,
  };
}
