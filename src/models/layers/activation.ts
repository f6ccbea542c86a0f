// Activations by FuxiCTR / GEN name.
import type { Tensor } from '../../engine/graph.js';
import { UserError } from '../../util/errors.js';

export function activation(x: Tensor, name: string): Tensor {
  switch (name.toLowerCase()) {
    case 'linear':
    case 'identity':
      return x;
    case 'relu':
      return x.relu();
    case 'tanh':
      return x.tanh();
    case 'sigmoid':
      return x.sigmoid();
    case 'silu':
      // onnxruntime fuses x·sigmoid(x) into QuickGelu, which has no float64 kernel; sigmoid(x) = ½ + ½·tanh(x/2).
      return x.dtype === 'float64' ? x.mul(x.mul(0.5).tanh().mul(0.5).add(0.5)) : x.mul(x.sigmoid());
    case 'elu':
      // relu(x) + exp(−relu(−x)) − 1: equals ELU(α=1) and, unlike a where() over exp(x), has no inf·0 in its gradient.
      return x.relu().add(x.neg().relu().neg().exp().sub(1));
    default:
      throw new UserError(`unsupported activation '${name}' (expected linear, relu, tanh, sigmoid, silu or elu)`);
  }
}
