// onnxruntime-node sessions for the compiled programs: CPU EP with one intra-op thread per core (sequential
// execution, full graph optimisation), or the CUDA EP on request. One session per program bytes, cached.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { UserError } from '../util/errors.js';
import { diagnoseCuda } from '../cuda/diagnose.js';

export type Device = 'cpu' | 'cuda';

export interface SessionOptions {
  device: Device;
  threads?: number;
  /** Profile every run into `<prefix>_<date>.json` (written when the session is released): which provider ran each node. */
  profilePrefix?: string;
}

const cache = new Map<string, Promise<ort.InferenceSession>>();
const refs = new Map<string, number>();

function key(bytes: Uint8Array, o: SessionOptions): string {
  return `${o.device}|${o.threads ?? 0}|${o.profilePrefix ?? ''}|${createHash('sha1').update(bytes).digest('hex')}`;
}

/**
 * The CUDA EP multiplies float32 matrices in TF32 by default (onnxruntime's `use_tf32`, which onnxruntime-node cannot
 * set): inputs rounded to 10 mantissa bits, where PyTorch (≥ 1.12) keeps float32 matmuls in full precision. cuBLAS and
 * cuDNN honour NVIDIA_TF32_OVERRIDE=0 over any setting of the application, read when they start, so it is set before
 * the first CUDA session unless the user set it (`ge4rec check-device` verifies the effect).
 */
export function disableTf32(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NVIDIA_TF32_OVERRIDE === undefined) env.NVIDIA_TF32_OVERRIDE = '0';
}

export function ortOptions(o: SessionOptions): ort.InferenceSession.SessionOptions {
  const threads = Math.max(1, o.threads ?? availableParallelism());
  // On the GPU, kernels that have a deterministic and a faster atomics-based variant take the deterministic one: the
  // same seed must give the same numbers there too. (The CUDA scatter-adds have none: the programs avoid them there,
  // EngineOptions.orderedRowSums.)
  const session: Record<string, unknown> = { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } };
  if (o.device === 'cuda') session.use_deterministic_compute = '1';
  return {
    executionProviders: o.device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    enableMemPattern: false, // shapes change with the batch ('B') and the unique-row count ('U')
    // No busy-waiting of idle intra-op threads: the host's gather and embedding update need those cores between runs.
    extra: { session },
    ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
  };
}

export async function createSession(bytes: Uint8Array, o: SessionOptions): Promise<ort.InferenceSession> {
  const k = key(bytes, o);
  let s = cache.get(k);
  if (!s) {
    if (o.device === 'cuda') disableTf32();
    s = ort.InferenceSession.create(bytes, ortOptions(o)).catch((e: unknown) => {
      cache.delete(k);
      const msg = e instanceof Error ? e.message : String(e);
      if (o.device === 'cuda') {
        const d = diagnoseCuda(msg);
        throw new UserError(d.message, d.hint);
      }
      throw e;
    });
    cache.set(k, s);
  }
  refs.set(k, (refs.get(k) ?? 0) + 1);
  return s;
}

/** One user fewer; the last one releases the session. */
export async function releaseSession(bytes: Uint8Array, o: SessionOptions): Promise<void> {
  const k = key(bytes, o);
  const s = cache.get(k);
  if (!s) return;
  const n = (refs.get(k) ?? 1) - 1;
  refs.set(k, n);
  if (n > 0) return;
  refs.delete(k);
  cache.delete(k);
  try {
    await (await s).release();
  } catch {
    // already released or never created
  }
}
