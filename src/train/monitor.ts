// FuxiCTR's Monitor and `checkpoint_and_earlystop` with reduce-LR-on-plateau (facts §4.4, v2.3.1 rank_model.py).
import { UserError } from '../util/errors.js';
import { isMetricName } from './metrics.js';

/** `AUC` means {AUC: 1}; `{AUC: 1, logloss: -1}` means AUC − logloss. */
export type MonitorSpec = string | Record<string, number>;

export function monitorWeights(spec: MonitorSpec): Record<string, number> {
  const w = typeof spec === 'string' ? { [spec]: 1 } : spec;
  for (const k of Object.keys(w)) {
    if (!isMetricName(k)) throw new UserError(`monitor: unknown metric "${k}" (known: AUC, logloss)`);
    if (typeof w[k] !== 'number') throw new UserError(`monitor: weight of "${k}" must be a number`);
  }
  return w;
}

export function monitorValue(spec: MonitorSpec, logs: Record<string, number>): number {
  let v = 0;
  for (const [k, wk] of Object.entries(monitorWeights(spec))) {
    if (!(k in logs)) throw new Error(`monitor needs metric ${k}, which was not computed`);
    v += wk * logs[k];
  }
  return v;
}

export interface StopperOptions {
  /** Base `early_stop_patience` (2 in every GE4Rec config; the per-experiment `patience` key is dead). */
  patience: number;
  minDelta: number;
  factor: number;
  minLr: number;
}

export const FUXICTR_STOPPER: StopperOptions = { patience: 2, minDelta: 1e-6, factor: 0.1, minLr: 1e-6 };

export interface StopperState {
  best: number;
  stoppingSteps: number;
  lr: number;
  stop: boolean;
}

export interface StopperStep {
  improved: boolean;
  lr: number;
  stop: boolean;
}

/** Monitor mode max (every GE4Rec config). */
export class PlateauStopper {
  private s: StopperState;
  constructor(
    lr: number,
    readonly opts: StopperOptions = FUXICTR_STOPPER,
  ) {
    this.s = { best: -Infinity, stoppingSteps: 0, lr, stop: false };
  }

  step(value: number): StopperStep {
    // FuxiCTR: `value < best + min_delta` is a miss. A NaN score would compare false there and count as an
    // improvement; we count it as a miss instead so a diverged epoch never becomes the "best" weights.
    const miss = Number.isNaN(value) || value < this.s.best + this.opts.minDelta;
    if (miss) {
      this.s.stoppingSteps += 1;
      this.s.lr = Math.max(this.s.lr * this.opts.factor, this.opts.minLr);
    } else {
      this.s.stoppingSteps = 0;
      this.s.best = value;
    }
    if (this.s.stoppingSteps >= this.opts.patience) this.s.stop = true;
    return { improved: !miss, lr: this.s.lr, stop: this.s.stop };
  }

  get state(): StopperState {
    return { ...this.s };
  }
  set state(s: StopperState) {
    this.s = { ...s };
  }
}
