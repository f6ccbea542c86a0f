// `ge4rec check-device`: does a device train the models as the CPU does? Per model × paradigm, on small synthetic
// Criteo-like batches: one step's gradients (through the Adam first moments the step leaves) against a one-thread CPU
// reference, a few steps' losses and the predictions after them, the same run twice (bit for bit), and which provider
// each node ran on; for the device as a whole, whether float32 products keep float32 precision (TF32 would not), and
// the throughput at the paper's DCNv2 Criteo settings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch, FieldInfo } from '../data/types.js';
import type { EngineLike } from '../engine/api.js';
import type { Snapshot } from '../engine/engine.js';
import { MATRIX_OPS, PROVIDER_OF, offDevice, probeFp32Gemm, readPlacement } from '../engine/device-probe.js';
import type { Device } from '../engine/session.js';
import { defaultExperiment } from '../models/index.js';
import type { Paradigm } from '../models/config.js';
import { benchOne, syntheticBatches, type BenchRow } from './bench.js';
import { createEngine, engineOptions } from './wiring.js';

export type CheckName = 'fp32' | 'gradients' | 'trajectory' | 'determinism' | 'placement';

export interface CheckRow {
  check: CheckName;
  /** "DCNv2 gen", or "device" for the device-wide checks. */
  subject: string;
  ok: boolean;
  /** The figure the check is judged on (a relative error, or a count of differing values), null where none. */
  error: number | null;
  detail: string;
}

export interface DeviceCheckOptions {
  device: Device;
  models: string[];
  paradigms: Paradigm[];
  /** Training steps per run (the first one is the gradient check). */
  steps: number;
  batchSize: number;
  /** Largest relative L2 error of one step's gradients. */
  rtol: number;
  /** Largest relative error of the losses and of the final predictions. */
  trajectoryRtol: number;
  /** Timed steps of the throughput figures; 0 skips them. */
  benchSteps: number;
  threads?: number;
  seed: number;
  log?: (row: CheckRow) => void;
  /** The engines a pair is trained with (tests swap in a wrong reference to see the checks fail). */
  makeEngine?: (role: 'device' | 'reference' | 'repeat', model: string, paradigm: Paradigm, fields: FieldInfo[], profilePrefix?: string) => Promise<EngineLike>;
}

export interface DeviceCheckResult {
  device: Device;
  ok: boolean;
  rows: CheckRow[];
  throughput: BenchRow[];
}

/** ‖a − b‖₂ / ‖b‖₂; 0 when equal, Infinity for a non-finite value in a or b, or different lengths. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    d += (x - y) * (x - y);
    n += y * y;
  }
  if (!Number.isFinite(d) || !Number.isFinite(n)) return Infinity;
  if (d === 0) return 0;
  return n === 0 ? Infinity : Math.sqrt(d / n);
}

/** Values that differ bit for bit (NaN equals NaN here). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/** 13 numeric and 26 categorical fields, 9,968 rows: many repeats per batch, as the scatter of row gradients needs. */
export function checkFields(): FieldInfo[] {
  return [
    ...Array.from({ length: 13 }, (_, i): FieldInfo => ({ name: `I${i + 1}`, type: 'numeric' })),
    ...Array.from({ length: 26 }, (_, i): FieldInfo => ({ name: `C${i + 1}`, type: 'categorical', vocabSize: Math.max(8, Math.round(2000 * 0.8 ** i)) })),
  ];
}

/** Global rows of the embedding store that a batch touches (local index 0 is the padding row). */
function touchedRows(fields: FieldInfo[], b: Batch): number[] {
  const cats = fields.filter((f) => f.type === 'categorical');
  const offsets: number[] = [];
  let rows = 0;
  for (const f of cats) {
    offsets.push(rows);
    rows += f.vocabSize!;
  }
  const set = new Set<number>();
  for (let p = 0; p < b.cat.length; p++) if (b.cat[p] !== 0) set.add(offsets[p % cats.length] + b.cat[p]);
  return [...set].sort((x, y) => x - y);
}

