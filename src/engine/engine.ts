// The Engine the trainer drives: compiled ONNX programs on onnxruntime-node, dense parameters and their Adam
// moments fed in and out of the train program (output tensors become the next step's inputs, no copies), and
// the embedding tables on the host (EmbeddingStore).
import * as ort from 'onnxruntime-node';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Batch } from '../data/types.js';
import type { EngineLike, EngineOptions, EngineStats, RecordedTensor } from './api.js';
import { compileModel, buildExport, LABEL, OUT, SCALAR, type Programs } from './compile.js';
import { INPUT, treeInput, type HostFloat } from './context.js';
import { TreePlanner } from './row-sum-tree.js';
import { readOnnxInitializers } from './onnx-weights.js';
import { EmbeddingStore, TORCH_ADAM } from './embedding-store.js';
import { createSession, releaseSession, type SessionOptions } from './session.js';
import { DropoutMasks, type MaskSite } from './dropout.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

type OrtFloat = 'float32' | 'float64';

interface DenseSlot {
  p: ort.Tensor;
  m: ort.Tensor;
  v: ort.Tensor;
}

/** What snapshot() returns (its contract type is `unknown`; tests and `ge4rec check-device` read it). */
export interface Snapshot {
  step: number;
  dense: Map<string, { p: HostFloat; m: HostFloat; v: HostFloat }>;
  states: Map<string, HostFloat>;
  W: Float32Array | null;
  M: Float32Array | null;
  V: Float32Array | null;
  w2: number;
  rng: number[];
}

const CHECKPOINT_VERSION = 1;

/** The CUDA scatter-adds are atomic: there, repeated rows' gradients are summed in a planned order (api.ts). */
const orderedRowSums = (o: EngineOptions): boolean => o.orderedRowSums ?? o.device === 'cuda';

export class Engine implements EngineLike {
  private readonly ft: OrtFloat;
  private readonly sessOpts: SessionOptions;
  private readonly dense = new Map<string, DenseSlot>();
  private readonly states = new Map<string, ort.Tensor>();
  private readonly numCat: number;
  private readonly numNum: number;
  private step = 0;
  private lr: number;
  private busy = false;
  private recordSession: ort.InferenceSession | null = null;
  private readonly masks: DropoutMasks | null;
  /** Plans the train program's ordered row sums (EngineOptions.orderedRowSums), null with the scatter form. */
  private readonly tree: TreePlanner | null;
  private readonly timing = { graphMs: 0, gatherMs: 0, updateMs: 0 };
  /** Milliseconds spent compiling the programs and creating the sessions. */
  readonly compileMs: number;

  private constructor(
    private readonly opts: EngineOptions,
    readonly programs: Programs,
    private readonly store: EmbeddingStore | null,
    private readonly trainSession: ort.InferenceSession,
    private readonly evalSession: ort.InferenceSession,
    private readonly dropoutRng: Rng,
    compileMs: number,
  ) {
    this.ft = opts.floatType ?? 'float32';
    this.sessOpts = { device: opts.device, threads: opts.threads, profilePrefix: opts.profilePrefix };
    this.lr = opts.learningRate;
    this.compileMs = compileMs;
    this.numCat = opts.fields.filter((f) => f.type === 'categorical').length;
    this.numNum = opts.fields.length - this.numCat;
    this.tree = orderedRowSums(opts) ? new TreePlanner() : null;
    for (const p of programs.params) {
      this.dense.set(p.name, {
        p: new ort.Tensor(this.ft, p.value.slice(), p.shape),
        m: new ort.Tensor(this.ft, zerosLike(p.value), p.shape),
        v: new ort.Tensor(this.ft, zerosLike(p.value), p.shape),
      });
    }
    for (const s of programs.states) this.states.set(s.name, new ort.Tensor(this.ft, s.value.slice(), s.shape));
    this.masks = programs.train.dropouts.length > 0
      ? new DropoutMasks(dropoutRng, (opts.threads ?? availableParallelism()) > 1)
      : null;
  }

