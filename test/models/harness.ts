// A ModelContext for model tests: E, the LR output and every parameter (and BN running statistics) are graph inputs
// fed with seeded random values, so a model's graph can be compared with a plain-loop reference on the same numbers.
// Dropout is the identity (eval mode); BatchNorm uses the fed running statistics, or batch statistics with bnTraining.
import { Graph, type Tensor } from '../../src/engine/graph.js';
import type { Init, ModelContext, Reg } from '../../src/engine/api.js';
import type { FieldInfo } from '../../src/data/types.js';
import { evaluate, type FeedValue } from '../../src/engine/evaluate.js';
import { Rng } from '../../src/util/rng.js';
import type { Params, RefInput } from '../reference/models/common.js';

export interface HarnessOptions {
  B: number;
  F: number;
  D: number;
  seed: number;
  bnTraining?: boolean;
  /** Scale of the random parameter values. */
  paramStd?: number;
  /** Build the graph only: no values are generated (for full-size configs). */
  buildOnly?: boolean;
  /** Build the training graph (dropout stays the identity): randomFields then gives `trainFields`, a fixed "draw". */
  training?: boolean;
  trainFields?: number[];
}

export interface ParamInfo {
  name: string;
  shape: number[];
  init: Init;
  reg: Reg;
  tensor: Tensor;
}

export class TestContext implements ModelContext {
  readonly g = new Graph({ floatType: 'float64' });
  get training(): boolean {
    return this.opts.training ?? false;
  }
  readonly fields: FieldInfo[];
  readonly embeddingDim: number;
  readonly params = new Map<string, ParamInfo>();
  /** Every fed input's values (E, lr, params, BN statistics, extra embeddings). */
  readonly values = new Map<string, { data: Float64Array; shape: number[] }>();
  readonly records = new Map<string, Tensor>();
  readonly lrCalls: boolean[] = [];
  readonly bnNames: string[] = [];
  private readonly rng: Rng;
  private E: Tensor | null = null;
  private readonly extra = new Map<string, Tensor>();

  constructor(readonly opts: HarnessOptions, fields?: FieldInfo[]) {
    this.rng = new Rng(opts.seed);
    this.fields = fields ?? Array.from({ length: opts.F }, (_, f) => ({ name: `f${f}`, type: 'categorical' as const, vocabSize: 10 }));
    if (this.fields.length !== opts.F) throw new Error('fields and F disagree');
    this.embeddingDim = opts.D;
  }

  feed(name: string, shape: number[], symShape: (number | string)[], fill: () => number): Tensor {
    const n = this.opts.buildOnly ? 0 : shape.reduce((a, b) => a * b, 1);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = fill();
    this.values.set(name, { data, shape });
    return this.g.input(name, symShape);
  }

  private normal(std: number): () => number {
    return () => std * this.rng.normal();
  }

  randomFields(k: number, evalFields: readonly number[]): Tensor {
    // Evaluation: the fixed choice; training: the test's stand-in for the per-step draw.
    const fields = this.training ? this.opts.trainFields : evalFields;
    if (!fields || fields.length !== k) throw new Error(`randomFields(${k}): the test gives trainFields ${fields}`);
    return this.g.constant(fields, [k], 'int64');
  }

  featureEmbedding(): Tensor {
    const { B, F, D } = this.opts;
    this.E ??= this.feed('E', [B, F, D], ['B', F, D], this.normal(0.8));
    return this.E;
  }

  extraFeatureEmbedding(table: string): Tensor {
    const { B, F, D } = this.opts;
    let t = this.extra.get(table);
    if (!t) {
      t = this.feed(`E.${table}`, [B, F, D], ['B', F, D], this.normal(0.8));
      this.extra.set(table, t);
    }
    return t;
  }

  logisticRegression(useBias: boolean): Tensor {
    this.lrCalls.push(useBias);
    const lr = this.feed('lr', [this.opts.B, 1], ['B', 1], this.normal(1));
    return useBias ? lr.add(this.param('lr.bias', [1], { kind: 'zeros' }, 'net')) : lr;
  }

