// ModelContext implementation: what a model function sees while the engine builds one of its graphs. Parameters
// live in a ParamRegistry shared by the train and eval builds (created and initialised on first use, in call order,
// from the seeded RNG); in each graph they are inputs named `p.<name>`.
import { Graph, type Tensor, type FloatType } from './graph.js';
import * as ops from './ops.js';
import { TREE_ROUNDS, pairwiseSums } from './row-sum-tree.js';
import type { Init, ModelContext, Reg } from './api.js';
import type { FieldInfo } from '../data/types.js';
import type { Rng } from '../util/rng.js';

export type HostFloat = Float32Array | Float64Array;

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  reg: Reg;
  value: HostFloat;
}

export interface StateSpec {
  name: string;
  shape: number[];
  value: HostFloat;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** xavier_normal_ fans: explicit when given; 2-D [in, out] weights use their dims; ≥3-D follow torch (size(1)·rest, size(0)·rest). */
export function xavierStd(shape: readonly number[], init: { fanIn?: number; fanOut?: number }): number {
  let fanIn = init.fanIn;
  let fanOut = init.fanOut;
  if (fanIn === undefined || fanOut === undefined) {
    if (shape.length === 2) {
      fanIn ??= shape[0];
      fanOut ??= shape[1];
    } else if (shape.length >= 3) {
      const rest = numel(shape.slice(2));
      fanIn ??= shape[1] * rest;
      fanOut ??= shape[0] * rest;
    } else {
      throw new Error(`xavier_normal on a ${shape.length}-D parameter needs explicit fanIn and fanOut`);
    }
  }
  return Math.sqrt(2 / (fanIn + fanOut));
}

export class ParamRegistry {
  readonly params: ParamSpec[] = [];
  readonly states: StateSpec[] = [];
  private readonly byName = new Map<string, ParamSpec>();
  private readonly stateByName = new Map<string, StateSpec>();

  constructor(readonly floatType: FloatType, private readonly rng: Rng) {}

  param(name: string, shape: number[], init: Init, reg: Reg): ParamSpec {
    const hit = this.byName.get(name);
    if (hit) {
      if (hit.shape.join(',') !== shape.join(','))
        throw new Error(`param "${name}": declared again with shape [${shape}] (first [${hit.shape}])`);
      return hit;
    }
    for (const d of shape) if (!Number.isInteger(d) || d <= 0) throw new Error(`param "${name}": bad shape [${shape}]`);
    const n = numel(shape);
    const value = this.floatType === 'float64' ? new Float64Array(n) : new Float32Array(n);
    switch (init.kind) {
      case 'zeros':
        break;
      case 'ones':
        value.fill(1);
        break;
      case 'normal':
        this.rng.fillNormal(value, init.std);
        break;
      case 'xavier_normal':
        this.rng.fillNormal(value, xavierStd(shape, init));
        break;
    }
    const spec: ParamSpec = { name, shape: [...shape], init, reg, value };
    this.params.push(spec);
    this.byName.set(name, spec);
    return spec;
  }