  static async create(opts: EngineOptions): Promise<Engine> {
    if (!(opts.clipNorm > 0)) throw new UserError(`clipNorm must be > 0, got ${opts.clipNorm}`);
    const t0 = performance.now();
    const floatType = opts.floatType ?? 'float32';
    const root = new Rng(opts.seed);
    const paramRng = root.fork(1);
    const embSeed = root.fork(2).nextU32() | 0;
    const dropoutRng = root.fork(3);
    const programs = compileModel({
      model: opts.model, fields: opts.fields, embeddingDim: opts.embeddingDim,
      embeddingRegularizer: opts.embeddingRegularizer, netRegularizer: opts.netRegularizer, clipNorm: opts.clipNorm,
      floatType, paramRng, adam: TORCH_ADAM, orderedRowSums: orderedRowSums(opts),
    });
    const sessOpts: SessionOptions = { device: opts.device, threads: opts.threads, profilePrefix: opts.profilePrefix };
    const [train, evalS] = await Promise.all([
      createSession(programs.train.bytes, sessOpts),
      createSession(programs.eval.bytes, sessOpts),
    ]);
    const compileMs = performance.now() - t0;
    const hasCat = opts.fields.some((f) => f.type === 'categorical');
    const store = hasCat
      ? new EmbeddingStore({
          fields: opts.fields, dim: opts.embeddingDim, withLr: programs.withLr, lambda: opts.embeddingRegularizer,
          mode: opts.embeddingOptimizer, seed: embSeed, threads: opts.threads,
        })
      : null;
    return new Engine(opts, programs, store, train, evalS, dropoutRng, compileMs);
  }

  get learningRate(): number {
    return this.lr;
  }
  set learningRate(v: number) {
    if (!(v > 0)) throw new UserError(`learning rate must be > 0, got ${v}`);
    this.lr = v;
  }

  private floatTensor(data: Float32Array, dims: number[]): ort.Tensor {
    return this.ft === 'float32' ? new ort.Tensor('float32', data, dims) : new ort.Tensor('float64', Float64Array.from(data), dims);
  }

  private checkBatch(b: Batch): void {
    if (b.size < 1) throw new UserError('empty batch');
    if (b.cat.length !== b.size * this.numCat)
      throw new UserError(`batch has ${b.cat.length} categorical values for ${b.size} rows × ${this.numCat} fields`);
    if (b.num.length !== b.size * this.numNum)
      throw new UserError(`batch has ${b.num.length} numeric values for ${b.size} rows × ${this.numNum} fields`);
  }

  /** Feeds shared by all programs: parameters, BN states, gathered rows, indices, numeric values. */
  private commonFeeds(b: Batch, feeds: Record<string, ort.Tensor>, train = false): number {
    for (const [name, d] of this.dense) feeds[`p.${name}`] = d.p;
    for (const [name, t] of this.states) feeds[`s.${name}`] = t;
    let unique = 0;
    if (this.store) {
      // The store's worker gathers half of the rows, also while the dropout masks are drawn on a third thread:
      // with the SIMD mask kernel that thread is done within ~4 ms, and the worker's half of the rows is then warm
      // in its core's cache for its half of the lazy update (lazy step −2 to −4 ms on the host, measured over
      // alternating steps; with the older, slower masks the split was a loss).
      const prep = this.store.prepare(b.cat, b.size, train);
      unique = prep.unique;
      feeds[INPUT.rows] = this.floatTensor(prep.rows, [prep.unique, this.store.width]);
      feeds[INPUT.index] = new ort.Tensor('int64', prep.indices, [b.size, this.numCat]);
      if (prep.plan && this.tree) {
        const { first, repPos, repSlot } = prep.plan;
        const i32 = (x: BigInt64Array) => new Int32Array(x.buffer, x.byteOffset, 2 * x.length);
        const t = this.tree.plan(b.size * this.numCat, prep.unique, i32(first), repPos.length, i32(repPos), i32(repSlot));
        t.a.forEach((a, r) => (feeds[treeInput('a', r)] = new ort.Tensor('int64', a, [a.length])));
        t.b.forEach((x, r) => (feeds[treeInput('b', r)] = new ort.Tensor('int64', x, [x.length])));
        feeds[INPUT.treeFinal] = new ort.Tensor('int64', t.final, [t.final.length]);
      } else if (prep.plan) {
        const { first, repPos, repSlot } = prep.plan;
        feeds[INPUT.firstPos] = new ort.Tensor('int64', first, [first.length]);
        feeds[INPUT.repPos] = new ort.Tensor('int64', repPos, [repPos.length]);
        feeds[INPUT.repSlot] = new ort.Tensor('int64', repSlot, [repSlot.length]);
      }
    }
    if (this.numNum > 0) feeds[INPUT.numeric] = this.floatTensor(b.num, [b.size, this.numNum]);
    return unique;
  }

