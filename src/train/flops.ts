// Forward-pass arithmetic per sample (a multiply-add counts 2), from the config alone, to set GEN's extra time per
// step beside its extra arithmetic. Backward is ≈ 2× forward for every layer alike, so the ratio holds for training.
// Each model's body count lives in its catalog descriptor (src/models/<model>.ts); the GEN encoders are counted here.
import type { ModelConfig } from '../models/config.js';
import { getDescriptor } from '../models/catalog.js';

export interface FlopCount {
  /** The whole forward pass, encoders included. */
  total: number;
  /** GEN encoders only (0 for DIS). */
  encoders: number;
  encoderCount: number;
}

export function forwardFlops(cfg: ModelConfig, fields: number, dim: number, paradigm: 'dis' | 'gen'): FlopCount {
  const n = fields * dim;
  const perEncoder = 2 * n * n + 2 * n + (cfg.genResidual ? n : 0);
  const { body, encoderCount } = getDescriptor(cfg.model).flops(cfg, fields, dim);
  const encoders = paradigm === 'gen' ? encoderCount * perEncoder : 0;
  return { total: body + encoders, encoders, encoderCount: paradigm === 'gen' ? encoderCount : 0 };
}