  state(name: string, shape: number[], fill: number): StateSpec {
    const hit = this.stateByName.get(name);
    if (hit) return hit;
    const n = numel(shape);
    const value = this.floatType === 'float64' ? new Float64Array(n) : new Float32Array(n);
    value.fill(fill);
    const spec: StateSpec = { name, shape: [...shape], value };
    this.states.push(spec);
    this.stateByName.set(name, spec);
    return spec;
  }
}

export interface DropoutSite {
  input: Tensor;
  p: number;
  /** Shape with 'B' symbolic; the host draws a mask of this shape per step. */
  shape: readonly (number | string)[];
}

/** A per-step random choice of k of the F fields (ModelContext.randomFields), fed by the host. */
export interface FieldChoiceSite {
  input: Tensor;
  k: number;
}

export interface ContextOptions {
  training: boolean;
  fields: FieldInfo[];
  embeddingDim: number;
  registry: ParamRegistry;
  /** The host rows carry the LogisticRegression column (decided by a probe build). */
  withLr: boolean;
  floatType: FloatType;
  /** Export build: the rows input is the whole store ([rows, width], an initializer) and the index input takes raw
   *  per-field indices `cat`, shifted by per-field offsets inside the graph. */
  exportRows?: number;
  /** Sum the row gradients in a fixed pairwise order (row-sum-tree.ts) instead of a scatter-add: for devices whose
   *  scatter-add is unordered (CUDA). */
  orderedRowSums?: boolean;
}

export const INPUT = {
  rows: 'emb_rows',
  index: 'emb_index',
  numeric: 'numeric',
  bnUnbias: 'bn_unbias',
  // The train program's gradient plan (EmbeddingStore.prepare, GradientPlan).
  firstPos: 'emb_first_pos',
  repPos: 'emb_rep_pos',
  repSlot: 'emb_rep_slot',
  // Its ordered form (row-sum-tree.ts): per round r the pairs `emb_tree_a<r>`, `emb_tree_b<r>`, then each slot's row.
  treeFinal: 'emb_tree_final',
} as const;

export const treeInput = (side: 'a' | 'b', round: number): string => `emb_tree_${side}${round}`;

export class EngineContext implements ModelContext {
  readonly g: Graph;
  readonly training: boolean;
  readonly fields: FieldInfo[];
  readonly embeddingDim: number;
  readonly registry: ParamRegistry;
  readonly withLr: boolean;
  /** Set when the model asked for LogisticRegression (read by the probe build). */
  usesLr = false;
  readonly paramInputs = new Map<string, Tensor>();
  readonly stateInputs = new Map<string, Tensor>();
  /** New values of BatchNorm running statistics (train graph only). */
  readonly stateUpdates = new Map<string, Tensor>();
  readonly dropouts: DropoutSite[] = [];
  readonly fieldChoices: FieldChoiceSite[] = [];
  readonly records = new Map<string, Tensor>();
  rowsInput: Tensor | null = null;
  indexInput: Tensor | null = null;
  gatheredRows: Tensor | null = null;
  numericInput: Tensor | null = null;
  bnUnbiasInput: Tensor | null = null;
  rawIndexInput: Tensor | null = null;
  offsetsInput: Tensor | null = null;
  private readonly exportRows: number | undefined;
  private readonly orderedRowSums: boolean;
  private readonly catFields: number[];
  private readonly numFields: number[];
  private featureEmb: Tensor | null = null;

  constructor(o: ContextOptions) {
    this.g = new Graph({ floatType: o.floatType, orderedSums: o.orderedRowSums });
    this.training = o.training;
    this.fields = o.fields;
    this.embeddingDim = o.embeddingDim;
    this.registry = o.registry;
    this.withLr = o.withLr;
    this.exportRows = o.exportRows;
    this.orderedRowSums = o.orderedRowSums ?? false;
    this.catFields = o.fields.flatMap((f, i) => (f.type === 'categorical' ? [i] : []));
    this.numFields = o.fields.flatMap((f, i) => (f.type === 'numeric' ? [i] : []));
  }

  get width(): number {
    return this.embeddingDim + (this.withLr ? 1 : 0);
  }

  private rows(): Tensor {
    this.rowsInput ??= this.exportRows !== undefined
      ? this.g.input('emb_table', [this.exportRows, this.width])
      : this.g.input(INPUT.rows, ['U', this.width]);
    return this.rowsInput;
  }
  private index(): Tensor {
    if (this.indexInput) return this.indexInput;
    const Fc = this.catFields.length;
    if (this.exportRows !== undefined) {
      this.rawIndexInput = this.g.input('cat', ['B', Fc], 'int64');
      this.offsetsInput = this.g.input('field_offsets', [Fc], 'int64');
      this.indexInput = this.clampToOov(this.rawIndexInput).add(this.offsetsInput);
    } else {
      this.indexInput = this.g.input(INPUT.index, ['B', Fc], 'int64');
    }
    return this.indexInput;
  }
  /**
   * Export build only: an index outside [0, vocab) of its field becomes that field's OOV index (vocab − 1), so a
   * wrong id can never read another field's rows after the offset is added. The training programs take indices
   * the encoder made and have no such nodes.
   */
  private clampToOov(cat: Tensor): Tensor {
    const vocab = this.catFields.map((i) => {
      const f = this.fields[i];
      if (!(f.vocabSize && f.vocabSize >= 2)) throw new Error(`export: categorical field ${f.name} has no vocabulary size`);
      return f.vocabSize;
    });
    const Fc = vocab.length;
    const oov = this.g.constant(vocab.map((v) => v - 1), [Fc], 'int64');
    const tooBig = ops.greater(cat, oov); // id ≥ vocab
    const negative = ops.greater(this.g.sharedConstant(0, [], 'int64'), cat); // id < 0
    return ops.where(negative, oov, ops.where(tooBig, oov, cat));
  }