  private static pick(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    const out: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (!t) throw new Error(`engine: no feed for program input '${name}'`);
      out[name] = t;
    }
    return out;
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error('engine: calls must not overlap (await each trainStep/predict/record)');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /** ModelContext.randomFields: k of the F fields per site, from a generator keyed by the seed and the step number
   *  (so a resumed run draws what the uninterrupted one would have). */
  private feedFieldChoices(feeds: Record<string, ort.Tensor>, step: number): void {
    const sites = this.programs.train.fieldChoices;
    if (sites.length === 0) return;
    const rng = new Rng(this.opts.seed).fork(4).fork(step);
    const F = this.opts.fields.length;
    for (const s of sites) {
      const perm = rng.shuffle(Int32Array.from({ length: F }, (_, i) => i));
      feeds[s.name] = new ort.Tensor('int64', BigInt64Array.from(perm.subarray(0, s.k), (v) => BigInt(v)), [s.k]);
    }
  }

  trainStep(b: Batch): Promise<{ loss: number }> {
    return this.exclusive(async () => {
      this.checkBatch(b);
      const t0 = performance.now();
      // The dropout masks are drawn on a worker while this thread deduplicates and gathers the embedding rows.
      const sites = this.programs.train.dropouts.map((site) => {
        const dims = site.shape.map((d) => (d === 'B' ? b.size : d));
        if (dims.some((d) => typeof d !== 'number')) throw new Error(`dropout site ${site.name}: unsupported shape [${site.shape}]`);
        return { name: site.name, dims: dims as number[], n: (dims as number[]).reduce((a, c) => a * c, 1), p: site.p };
      });
      if (this.masks) await this.masks.start(sites satisfies MaskSite[]);
      const feeds: Record<string, ort.Tensor> = {};
      this.commonFeeds(b, feeds, true);
      for (const [name, d] of this.dense) {
        feeds[`m.${name}`] = d.m;
        feeds[`v.${name}`] = d.v;
      }
      feeds[LABEL] = this.floatTensor(b.label, [b.size]);
      if (this.masks) {
        const masks = await this.masks.take();
        sites.forEach((site, i) => (feeds[site.name] = new ort.Tensor('uint8', masks[i], site.dims)));
      }
      this.feedFieldChoices(feeds, this.step + 1);
      if (this.programs.train.usesBnUnbias) feeds[INPUT.bnUnbias] = this.scalar(b.size > 1 ? b.size / (b.size - 1) : 1);
      const t = this.step + 1;
      const { beta1, beta2 } = TORCH_ADAM;
      const lam = this.opts.embeddingRegularizer;
      const w2 = this.store?.w2 ?? 0;
      const kappa = this.opts.embeddingOptimizer === 'dense' ? 1 : 0;
      feeds[SCALAR.stepSize] = this.scalar(this.lr / (1 - Math.pow(beta1, t)));
      feeds[SCALAR.sqrtBc2] = this.scalar(Math.sqrt(1 - Math.pow(beta2, t)));
      feeds[SCALAR.embRegLoss] = this.scalar((lam / 2) * w2);
      feeds[SCALAR.embNorm2Base] = this.scalar(kappa * lam * lam * w2);
      feeds[SCALAR.embKappaL2] = this.scalar(kappa * lam * lam);
      const t1 = performance.now();
      const res = await this.trainSession.run(Engine.pick(this.trainSession, feeds));
      const t2 = performance.now();
      const names = this.programs.train.names;
      const out = (role: string): ort.Tensor => res[names[role]];
      for (const [name, d] of this.dense) {
        d.p = out(`new.p.${name}`);
        d.m = out(`new.m.${name}`);
        d.v = out(`new.v.${name}`);
      }
      for (const name of this.states.keys()) {
        if (names[`new.s.${name}`]) this.states.set(name, out(`new.s.${name}`));
      }
      const coef = Number((out(OUT.coef).data as Float32Array)[0]);
      if (this.store) await this.store.update(out(OUT.embGrad).data as Float32Array | Float64Array, coef, this.lr, t);
      const t3 = performance.now();
      this.step = t;
      this.timing.gatherMs += t1 - t0;
      this.timing.graphMs += t2 - t1;
      this.timing.updateMs += t3 - t2;
      const loss = Number((out(OUT.loss).data as Float32Array)[0]);
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at step ${t}`);
      return { loss };
    });
  }

  private scalar(v: number): ort.Tensor {
    return this.ft === 'float32' ? new ort.Tensor('float32', Float32Array.of(v), []) : new ort.Tensor('float64', Float64Array.of(v), []);
  }

  predict(b: Batch): Promise<Float32Array> {
    return this.exclusive(async () => {
      this.checkBatch(b);
      const feeds: Record<string, ort.Tensor> = {};
      this.commonFeeds(b, feeds);
      const out = await this.evalSession.run(Engine.pick(this.evalSession, feeds));
      const p = out[OUT.prob].data as Float32Array | Float64Array;
      return p instanceof Float32Array ? p : Float32Array.from(p);
    });
  }

  record(b: Batch): Promise<Record<string, RecordedTensor>> {
    return this.exclusive(async () => {
      const rec = this.programs.record;
      if (!rec) return {};
      this.checkBatch(b);
      this.recordSession ??= await createSession(rec.bytes, this.sessOpts);
      const feeds: Record<string, ort.Tensor> = {};
      this.commonFeeds(b, feeds);
      const out = await this.recordSession.run(Engine.pick(this.recordSession, feeds));
      const res: Record<string, RecordedTensor> = {};
      for (const name of rec.names) {
        const t = out[`rec.${name}`];
        const d = t.data as Float32Array | Float64Array;
        res[name] = { data: d instanceof Float32Array ? d : Float32Array.from(d), shape: t.dims.map(Number) };
      }
      return res;
    });
  }

  // ---------------------------------------------------------------- state: snapshot, checkpoints

  snapshot(): unknown {
    const dense = new Map<string, { p: HostFloat; m: HostFloat; v: HostFloat }>();
    for (const [name, d] of this.dense) dense.set(name, { p: copyOf(d.p), m: copyOf(d.m), v: copyOf(d.v) });
    const states = new Map<string, HostFloat>();
    for (const [name, t] of this.states) states.set(name, copyOf(t));
    const s: Snapshot = {
      step: this.step, dense, states,
      W: this.store ? this.store.W.slice() : null, M: this.store ? this.store.M.slice() : null,
      V: this.store ? this.store.V.slice() : null, w2: this.store?.w2 ?? 0, rng: this.dropoutRng.getState(),
    };
    return s;
  }

  restore(snap: unknown): void {
    const s = snap as Snapshot;
    if (!s || !(s.dense instanceof Map)) throw new Error('restore: not a snapshot of this engine');
    for (const [name, d] of this.dense) {
      const v = s.dense.get(name);
      if (!v) throw new Error(`restore: snapshot lacks parameter ${name}`);
      d.p = new ort.Tensor(this.ft, v.p.slice(), d.p.dims);
      d.m = new ort.Tensor(this.ft, v.m.slice(), d.m.dims);
      d.v = new ort.Tensor(this.ft, v.v.slice(), d.v.dims);
    }
    for (const [name, t] of this.states) this.states.set(name, new ort.Tensor(this.ft, s.states.get(name)!.slice(), t.dims));
    if (this.store && s.W && s.M && s.V) {
      this.store.W.set(s.W);
      this.store.M.set(s.M);
      this.store.V.set(s.V);
      this.store.w2 = s.w2;
    }
    this.step = s.step;
    this.dropoutRng.setState(s.rng);
  }

  saveCheckpoint(dir: string): void {
    if (this.busy) throw new Error('saveCheckpoint: a step is running');
    mkdirSync(dir, { recursive: true });
    const entries: { name: string; kind: string; shape: number[]; offset: number; length: number }[] = [];
    const chunks: HostFloat[] = [];
    let offset = 0;
    const add = (name: string, kind: string, shape: readonly number[], data: HostFloat) => {
      entries.push({ name, kind, shape: [...shape], offset, length: data.length });
      chunks.push(data);
      offset += data.length;
    };
    for (const [name, d] of this.dense) {
      add(name, 'param', d.p.dims, d.p.data as HostFloat);
      add(name, 'adam_m', d.m.dims, d.m.data as HostFloat);
      add(name, 'adam_v', d.v.dims, d.v.data as HostFloat);
    }
    for (const [name, t] of this.states) add(name, 'state', t.dims, t.data as HostFloat);
    const dense = this.ft === 'float32' ? new Float32Array(offset) : new Float64Array(offset);
    let o = 0;
    for (const c of chunks) {
      dense.set(c, o);
      o += c.length;
    }
    writeFileAtomic(join(dir, 'dense.bin'), bytesOf(dense));
    if (this.store) {
      writeFileAtomic(join(dir, 'embedding.bin'), bytesOf(this.store.W));
      writeFileAtomic(join(dir, 'embedding.adam_m.bin'), bytesOf(this.store.M));
      writeFileAtomic(join(dir, 'embedding.adam_v.bin'), bytesOf(this.store.V));
    }
    // The manifest goes last: a checkpoint without it is incomplete and is refused by loadCheckpoint.
    writeJsonAtomic(join(dir, 'checkpoint.json'), {
      version: CHECKPOINT_VERSION, step: this.step, learningRate: this.lr, floatType: this.ft,
      embeddingOptimizer: this.opts.embeddingOptimizer, dropoutRng: this.dropoutRng.getState(),
      embedding: this.store ? { rows: this.store.totalRows, width: this.store.width, w2: this.store.w2 } : null,
      dense: entries,
    });
  }

  loadCheckpoint(dir: string): void {
    if (this.busy) throw new Error('loadCheckpoint: a step is running');
    const manPath = join(dir, 'checkpoint.json');
    if (!existsSync(manPath)) throw new UserError(`${manPath}: no checkpoint manifest (incomplete or missing checkpoint)`);
    const man = readJsonFile<{
      version: number; step: number; learningRate: number; floatType: OrtFloat; dropoutRng: number[];
      embedding: { rows: number; width: number; w2: number } | null;
      dense: { name: string; kind: string; shape: number[]; offset: number; length: number }[];
    }>(manPath);
    if (man.version !== CHECKPOINT_VERSION) throw new UserError(`${manPath}: checkpoint version ${man.version}, expected ${CHECKPOINT_VERSION}`);
    if (man.floatType !== this.ft) throw new UserError(`${manPath}: checkpoint is ${man.floatType}, engine is ${this.ft}`);
    const raw = readFileSync(join(dir, 'dense.bin'));
    const dense = this.ft === 'float32' ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
      : new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const found = new Set<string>();
    for (const e of man.dense) {
      const data = dense.slice(e.offset, e.offset + e.length);
      const key = `${e.kind}:${e.name}`;
      found.add(key);
      if (e.kind === 'state') {
        const t = this.states.get(e.name);
        if (!t) throw new UserError(`${manPath}: state ${e.name} does not belong to this model`);
        checkShape(manPath, e.name, t.dims, e.shape);
        this.states.set(e.name, new ort.Tensor(this.ft, data, t.dims));
        continue;
      }
      const d = this.dense.get(e.name);
      if (!d) throw new UserError(`${manPath}: parameter ${e.name} does not belong to this model`);
      checkShape(manPath, e.name, d.p.dims, e.shape);
      const t = new ort.Tensor(this.ft, data, d.p.dims);
      if (e.kind === 'param') d.p = t;
      else if (e.kind === 'adam_m') d.m = t;
      else if (e.kind === 'adam_v') d.v = t;
    }
    for (const name of this.dense.keys()) if (!found.has(`param:${name}`)) throw new UserError(`${manPath}: parameter ${name} missing`);
    if (this.store) {
      const e = man.embedding;
      if (!e || e.rows !== this.store.totalRows || e.width !== this.store.width)
        throw new UserError(`${manPath}: embedding tables do not match this model (${e ? `${e.rows}×${e.width}` : 'none'} vs ${this.store.totalRows}×${this.store.width})`);
      readF32Into(join(dir, 'embedding.bin'), this.store.W);
      readF32Into(join(dir, 'embedding.adam_m.bin'), this.store.M);
      readF32Into(join(dir, 'embedding.adam_v.bin'), this.store.V);
      this.store.w2 = e.w2;
    }
    this.step = man.step;
    this.lr = man.learningRate;
    this.dropoutRng.setState(man.dropoutRng);
  }

  /**
   * Loads the weights of a model this engine's configuration exported (`exportOnnx`: initializers `p.<param>`,
   * `s.<state>`, `emb_table`). Adam's moments and the step are left as they are: enough to predict or analyse a
   * finished run, not to continue training it (that needs a checkpoint).
   */
  loadOnnxWeights(path: string): void {
    if (this.busy) throw new Error('loadOnnxWeights: a step is running');
    const inits = readOnnxInitializers(path);
    const take = (key: string, dims: readonly number[]): HostFloat => {
      const v = inits.get(key);
      if (!v) throw new UserError(`${path}: no initializer ${key}; the model was not exported from this configuration`);
      const n = dims.reduce((a, b) => a * Number(b), 1);
      if (v.data.length !== n) throw new UserError(`${path}: ${key} has ${v.data.length} values, this model needs ${n}`);
      return this.ft === 'float32' ? Float32Array.from(v.data) : Float64Array.from(v.data);
    };
    for (const [name, d] of this.dense) d.p = new ort.Tensor(this.ft, take(`p.${name}`, d.p.dims), d.p.dims);
    for (const [name, t] of this.states) this.states.set(name, new ort.Tensor(this.ft, take(`s.${name}`, t.dims), t.dims));
    if (this.store) {
      this.store.W.set(take('emb_table', [this.store.W.length]));
      this.store.recomputeW2();
    }
  }

  // ---------------------------------------------------------------- inspection, export

  embeddingTable(field: string): { data: Float32Array; rows: number; dim: number } {
    if (!this.store) throw new UserError(`no categorical field named "${field}"`);
    return this.store.table(field);
  }

  /** The 1-dim LogisticRegression table of a field (beyond the contract: tests and analysis). */
  lrTable(field: string): { data: Float32Array; rows: number; dim: number } {
    if (!this.store) throw new UserError(`no categorical field named "${field}"`);
    return this.store.table(field, true);
  }

  /** Current values of the dense parameters, copied, by name (beyond the contract: tests and analysis). */
  denseParameters(): Map<string, { data: HostFloat; shape: number[] }> {
    const out = new Map<string, { data: HostFloat; shape: number[] }>();
    for (const [name, d] of this.dense) out.set(name, { data: copyOf(d.p), shape: d.p.dims.map(Number) });
    return out;
  }

  exportOnnx(path: string, metadata?: Record<string, string>): void {
    const params = new Map<string, HostFloat>();
    for (const [name, d] of this.dense) params.set(name, d.p.data as HostFloat);
    const states = new Map<string, HostFloat>();
    for (const [name, t] of this.states) states.set(name, t.data as HostFloat);
    const table = this.store ? (this.ft === 'float32' ? this.store.W : Float64Array.from(this.store.W)) : new Float32Array(0);
    const bytes = buildExport(
      {
        model: this.opts.model, fields: this.opts.fields, embeddingDim: this.opts.embeddingDim,
        embeddingRegularizer: this.opts.embeddingRegularizer, netRegularizer: this.opts.netRegularizer,
        clipNorm: this.opts.clipNorm, floatType: this.ft,
      },
      this.programs.withLr, params, states, table, this.store?.offsets ?? [], this.store?.totalRows ?? 0, metadata,
    );
    writeFileAtomic(path, bytes);
  }

  stats(): EngineStats {
    return {
      steps: this.step,
      ...this.timing,
      denseParams: this.programs.denseParams,
      embeddingParams: this.store ? this.store.totalRows * this.store.width : 0,
    };
  }

  async dispose(): Promise<void> {
    await this.masks?.dispose();
    await this.store?.dispose();
    await releaseSession(this.programs.train.bytes, this.sessOpts);
    await releaseSession(this.programs.eval.bytes, this.sessOpts);
    if (this.recordSession && this.programs.record) await releaseSession(this.programs.record.bytes, this.sessOpts);
  }
}

function zerosLike(v: HostFloat): HostFloat {
  return v instanceof Float64Array ? new Float64Array(v.length) : new Float32Array(v.length);
}

function copyOf(t: ort.Tensor): HostFloat {
  return (t.data as HostFloat).slice();
}

function bytesOf(a: HostFloat): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function readF32Into(path: string, into: Float32Array): void {
  const raw = readFileSync(path);
  if (raw.byteLength !== into.byteLength) throw new UserError(`${path}: ${raw.byteLength} bytes, expected ${into.byteLength}`);
  into.set(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
}

function checkShape(file: string, name: string, want: readonly number[], got: number[]): void {
  if (want.length !== got.length || want.some((d, i) => d !== got[i]))
    throw new UserError(`${file}: ${name} has shape [${got}], the model expects [${want}]`);
}
