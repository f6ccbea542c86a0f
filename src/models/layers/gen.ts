// The GEN encoder (GE4Rec `GEN`, facts §3): g = γ·act(vec(x)·A) [+ x], A a bias-free (F·D)×(F·D) Linear weight.
// DIS configs (linear, γ = 1, no concat, no residual) make it the identity, and then no parameter is created.
// PyTorch's GEN also allocates an F×D×D Parameter (used only with small_transformation) and a BatchNorm1d(1) (used
// only with use_bn); neither enters the main configs' maths, they only consume RNG draws, so we do not allocate them.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import type { ModelConfig } from '../config.js';
import { linear } from './linear.js';
import { activation } from './activation.js';

export type GenSettings = Pick<ModelConfig, 'embActivation' | 'concatEmb' | 'gamma' | 'genResidual'>;

export function isIdentityGen(s: GenSettings): boolean {
  return s.embActivation === 'linear' && !s.concatEmb && s.gamma === 1 && !s.genResidual;
}

/**
 * x: [B, n] flattened embeddings (n = F·D). Returns [B, n].
 * `bias`: FwFM/FmFM@2054a inline their GEN as an nn.Linear with bias; the GEN module's Linear has none.
 */
export function genEncoder(ctx: ModelContext, name: string, x: Tensor, n: number, s: GenSettings, bias = false): Tensor {
  if (isIdentityGen(s)) return x;
  let h = x;
  if (s.concatEmb) {
    const A = ctx.param(`${name}.A`, [n, n], { kind: 'xavier_normal', fanIn: n, fanOut: n }, 'net');
    h = x.matmul(A);
    if (bias) h = h.add(ctx.param(`${name}.bias`, [n], { kind: 'zeros' }, 'net'));
  }
  let g = activation(h, s.embActivation);
  if (s.gamma !== 1) g = g.mul(s.gamma);
  return s.genResidual ? g.add(x) : g;
}