  /** [B, Fc, width]: the batch's rows, gathered once for the embedding and the LR column (one gradient scatter). */
  private gathered(): Tensor {
    this.gatheredRows ??= this.rows().gather(this.index(), 0);
    return this.gatheredRows;
  }
  /**
   * G [U, width], the gradient of the batch's unique rows, from gPos [B, Fc, width], the gradient of the gathered
   * rows: each slot's first position is gathered, the padding row is reset to 0, and only the repeats are added in
   * order by ScatterElements (sequential in onnxruntime). The sums are the generic Gather gradient's, a ScatterElements
   * of every position into zeros, to the bit (0 + x = x); only the repeats (43% of the positions in the
   * engine benchmark) remain sequential.
   */
  rowGradient(gPos: Tensor): Tensor {
    const w = this.width;
    const flat = gPos.reshape([-1, w]); // [B·Fc, width], position-major
    if (this.orderedRowSums) return this.rowGradientTree(flat);
    const first = this.g.input(INPUT.firstPos, ['U'], 'int64');
    const repPos = this.g.input(INPUT.repPos, ['R'], 'int64');
    const repSlot = this.g.input(INPUT.repSlot, ['R'], 'int64');
    const zeroRow = this.g.sharedConstant(new Array<number>(w).fill(0), [1, w], gPos.dtype);
    const base = ops.scatterND(flat.gather(first, 0), this.g.sharedConstant(0, [1, 1], 'int64'), zeroRow);
    const reps = flat.gather(repPos, 0); // [R, width]
    return ops.scatterElementsAdd(base, ops.expand(repSlot.reshape(['R', 1]), ['R', w], reps), reps, 0);
  }

  /** rowGradient from Gather and Add only, in the host-planned pairwise order (row-sum-tree.ts). */
  private rowGradientTree(flat: Tensor): Tensor {
    const zeroRow = this.g.sharedConstant(new Array<number>(this.width).fill(0), [1, this.width], flat.dtype);
    const rounds = Array.from({ length: TREE_ROUNDS }, (_, r): [Tensor, Tensor] => [
      this.g.input(treeInput('a', r), [`T${r}`], 'int64'),
      this.g.input(treeInput('b', r), [`T${r}`], 'int64'),
    ]);
    return pairwiseSums(flat, zeroRow, 0, rounds, this.g.input(INPUT.treeFinal, ['U'], 'int64'));
  }

  private numeric(): Tensor {
    this.numericInput ??= this.g.input(this.exportRows !== undefined ? 'num' : INPUT.numeric, ['B', this.numFields.length]);
    return this.numericInput;
  }

  param(name: string, shape: number[], init: Init, reg: Reg): Tensor {
    const spec = this.registry.param(name, shape, init, reg);
    let t = this.paramInputs.get(name);
    if (!t) {
      t = this.g.input(`p.${name}`, spec.shape);
      this.paramInputs.set(name, t);
    }
    return t;
  }

  private stateInput(name: string, shape: number[], fill: number): Tensor {
    const spec = this.registry.state(name, shape, fill);
    let t = this.stateInputs.get(name);
    if (!t) {
      t = this.g.input(`s.${name}`, spec.shape);
      this.stateInputs.set(name, t);
    }
    return t;
  }

  featureEmbedding(): Tensor {
    if (this.featureEmb) return this.featureEmb;
    const D = this.embeddingDim;
    let cat: Tensor | null = null;
    let num: Tensor | null = null;
    if (this.catFields.length > 0) {
      cat = this.withLr ? this.gathered().slice(2, 0, D) : this.gathered(); // [B, Fc, D]
    }
    if (this.numFields.length > 0) {
      // nn.Linear(1, D, bias=False) per numeric field: xavier with fan_in 1, fan_out D; net regulariser (v2.3.1).
      const w = this.param('embedding.numeric', [this.numFields.length, D], { kind: 'xavier_normal', fanIn: 1, fanOut: D }, 'net');
      num = this.numeric().unsqueeze(2).mul(w); // [B, Fn, D]
    }
    // Runs of consecutive same-type fields, concatenated in feature-map order.
    const parts: Tensor[] = [];
    let ci = 0;
    let ni = 0;
    let i = 0;
    while (i < this.fields.length) {
      const type = this.fields[i].type;
      let j = i;
      while (j < this.fields.length && this.fields[j].type === type) j++;
      const n = j - i;
      if (type === 'categorical') {
        parts.push(n === this.catFields.length ? cat! : cat!.slice(1, ci, ci + n));
        ci += n;
      } else {
        parts.push(n === this.numFields.length ? num! : num!.slice(1, ni, ni + n));
        ni += n;
      }
      i = j;
    }
    this.featureEmb = parts.length === 1 ? parts[0] : ops.concat(parts, 1);
    return this.featureEmb;
  }

