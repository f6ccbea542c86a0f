// Plain-loop reference arithmetic for the model tests: no graph code, only arrays and for-loops, written from
// the GE4Rec / FuxiCTR formulas (docs in /work/shared/reference/ge4rec-facts.md §2–§4).

/** A batch of row vectors: rows[b][i]. */
export type Rows = number[][];

/** Parameter values by name, row-major, with the shapes the model declared. */
export type Params = Map<string, { data: Float64Array; shape: number[] }>;

export interface RefInput {
  B: number;
  F: number;
  D: number;
  /** Raw embeddings E[b][f][d]. */
  E: number[][][];
  /** FuxiCTR LogisticRegression output without its bias. */
  lr: number[];
  params: Params;
  /** BatchNorm in training mode (batch statistics, biased variance) instead of running statistics. */
  bnTraining: boolean;
}

export function p(params: Params, name: string): Float64Array {
  const v = params.get(name);
  if (!v) throw new Error(`reference: parameter '${name}' was not created by the model`);
  return v.data;
}

export function flatten(E: number[][][]): Rows {
  return E.map((fields) => fields.flat());
}

export function unflatten(x: Rows, F: number, D: number): number[][][] {
  return x.map((row) => Array.from({ length: F }, (_, f) => row.slice(f * D, (f + 1) * D)));
}

/** y = x·W (+ b) with W stored [in, out]. */
export function linear(x: Rows, W: Float64Array, nIn: number, nOut: number, bias?: Float64Array): Rows {
  if (W.length !== nIn * nOut) throw new Error(`reference linear: weight has ${W.length} values, expected ${nIn}×${nOut}`);
  return x.map((row) => {
    const y = new Array<number>(nOut).fill(0);
    for (let o = 0; o < nOut; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < nIn; i++) s += row[i] * W[i * nOut + o];
      y[o] = s;
    }
    return y;
  });
}

export function act(name: string, v: number): number {
  switch (name.toLowerCase()) {
    case 'linear':
      return v;
    case 'relu':
      return v > 0 ? v : 0;
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'silu':
      return v / (1 + Math.exp(-v));
    case 'elu':
      return v > 0 ? v : Math.exp(v) - 1;
    default:
      throw new Error(`reference: unknown activation ${name}`);
  }
}

export function mapRows(x: Rows, f: (v: number) => number): Rows {
  return x.map((r) => r.map(f));
}

/** PyTorch BatchNorm1d over [B, C]: eps 1e-5; train mode uses the biased batch variance. */
export function batchNorm(x: Rows, name: string, inp: RefInput): Rows {
  const C = x[0].length;
  const w = p(inp.params, `${name}.weight`);
  const b = p(inp.params, `${name}.bias`);
  let mean: number[];
  let varc: number[];
  if (inp.bnTraining) {
    mean = Array.from({ length: C }, (_, c) => x.reduce((s, r) => s + r[c], 0) / x.length);
    varc = Array.from({ length: C }, (_, c) => x.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0) / x.length);
  } else {
    mean = Array.from(p(inp.params, `${name}.running_mean`));
    varc = Array.from(p(inp.params, `${name}.running_var`));
  }
  return x.map((r) => r.map((v, c) => ((v - mean[c]) / Math.sqrt(varc[c] + 1e-5)) * w[c] + b[c]));
}

/** FuxiCTR MLP_Block: per hidden layer Linear, [BatchNorm1d], activation, [Dropout = identity here]; optional output Linear. */
export function mlp(
  x: Rows,
  name: string,
  inp: RefInput,
  o: { hidden: number[]; activations: string | string[]; batchNorm: boolean; outputDim?: number },
): Rows {
  let h = x;
  let nIn = x[0].length;
  o.hidden.forEach((units, i) => {
    h = linear(h, p(inp.params, `${name}.hidden.${i}.weight`), nIn, units, p(inp.params, `${name}.hidden.${i}.bias`));
    if (o.batchNorm) h = batchNorm(h, `${name}.bn.${i}`, inp);
    const a = Array.isArray(o.activations) ? o.activations[i] : o.activations;
    h = mapRows(h, (v) => act(a, v));
    nIn = units;
  });
  if (o.outputDim !== undefined)
    h = linear(h, p(inp.params, `${name}.out.weight`), nIn, o.outputDim, p(inp.params, `${name}.out.bias`));
  return h;
}

export interface GenSettings {
  embActivation: string;
  concatEmb: boolean;
  gamma: number;
  genResidual: boolean;
}

/** GEN on flattened rows: g = γ·act(x·A [+ bias]) [+ x]; the identity in DIS configs. */
export function gen(x: Rows, name: string, inp: RefInput, s: GenSettings, withBias = false): Rows {
  const n = x[0].length;
  const h = s.concatEmb ? linear(x, p(inp.params, `${name}.A`), n, n, withBias ? p(inp.params, `${name}.bias`) : undefined) : x;
  return h.map((row, b) => row.map((v, i) => s.gamma * act(s.embActivation, v) + (s.genResidual ? x[b][i] : 0)));
}

/** Pairs (i<j) in row-major upper-triangular order, as torch.triu_indices(F, F, offset=1). */
export function pairs(F: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < F; i++) for (let j = i + 1; j < F; j++) out.push([i, j]);
  return out;
}

export function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
