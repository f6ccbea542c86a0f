// GE4Rec's CrossNetV2 (fuxictr/pytorch/layers/interactions/cross_net.py in GE4Rec, facts §2.7):
//   c_l = GEN_l(use_gen_rst ? x_l : x_0);  x_{l+1} = Dropout_{cross_drop}(x_l + c_l ⊙ (x_l·W_l))
// W_l is Linear(n, n) WITHOUT bias (upstream FuxiCTR's cross layer has a bias), and the functional dropout acts on
// the whole x_{l+1} during training only. With DIS configs c_l = x_0: the bias-free DCNv2 cross layer.
// Target ablation (the paper's use_*_predict, Fig. 5(c)): the output is instead Σ_l of the selected fields' cross
// terms c_l ⊙ (x_l·W_l), [B, k·D]; random: k fields drawn per layer and step in training, the k highest-cardinality
// fields in evaluation (as the paper's code); high/low: the k highest/lowest-cardinality fields.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import type { ModelConfig } from '../config.js';
import { linear } from './linear.js';
import { cardinalityOrder, genEncoder } from './gen.js';
import { recordInteraction } from '../common.js';

/** Returns x_L [B, n], or with cfg.predictTarget the summed selected cross terms [B, k·D]. */
export function crossNet(ctx: ModelContext, x0: Tensor, n: number, cfg: ModelConfig): Tensor {
  const F = ctx.fields.length;
  const D = n / F;
  const target = cfg.predictTarget;
  if (target && target.numTarget > F) throw new Error(`num_target ${target.numTarget} exceeds the ${F} fields`);
  let x = x0;
  let picked: Tensor | null = null;
  for (let l = 0; l < cfg.numCrossLayers; l++) {
    const c = genEncoder(ctx, `cross.gen.${l}`, cfg.useGenRst ? x : x0, n, cfg);
    const wx = linear(ctx, `cross.${l}`, x, n, n, false);
    // The analysis records, as GE4Rec's CrossNetV2 does: the two factors of the Hadamard product, the GEN output c_l
    // (left) and the layer's transform W_l·x_l (right); the paper's correlation maps use layer 0's pair.
    recordInteraction(ctx, c, wx, l);
    const term = c.mul(wx);
    if (target) {
      const sel = term.reshape(['B', F, D]).gather(targetFields(ctx, target), 1).reshape(['B', target.numTarget * D]);
      picked = picked ? picked.add(sel) : sel;
    }
    x = x.add(term);
    if (cfg.crossDrop > 0) x = ctx.dropout(x, cfg.crossDrop);
  }
  return picked ?? x;
}

function targetFields(ctx: ModelContext, t: NonNullable<ModelConfig['predictTarget']>): Tensor {
  const order = cardinalityOrder(ctx);
  const top = order.slice(0, t.numTarget);
  if (t.mode === 'random') return ctx.randomFields(t.numTarget, top);
  const fixed = t.mode === 'high_cardinality' ? top : order.slice(order.length - t.numTarget);
  return ctx.g.constant(fixed, [t.numTarget], 'int64');
}