  logisticRegression(useBias: boolean): Tensor {
    this.usesLr = true;
    const terms: Tensor[] = [];
    if (this.catFields.length > 0) {
      if (this.withLr) {
        const D = this.embeddingDim;
        const w = this.gathered().slice(2, D, D + 1); // [B, Fc, 1]
        terms.push(w.sum([1])); // [B, 1]
      } else {
        // Probe build only: the real build has the LR column.
        terms.push(this.gathered().sum([1, 2]).unsqueeze(1));
      }
    }
    if (this.numFields.length > 0) {
      // nn.Linear(1, 1, bias=False) per numeric field: xavier std 1, net regulariser.
      const w = this.param('lr.numeric', [this.numFields.length, 1], { kind: 'xavier_normal', fanIn: 1, fanOut: 1 }, 'net');
      terms.push(this.numeric().matmul(w));
    }
    let out = terms.length === 0 ? this.numeric().sum([1], true).mul(0) : terms.length === 1 ? terms[0] : terms[0].add(terms[1]);
    // LogisticRegression.bias is a raw Parameter named `bias` owned by a non-Embedding module → net regulariser.
    if (useBias) out = out.add(this.param('lr.bias', [1], { kind: 'zeros' }, 'net'));
    return out;
  }

  dropout(x: Tensor, p: number): Tensor {
    if (!this.training || p === 0) return x;
    // Fed as 0/1 bytes and scaled in the graph: pre-scaled float masks (no Cast and Mul in the graph) measured
    // slower, the host's extra writes costing more than the graph saved.
    const mask = this.g.input(`dropout_mask_${this.dropouts.length}`, x.shape, 'uint8');
    this.dropouts.push({ input: mask, p, shape: x.shape });
    return ops.dropout(x, mask, p);
  }

  batchNorm(name: string, x: Tensor): Tensor {
    if (x.rank !== 2 || typeof x.shape[1] !== 'number') throw new Error(`batchNorm "${name}": expects [B, C], got [${x.shape}]`);
    const C = x.shape[1];
    const eps = 1e-5;
    const weight = this.param(`${name}.weight`, [C], { kind: 'ones' }, 'net');
    const bias = this.param(`${name}.bias`, [C], { kind: 'zeros' }, 'net');
    const rm = this.stateInput(`${name}.running_mean`, [C], 0);
    const rv = this.stateInput(`${name}.running_var`, [C], 1);
    if (!this.training) return x.sub(rm).div(rv.add(eps).sqrt()).mul(weight).add(bias);
    const mean = x.mean([0], true); // [1, C]
    const centered = x.sub(mean);
    const varB = centered.square().mean([0], true); // biased, used for normalising
    const y = centered.div(varB.add(eps).sqrt()).mul(weight).add(bias);
    // Running stats use the unbiased variance: B/(B−1) is fed by the host.
    this.bnUnbiasInput ??= this.g.input(INPUT.bnUnbias, []);
    const m = 0.1;
    this.stateUpdates.set(`${name}.running_mean`, rm.mul(1 - m).add(mean.reshape([C]).mul(m)));
    this.stateUpdates.set(`${name}.running_var`, rv.mul(1 - m).add(varB.reshape([C]).mul(this.bnUnbiasInput).mul(m)));
    return y;
  }

  record(name: string, t: Tensor): void {
    if (this.records.has(name)) throw new Error(`record: name "${name}" used twice`);
    this.records.set(name, t);
  }

  randomFields(k: number, evalFields: readonly number[]): Tensor {
    if (evalFields.length !== k) throw new Error(`randomFields: ${evalFields.length} eval fields for k = ${k}`);
    if (!this.training) return this.g.constant(evalFields, [k], 'int64');
    const input = this.g.input(`field_choice_${this.fieldChoices.length}`, [k], 'int64');
    this.fieldChoices.push({ input, k });
    return input;
  }
}