function rowsOf(table: Float32Array, rows: number[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(table.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** Worst relative error over the step's loss, each dense tensor's Adam m and the touched embedding rows' Adam M. */
function gradientError(fields: FieldInfo[], b: Batch, lossD: number, lossR: number, d: Snapshot, r: Snapshot): { error: number; where: string; tensors: number; rows: number } {
  let error = relError([lossD], [lossR]);
  let where = 'loss';
  const worse = (e: number, name: string) => {
    if (e > error) {
      error = e;
      where = name;
    }
  };
  for (const [name, ref] of r.dense) {
    const got = d.dense.get(name);
    worse(got ? relError(got.m, ref.m) : Infinity, `${name} (Adam m)`);
  }
  let rows = 0;
  if (r.M && d.M && r.W) {
    const touched = touchedRows(fields, b);
    const total = fields.filter((f) => f.type === 'categorical').reduce((s, f) => s + f.vocabSize!, 0);
    const width = r.W.length / total;
    worse(relError(rowsOf(d.M, touched, width), rowsOf(r.M, touched, width)), 'embedding rows (Adam M)');
    rows = touched.length;
  }
  return { error, where, tensors: r.dense.size, rows };
}

/** Every array of a snapshot, in a fixed order, for the bit-for-bit comparison. */
function snapshotArrays(s: Snapshot): [string, ArrayLike<number>][] {
  const out: [string, ArrayLike<number>][] = [];
  for (const [name, t] of [...s.dense].sort(([a], [b]) => a.localeCompare(b))) out.push([`${name}.p`, t.p], [`${name}.m`, t.m], [`${name}.v`, t.v]);
  for (const [name, t] of [...s.states].sort(([a], [b]) => a.localeCompare(b))) out.push([name, t]);
  if (s.W && s.M && s.V) out.push(['embeddings', s.W], ['embeddings (Adam M)', s.M], ['embeddings (Adam V)', s.V]);
  return out;
}

async function trainRun(e: EngineLike, batches: Batch[], steps: number, held: Batch): Promise<{ losses: number[]; first: Snapshot; last: Snapshot; pred: Float32Array }> {
  const losses: number[] = [];
  let first: Snapshot | null = null;
  for (let i = 0; i < steps; i++) {
    losses.push((await e.trainStep(batches[i])).loss);
    if (i === 0) first = e.snapshot() as Snapshot;
  }
  return { losses, first: first!, last: e.snapshot() as Snapshot, pred: await e.predict(held) };
}

const fmt = (x: number | null) => (x === null ? '-' : x === 0 ? '0' : x.toExponential(1));

async function checkPair(model: string, paradigm: Paradigm, o: DeviceCheckOptions): Promise<CheckRow[]> {
  const subject = `${model} ${paradigm}`;
  const fields = checkFields();
  const batches = syntheticBatches(fields, o.batchSize, o.steps + 1, o.seed);
  const held = batches[o.steps];
  const make =
    o.makeEngine ??
    ((role: 'device' | 'reference' | 'repeat', m: string, p: Paradigm, f: FieldInfo[], profilePrefix?: string) => {
      const exp = defaultExperiment(m, 'criteo_x1', p);
      const device = role === 'reference' ? 'cpu' : o.device;
      const threads = role === 'reference' ? 1 : o.threads;
      return createEngine({ ...engineOptions(exp, f, o.seed, { device, embeddingOptimizer: 'dense', threads }), profilePrefix });
    });
  const profDir = mkdtempSync(join(tmpdir(), 'ge4rec-check-'));
  try {
    const runOn = async (role: 'device' | 'reference' | 'repeat') => {
      const e = await make(role, model, paradigm, fields, role === 'device' ? join(profDir, 'run') : undefined);
      try {
        return await trainRun(e, batches, o.steps, held);
      } finally {
        await e.dispose(); // writes the device run's profiles
      }
    };
    const dev = await runOn('device');
    const ref = await runOn('reference');
    const again = await runOn('repeat');
    const rows: CheckRow[] = [];

    const g = gradientError(fields, batches[0], dev.losses[0], ref.losses[0], dev.first, ref.first);
    rows.push({
      check: 'gradients', subject, ok: g.error <= o.rtol, error: g.error,
      detail: `step 1 against the CPU: loss, ${g.tensors} dense tensors, ${g.rows} embedding rows` + (g.error === 0 ? ', all equal' : `; worst: ${g.where}`),
    });

    const lossErr = Math.max(...dev.losses.map((l, i) => relError([l], [ref.losses[i]])));
    const predErr = relError(dev.pred, ref.pred);
    const tErr = Math.max(lossErr, predErr);
    rows.push({
      check: 'trajectory', subject, ok: tErr <= o.trajectoryRtol, error: tErr,
      detail: `${o.steps} steps' losses (worst ${fmt(lossErr)}) and the predictions after them (${fmt(predErr)}) against the CPU`,
    });

    let diff = differing(dev.losses, again.losses) + differing(dev.pred, again.pred);
    const where: string[] = [];
    const a = snapshotArrays(dev.last);
    const b = snapshotArrays(again.last);
    a.forEach(([name, arr], i) => {
      const n = b[i] && b[i][0] === name ? differing(arr, b[i][1]) : arr.length;
      if (n > 0) where.push(name);
      diff += n;
    });
    rows.push({
      check: 'determinism', subject, ok: diff === 0, error: diff,
      detail: diff === 0 ? 'two runs with one seed: losses, predictions and every parameter bit-identical' : `values that differ between two runs with one seed, in: ${[...where.slice(0, 4), ...(where.length > 4 ? ['…'] : [])].join(', ') || 'losses or predictions'}`,
    });

    const provider = PROVIDER_OF[o.device];
    const placement = readPlacement(profDir);
    const offMatrix = offDevice(placement, provider, MATRIX_OPS);
    const offOther = offDevice(placement, provider).filter((s) => !offMatrix.includes(s));
    const nodes = [...placement.values()].reduce((s, m) => s + [...m.values()].reduce((x, y) => x + y, 0), 0);
    rows.push({
      check: 'placement', subject, ok: offMatrix.length === 0, error: offMatrix.length,
      detail:
        offMatrix.length > 0
          ? `matrix products off ${provider}: ${offMatrix.join(', ')}`
          : `${nodes} nodes profiled; matrix products on ${provider}` + (offOther.length ? `; elsewhere: ${offOther.join(', ')}` : ''),
    });
    return rows;
  } finally {
    rmSync(profDir, { recursive: true, force: true });
  }
}

export async function checkDevice(o: DeviceCheckOptions): Promise<DeviceCheckResult> {
  if (!(o.steps >= 1)) throw new Error('checkDevice: steps must be ≥ 1');
  const rows: CheckRow[] = [];
  const add = (r: CheckRow) => {
    rows.push(r);
    o.log?.(r);
  };
  const fp = await probeFp32Gemm({ device: o.device, threads: o.threads });
  add({
    check: 'fp32', subject: 'device', ok: fp.ok, error: Math.abs(fp.value - fp.expected) / fp.expected,
    detail: `[8, 1024] · [1024, 8] of 1 + 2⁻¹² and ones: ${fp.value} (float32 gives ${fp.expected} in any summation order, TF32 1024)`,
  });
  for (const model of o.models) for (const p of o.paradigms) for (const r of await checkPair(model, p, o)) add(r);
  const throughput: BenchRow[] = [];
  if (o.benchSteps > 0) {
    for (const mode of ['lazy', 'dense'] as const) {
      const exp = defaultExperiment('DCNv2', 'criteo_x1', 'dis');
      throughput.push(
        await benchOne(exp, 'criteo_x1', {
          models: ['DCNv2'], datasets: ['criteo_x1'], steps: o.benchSteps, warmup: 2,
          engine: { device: o.device, embeddingOptimizer: mode, threads: o.threads },
        }),
      );
    }
  }
  return { device: o.device, ok: rows.every((r) => r.ok), rows, throughput };
}

export function formatCheckRow(r: CheckRow): string {
  return `${r.ok ? 'pass' : 'FAIL'}  ${r.check.padEnd(11)} ${r.subject.padEnd(15)} ${fmt(r.error).padStart(7)}  ${r.detail}`;
}