  param(name: string, shape: number[], init: Init, reg: Reg): Tensor {
    const have = this.params.get(name);
    if (have) {
      if (have.shape.join() !== shape.join()) throw new Error(`param '${name}' requested with shapes ${have.shape} and ${shape}`);
      return have.tensor;
    }
    const tensor = this.feed(name, shape, shape, this.normal(this.opts.paramStd ?? 0.5));
    this.params.set(name, { name, shape, init, reg, tensor });
    return tensor;
  }

  dropout(x: Tensor, p: number): Tensor {
    if (!(p >= 0 && p < 1)) throw new Error(`dropout p=${p} out of range`);
    return x;
  }

  batchNorm(name: string, x: Tensor): Tensor {
    const C = x.shape[1];
    if (typeof C !== 'number') throw new Error(`batchNorm '${name}': channel dim must be static`);
    this.bnNames.push(name);
    const w = this.param(`${name}.weight`, [C], { kind: 'ones' }, 'net');
    const b = this.param(`${name}.bias`, [C], { kind: 'zeros' }, 'net');
    let mean: Tensor;
    let varc: Tensor;
    if (this.opts.bnTraining) {
      mean = x.mean([0], true);
      varc = x.sub(mean).square().mean([0], true);
    } else {
      mean = this.feed(`${name}.running_mean`, [C], [C], this.normal(0.3));
      varc = this.feed(`${name}.running_var`, [C], [C], () => 0.5 + this.rng.uniform());
    }
    return x.sub(mean).div(varc.add(1e-5).sqrt()).mul(w).add(b);
  }

  record(name: string, t: Tensor): void {
    if (this.records.has(name)) throw new Error(`record '${name}' twice`);
    this.records.set(name, t);
  }

  /** Feeds for every input the graph has, from the stored values (optionally overridden). */
  feeds(override?: Map<string, Float64Array>): Record<string, FeedValue> {
    const out: Record<string, FeedValue> = {};
    for (const [name, v] of this.values) out[name] = { data: override?.get(name) ?? v.data, shape: v.shape };
    return out;
  }

  async run(outputs: Record<string, Tensor>, override?: Map<string, Float64Array>): Promise<Record<string, Float64Array>> {
    const res = await evaluate(outputs, this.feeds(override));
    const out: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(res)) out[k] = v.data as Float64Array;
    return out;
  }

  /** The same numbers in the plain-array form the references read. */
  refInput(): RefInput {
    const { B, F, D } = this.opts;
    const Ev = this.values.get('E');
    if (!Ev) throw new Error('model never called featureEmbedding()');
    const params: Params = new Map();
    for (const [k, v] of this.values) if (k !== 'E' && k !== 'lr') params.set(k, v);
    return {
      B, F, D,
      E: to3d(Ev.data, B, F, D),
      lr: Array.from(this.values.get('lr')?.data ?? new Float64Array(B)),
      params,
      bnTraining: this.opts.bnTraining ?? false,
      training: this.training,
      trainFields: this.opts.trainFields,
      vocab: this.fields.map((f) => (f.type === 'categorical' ? (f.vocabSize ?? 0) : 0)),
    };
  }

  extraRef(table: string): number[][][] | undefined {
    const v = this.values.get(`E.${table}`);
    return v ? to3d(v.data, this.opts.B, this.opts.F, this.opts.D) : undefined;
  }
}

export function to3d(data: ArrayLike<number>, B: number, F: number, D: number): number[][][] {
  return Array.from({ length: B }, (_, b) => Array.from({ length: F }, (_, f) => Array.from({ length: D }, (_, d) => data[(b * F + f) * D + d])));
}

export function rowsOf(data: ArrayLike<number>, B: number): number[][] {
  const n = data.length / B;
  return Array.from({ length: B }, (_, b) => Array.from({ length: n }, (_, i) => data[b * n + i]));
}

export function maxRelErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let m = 0;
  for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  return m;
}
