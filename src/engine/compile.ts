// Builds a model's ONNX programs: `train` (forward, mean BCE + L2, backward, global-norm clipping, dense Adam),
// `eval` (probabilities), `record` (probabilities + recorded tensors) and `export` (weights inside).
import type { Tensor, FloatType } from './graph.js';
import * as ops from './ops.js';
import { grad } from './autodiff.js';
import { toOnnx, type TypedArray } from './onnx.js';
import { EngineContext, ParamRegistry, type ParamSpec, type StateSpec } from './context.js';
import type { ModelFn } from './api.js';
import type { FieldInfo } from '../data/types.js';
import { Rng } from '../util/rng.js';

export interface CompileOptions {
  model: ModelFn;
  fields: FieldInfo[];
  embeddingDim: number;
  embeddingRegularizer: number;
  netRegularizer: number;
  clipNorm: number;
  floatType: FloatType;
  /** Seeded RNG for the dense parameters' initial values (drawn in declaration order). */
  paramRng: Rng;
  adam?: { beta1: number; beta2: number; eps: number };
  /** Row gradients summed in a fixed pairwise order instead of by ScatterElements 'add' (EngineContext). */
  orderedRowSums?: boolean;
}

/** Names of the fed scalars of the train program. */
export const SCALAR = {
  stepSize: 'sc.step_size', // lr / (1 − β1^t)
  sqrtBc2: 'sc.sqrt_bc2', // sqrt(1 − β2^t)
  embRegLoss: 'sc.emb_reg_loss', // (λ_emb/2)·‖tables‖²
  embNorm2Base: 'sc.emb_norm2_base', // κ·λ²·‖tables‖² (κ = 1 dense, 0 lazy)
  embKappaL2: 'sc.emb_kappa_l2', // κ·λ²
} as const;

export const LABEL = 'label';
export const OUT = {
  loss: 'loss',
  coef: 'clip_coef',
  embGrad: 'emb_grad',
  prob: 'prob',
} as const;

export interface DropoutInfo {
  name: string;
  p: number;
  shape: readonly (number | string)[];
}

export interface Programs {
  registry: ParamRegistry;
  params: ParamSpec[];
  states: StateSpec[];
  withLr: boolean;
  width: number;
  train: { bytes: Uint8Array; dropouts: DropoutInfo[]; fieldChoices: { name: string; k: number }[]; usesBnUnbias: boolean; hasRows: boolean; names: Record<string, string> };
  eval: { bytes: Uint8Array };
  record: { bytes: Uint8Array; names: string[] } | null;
  /** Dense trainable values in the graph. */
  denseParams: number;
}

function logitsOf(ctx: EngineContext, model: ModelFn): Tensor {
  const z = model(ctx);
  if (z.rank === 2 && z.shape[1] === 1) return z.reshape(['B']);
  if (z.rank !== 1) throw new Error(`model must return logits [B], got [${z.shape}]`);
  return z;
}

function sumAll(t: Tensor): Tensor {
  return t.rank === 0 ? t : t.sum([...Array(t.rank).keys()]);
}

