// FuxiCTR nn.Linear as used by every model: weight stored [in, out] (so x·W needs no transpose), xavier-normal,
// zero bias, both under the net regulariser (BaseModel.reset_parameters + regularization_loss, v2.3.1).
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';

export function linearParams(ctx: ModelContext, name: string, nIn: number, nOut: number, bias = true): { w: Tensor; b: Tensor | null } {
  const w = ctx.param(`${name}.weight`, [nIn, nOut], { kind: 'xavier_normal', fanIn: nIn, fanOut: nOut }, 'net');
  const b = bias ? ctx.param(`${name}.bias`, [nOut], { kind: 'zeros' }, 'net') : null;
  return { w, b };
}

/** y = x·W (+ b) over the last axis of x (any leading axes). */
export function linear(ctx: ModelContext, name: string, x: Tensor, nIn: number, nOut: number, bias = true): Tensor {
  const { w, b } = linearParams(ctx, name, nIn, nOut, bias);
  const y = x.matmul(w);
  return b ? y.add(b) : y;
}
