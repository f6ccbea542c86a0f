// FuxiCTR MLP_Block: per hidden layer Linear → [BatchNorm1d] → activation → [Dropout]; then an optional output Linear.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import { linear } from './linear.js';
import { activation } from './activation.js';

export interface MlpOptions {
  inputDim: number;
  hidden: number[];
  /** One name for every layer, or one per layer (FuxiCTR accepts both). */
  activations: string | string[];
  dropout: number;
  batchNorm: boolean;
  /** Adds the output Linear(hidden_last → outputDim) when set. Output activations are not applied here. */
  outputDim?: number;
}

export function mlpBlock(ctx: ModelContext, name: string, x: Tensor, o: MlpOptions): Tensor {
  let h = x;
  let nIn = o.inputDim;
  o.hidden.forEach((units, i) => {
    h = linear(ctx, `${name}.hidden.${i}`, h, nIn, units);
    if (o.batchNorm) h = ctx.batchNorm(`${name}.bn.${i}`, h);
    h = activation(h, Array.isArray(o.activations) ? o.activations[i] : o.activations);
    if (o.dropout > 0) h = ctx.dropout(h, o.dropout);
    nIn = units;
  });
  if (o.outputDim !== undefined) h = linear(ctx, `${name}.out`, h, nIn, o.outputDim);
  return h;
}

/** Width of the block's output. */
export function mlpOutputDim(o: MlpOptions): number {
  return o.outputDim ?? (o.hidden.length ? o.hidden[o.hidden.length - 1] : o.inputDim);
}