export function compileModel(o: CompileOptions): Programs {
  const adam = o.adam ?? { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  // Probe build (throw-away registry and RNG): learns whether the model uses LogisticRegression, because the host
  // rows then carry its column and the real builds need that width up front. A ModelFn must therefore be a pure
  // function of its context: it runs for the probe, the train build, the eval build and the export build.
  const probe = new EngineContext({
    training: true, fields: o.fields, embeddingDim: o.embeddingDim, withLr: false, floatType: o.floatType,
    registry: new ParamRegistry(o.floatType, new Rng(0)),
  });
  logitsOf(probe, o.model);
  const withLr = probe.usesLr;

  const registry = new ParamRegistry(o.floatType, o.paramRng);
  const base = { fields: o.fields, embeddingDim: o.embeddingDim, withLr, floatType: o.floatType, registry };

  // ---- train
  const tc = new EngineContext({ ...base, training: true, orderedRowSums: o.orderedRowSums });
  const g = tc.g;
  const z = logitsOf(tc, o.model);
  const y = g.input(LABEL, ['B']);
  const bce = z.softplus().sub(y.mul(z)).mean([0]);
  let loss = bce;
  const netParams = registry.params.filter((p) => p.reg === 'net');
  if (o.netRegularizer > 0 && netParams.length > 0) {
    const terms = netParams.map((p) => sumAll(tc.paramInputs.get(p.name)!.square()));
    loss = loss.add(ops.addN(terms).mul(o.netRegularizer / 2));
  }
  // Dense nn.Embedding weights (not host tables) take (λ_emb/2)·‖W‖², as the tables do (their term is fed below).
  const embParams = registry.params.filter((p) => p.reg === 'embedding');
  if (o.embeddingRegularizer > 0 && embParams.length > 0) {
    const terms = embParams.map((p) => sumAll(tc.paramInputs.get(p.name)!.square()));
    loss = loss.add(ops.addN(terms).mul(o.embeddingRegularizer / 2));
  }
  const embRegLoss = g.input(SCALAR.embRegLoss, []);
  loss = loss.add(embRegLoss);

  const paramTensors = registry.params.map((p) => tc.paramInputs.get(p.name)!);
  const rows = tc.rowsInput;
  // The rows reach the loss only through the one gather of the batch's rows; the autodiff stops at its output and
  // the host's plan sums it into the slots (rowGradient), in place of Gather's generic scatter.
  const gathered = tc.gatheredRows;
  if (rows && (!gathered || g.nodes.some((n) => n.inputs.includes(rows) && n.outputs[0] !== gathered)))
    throw new Error('compile: the embedding rows must be read only through the context\'s gather');
  const grads = grad(loss, gathered ? [...paramTensors, gathered] : paramTensors);
  const G = gathered ? tc.rowGradient(grads[grads.length - 1]) : null;
  const norm2Terms = registry.params.map((_, i) => sumAll(grads[i].square()));
  if (G && rows) {
    // Table part of the clip norm without visiting untouched rows (see EmbeddingStore, tableGradNorm2):
    // κλ²‖W‖² + Σ_slots ‖λw + G‖² − ‖G_pad‖² − κλ²Σ_slots ‖w‖²  (slot 0 = padding: w = 0, gradient dropped).
    const lam = o.embeddingRegularizer;
    const full = lam > 0 ? rows.mul(lam).add(G) : G;
    norm2Terms.push(sumAll(full.square()));
    norm2Terms.push(sumAll(G.gather(g.constant([0], [1], 'int64'), 0).square()).neg());
    if (lam > 0) {
      norm2Terms.push(g.input(SCALAR.embNorm2Base, []));
      norm2Terms.push(sumAll(rows.square()).mul(g.input(SCALAR.embKappaL2, [])).neg());
    }
  }
  const total = ops.addN(norm2Terms).sqrt();
  // torch.nn.utils.clip_grad_norm_: coef = max_norm / (total + 1e-6), applied when < 1.
  const coef = g.constant(o.clipNorm).div(total.add(1e-6)).clip(0, 1);

  const stepSize = g.input(SCALAR.stepSize, []);
  const sqrtBc2 = g.input(SCALAR.sqrtBc2, []);
  // Train outputs keep their tensors' own names (no Identity copies of every parameter and moment each step);
  // `names` maps each role (`new.p.<param>`, OUT.loss, ...) to the ONNX output name.
  const outputs: Record<string, Tensor> = {};
  const names: Record<string, string> = {};
  const emit = (role: string, t: Tensor) => {
    const key = t.kind === 'op' ? t.name : role;
    if (!(key in outputs)) outputs[key] = t;
    names[role] = key;
  };
  emit(OUT.loss, loss);
  emit(OUT.coef, coef);
  registry.params.forEach((p, i) => {
    const w = paramTensors[i];
    const m = g.input(`m.${p.name}`, p.shape);
    const v = g.input(`v.${p.name}`, p.shape);
    const gc = grads[i].mul(coef);
    const m2 = m.mul(adam.beta1).add(gc.mul(1 - adam.beta1));
    const v2 = v.mul(adam.beta2).add(gc.square().mul(1 - adam.beta2));
    const w2 = w.sub(m2.mul(stepSize).div(v2.sqrt().div(sqrtBc2).add(adam.eps)));
    emit(`new.p.${p.name}`, w2);
    emit(`new.m.${p.name}`, m2);
    emit(`new.v.${p.name}`, v2);
  });
  for (const [name, t] of tc.stateUpdates) emit(`new.s.${name}`, t);
  if (G) emit(OUT.embGrad, G);
  const trainBytes = toOnnx(g, { outputs, graphName: 'train' });
  const dropouts = tc.dropouts.map((d) => ({ name: d.input.name, p: d.p, shape: d.shape }));
  const fieldChoices = tc.fieldChoices.map((d) => ({ name: d.input.name, k: d.k }));

  // ---- eval and record (same graph, different outputs)
  const ec = new EngineContext({ ...base, training: false });
  const ez = logitsOf(ec, o.model);
  if (registry.params.length !== paramTensors.length)
    throw new Error('the eval build declared parameters that the train build did not: a model must declare the same parameters in both modes');
  const prob = ez.sigmoid();
  const evalBytes = toOnnx(ec.g, { outputs: { [OUT.prob]: prob }, graphName: 'eval' });
  let record: Programs['record'] = null;
  if (ec.records.size > 0) {
    const recOut: Record<string, Tensor> = { [OUT.prob]: prob };
    for (const [name, t] of ec.records) recOut[`rec.${name}`] = t;
    record = { bytes: toOnnx(ec.g, { outputs: recOut, graphName: 'record' }), names: [...ec.records.keys()] };
  }
  const denseParams = registry.params.reduce((a, p) => a + p.value.length, 0);
  return {
    registry,
    params: registry.params,
    states: registry.states,
    withLr,
    width: tc.width,
    train: { bytes: trainBytes, dropouts, fieldChoices, usesBnUnbias: tc.bnUnbiasInput !== null, hasRows: rows !== null, names },
    eval: { bytes: evalBytes },
    record,
    denseParams,
  };
}

/**
 * Standalone forward model: inputs `cat` [B, Fc] int64 raw per-field indices and `num` [B, Fn] float; output `prob`
 * [B]; all tables and parameters stored as initializers (tables as one [rows, D(+1)] matrix, field offsets added).
 */
export function buildExport(
  o: Omit<CompileOptions, 'paramRng'>, withLr: boolean, params: Map<string, TypedArray>, states: Map<string, TypedArray>,
  table: Float32Array | Float64Array, offsets: number[], totalRows: number, metadata?: Record<string, string>,
): Uint8Array {
  const registry = new ParamRegistry(o.floatType, new Rng(0));
  const ctx = new EngineContext({
    training: false, fields: o.fields, embeddingDim: o.embeddingDim, withLr, floatType: o.floatType, registry,
    exportRows: totalRows,
  });
  const z = logitsOf(ctx, o.model);
  const prob = z.sigmoid();
  const inits = new Map<Tensor, TypedArray>();
  for (const [name, t] of ctx.paramInputs) {
    const v = params.get(name);
    if (!v) throw new Error(`export: no value for parameter ${name}`);
    inits.set(t, v);
  }
  for (const [name, t] of ctx.stateInputs) {
    const v = states.get(name);
    if (!v) throw new Error(`export: no value for state ${name}`);
    inits.set(t, v);
  }
  if (ctx.rowsInput) inits.set(ctx.rowsInput, table);
  const inputs: Tensor[] = [];
  if (ctx.rawIndexInput) {
    inits.set(ctx.offsetsInput!, BigInt64Array.from(offsets.map((x) => BigInt(x))));
    inputs.push(ctx.rawIndexInput);
  }
  if (ctx.numericInput) inputs.push(ctx.numericInput);
  return toOnnx(ctx.g, { outputs: { [OUT.prob]: prob }, inputs: [...inputs, ...inits.keys()], initializers: inits, graphName: 'ge4rec_export', metadata });
}
