// Forward-pass arithmetic per sample (a multiply-add counts 2), from the config alone, to set GEN's extra time per
// step beside its extra arithmetic. Backward is ≈ 2× forward for every layer alike, so the ratio holds for training.
import type { ModelConfig } from '../models/config.js';

function mlp(inDim: number, units: number[], out?: number): { flops: number; last: number } {
  let flops = 0;
  let d = inDim;
  for (const u of units) {
    flops += 2 * d * u + u; // matmul + activation
    d = u;
  }
  if (out !== undefined) {
    flops += 2 * d * out;
    d = out;
  }
  return { flops, last: d };
}

export interface FlopCount {
  /** The whole forward pass, encoders included. */
  total: number;
  /** GEN encoders only (0 for DIS). */
  encoders: number;
  encoderCount: number;
}

export function forwardFlops(cfg: ModelConfig, fields: number, dim: number, paradigm: 'dis' | 'gen'): FlopCount {
  const F = fields;
  const D = dim;
  const n = F * D;
  const P = (F * (F - 1)) / 2;
  const perEncoder = 2 * n * n + 2 * n + (cfg.genResidual ? n : 0);
  let body = 0;
  let encoderCount = 1;
  switch (cfg.model) {
    case 'FM':
      body = P * 2 * D + F;
      break;
    case 'FmFM':
      body = P * (2 * D * D + 2 * D) + F;
      break;
    case 'FwFM':
      body = P * (2 * D + 2) + 2 * n;
      break;
    case 'DeepFM':
      body = P * 2 * D + F + mlp(n, cfg.hiddenUnits, 1).flops;
      break;
    case 'IPNN':
    case 'PNN':
      body = P * 2 * D + mlp(n + P, cfg.hiddenUnits, 1).flops;
      break;
    case 'xDeepFM': {
      let h = F;
      let pooled = 0;
      for (const hk of cfg.cinHiddenUnits) {
        body += F * h * D + 2 * F * h * hk * D + hk * D;
        pooled += hk;
        h = hk;
      }
      body += 2 * pooled + mlp(n, cfg.dnnHiddenUnits, 1).flops + F;
      encoderCount = cfg.cinHiddenUnits.length;
      break;
    }
    case 'DCNv2':
    case 'CrossNetV2': {
      body = cfg.numCrossLayers * (2 * n * n + 3 * n);
      let d = n;
      if (cfg.modelStructure !== 'crossnet_only') {
        const m = mlp(n, cfg.parallelDnnHiddenUnits);
        body += m.flops;
        d = n + m.last;
      }
      body += 2 * d * 2 * d + 2 * d + 2 * 2 * d; // two-layer head of the paper's code
      encoderCount = cfg.numCrossLayers;
      break;
    }
    default:
      throw new Error(`no FLOP count for model ${cfg.model}`);
  }
  const encoders = paradigm === 'gen' ? encoderCount * perEncoder : 0;
  return { total: body + encoders, encoders, encoderCount: paradigm === 'gen' ? encoderCount : 0 };
}
