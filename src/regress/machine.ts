// Which CPU kernels produced a baseline's numbers. onnxruntime's CPU matrix products pick a kernel by instruction
// set (AVX-512F, AVX2 with FMA, AVX, SSE on x64; NEON on arm64), and each kernel sums in its own order, so the same
// seed and thread count give the same bits only on a CPU of the same kernel class and the same onnxruntime.
import { cpus } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

export interface MachineInfo {
  cpu: string;
  /** "x64-avx512f", "x64-avx2", "arm64", ...: the kernel class of the float32 matrix products. */
  kernels: string;
  onnxruntime: string;
  node: string;
}

/** The x64 instruction-set level onnxruntime's float32 GEMM dispatches on, from /proc/cpuinfo's flags. */
export function kernelClass(arch: string, flags: Set<string> | null): string {
  if (arch !== 'x64' || !flags) return arch;
  if (flags.has('avx512f')) return 'x64-avx512f';
  if (flags.has('avx2') && flags.has('fma')) return 'x64-avx2';
  if (flags.has('avx')) return 'x64-avx';
  return 'x64-sse';
}

function cpuFlags(): Set<string> | null {
  if (!existsSync('/proc/cpuinfo')) return null;
  const line = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return line ? new Set(line[1].split(/\s+/)) : null;
}

export function thisMachine(): MachineInfo {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    kernels: kernelClass(process.arch, cpuFlags()),
    onnxruntime: ort.env.versions.common ?? 'unknown',
    node: process.version,
  };
}

/** Why a CPU baseline cannot be compared bit for bit here (other kernels or another onnxruntime), or null. */
export function inexactBecause(recorded: Partial<MachineInfo>, here: MachineInfo): string | null {
  const why: string[] = [];
  if (recorded.kernels !== here.kernels) why.push(`its kernels are ${recorded.kernels ?? 'unrecorded'}, here ${here.kernels}`);
  if (recorded.onnxruntime !== here.onnxruntime) why.push(`its onnxruntime is ${recorded.onnxruntime ?? 'unrecorded'}, here ${here.onnxruntime}`);
  return why.length ? why.join('; ') : null;
}
