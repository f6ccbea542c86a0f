// Two facts about a device that a training run does not show by itself: which execution provider onnxruntime put
// each node on (it falls back to the CPU node by node, silently), and whether float32 matrix products keep full
// float32 precision there (the CUDA EP uses TF32 unless told otherwise, see session.ts). `ge4rec check-device` uses both.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Graph } from './graph.js';
import { toOnnx } from './onnx.js';
import * as ops from './ops.js';
import { createSession, releaseSession, type Device, type SessionOptions } from './session.js';

export const PROVIDER_OF: Record<Device, string> = { cpu: 'CPUExecutionProvider', cuda: 'CUDAExecutionProvider' };

/** Nodes that carry nearly all of a step's arithmetic: a device run must not leave them on the CPU. */
export const MATRIX_OPS = new Set(['MatMul', 'Gemm', 'FusedGemm', 'FusedMatMul']);

/** op type → provider → nodes, over every onnxruntime profile (`*.json`) in `dir`. */
export type Placement = Map<string, Map<string, number>>;

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; provider?: string };
}

export function readPlacement(dir: string): Placement {
  const placement: Placement = new Map();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) throw new Error(`no onnxruntime profile in ${dir}`);
  for (const f of files) {
    let events: ProfileEvent[];
    try {
      events = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProfileEvent[];
    } catch (e) {
      throw new Error(`${join(dir, f)}: not a complete onnxruntime profile (${(e as Error).message})`);
    }
    // One event per node and run; a node is counted once (its name repeats on every run).
    const seen = new Set<string>();
    for (const ev of events) {
      if (ev.cat !== 'Node' || !ev.name?.endsWith('_kernel_time') || !ev.args?.op_name || !ev.args.provider) continue;
      if (seen.has(ev.name)) continue;
      seen.add(ev.name);
      const byProvider = placement.get(ev.args.op_name) ?? new Map<string, number>();
      byProvider.set(ev.args.provider, (byProvider.get(ev.args.provider) ?? 0) + 1);
      placement.set(ev.args.op_name, byProvider);
    }
  }
  return placement;
}

/** Op types with at least one node away from `provider`, as "Op (n on Provider)". */
export function offDevice(placement: Placement, provider: string, only?: Set<string>): string[] {
  const out: string[] = [];
  for (const [op, byProvider] of [...placement].sort(([a], [b]) => a.localeCompare(b))) {
    if (only && !only.has(op)) continue;
    for (const [p, n] of byProvider) if (p !== provider) out.push(`${op} (${n} on ${p})`);
  }
  return out;
}

export interface Fp32Probe {
  ok: boolean;
  /** The entry of y = x · 1 (x: [8, 1024] of float32 1 + 2⁻¹², 1: [1024, 8]) farthest from `expected`. */
  value: number;
  /** 1024 · (1 + 2⁻¹²) = 1024.25: every partial sum is a float32, so any summation order gives it exactly. TF32 keeps
   * 10 mantissa bits, rounds x to 1 and gives 1024. */
  expected: number;
}

const K = 1024;

/** One [8, 1024] × [1024, 8] product on the device; it passes when the sum keeps x's float32 digits. */
export async function probeFp32Gemm(o: SessionOptions): Promise<Fp32Probe> {
  const g = new Graph();
  const x = g.input('x', [8, K]);
  const w = g.input('w', [K, 8]);
  const bytes = toOnnx(g, { outputs: { y: ops.matmul(x, w) } });
  const session = await createSession(bytes, o);
  try {
    const xv = 1 + 2 ** -12;
    const out = await session.run({
      x: new ort.Tensor('float32', new Float32Array(8 * K).fill(xv), [8, K]),
      w: new ort.Tensor('float32', new Float32Array(K * 8).fill(1), [K, 8]),
    });
    const y = out.y.data as Float32Array;
    const expected = K * xv;
    let value = y[0];
    for (const v of y) if (!(Math.abs(v - expected) <= Math.abs(value - expected))) value = v;
    return { ok: value === expected, value, expected };
  } finally {
    await releaseSession(bytes, o);
  }
}
