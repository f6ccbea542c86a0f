// What a run must satisfy to be published (renamed into its run folder and quoted in Table 1). A run that fails
// keeps its `.partial` folder with failed.json listing the reasons, and the command exits non-zero.
import type { FitResult } from './fit.js';
import { UserError } from '../util/errors.js';

/** A run that finished training but failed the publish rule (reproduce goes on with the other runs, then fails). */
export class RunNotPublished extends UserError {}

export const FAILED_FILE = 'failed.json';

/**
 * Mean train loss above this is an exploded run. The loss is binary cross-entropy on probabilities clipped at 1e-7
 * (at most −ln 1e-7 ≈ 16.1 per row) plus small L2 terms; a working model stays far below 1, so 100 leaves a wide
 * margin for heavy regularisation while a diverged run (lr 1e6: mean loss 1e15) is caught.
 */
export const MAX_TRAIN_LOSS = 100;

/** The reasons a finished fit must not be published; empty when it may be. */
export function publishProblems(res: FitResult): string[] {
  const out: string[] = [];
  if (res.epochsRun < 1) out.push('no epoch was trained (epochs < 1?)');
  for (const h of res.history) {
    if (!Number.isFinite(h.train_loss)) out.push(`epoch ${h.epoch}: mean train loss is ${h.train_loss}`);
    else if (h.train_loss > MAX_TRAIN_LOSS) out.push(`epoch ${h.epoch}: mean train loss ${h.train_loss.toExponential(3)} exceeds ${MAX_TRAIN_LOSS} (the training diverged; lower the learning rate)`);
    if (out.length >= 3) break;
  }
  if (res.epochsRun >= 1 && res.bestEpoch < 1) out.push('no epoch improved the validation monitor (non-finite validation scores)');
  const { rows, positives } = res.validClasses;
  if (rows === 0) out.push('the validation split is empty');
  else if (positives === 0 || positives === rows) out.push(`the validation split has only ${positives === 0 ? 'negative' : 'positive'} labels (${rows} rows): AUC is undefined`);
  for (const [split, m] of [['valid', res.valid], ['test', res.test]] as const)
    for (const [k, v] of Object.entries(m)) if (!Number.isFinite(v)) out.push(`${split} ${k} is ${v}`);
  return out;
}
