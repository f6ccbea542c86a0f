// GE4Rec's CrossNetV2 (fuxictr/pytorch/layers/interactions/cross_net.py in GE4Rec, facts §2.7):
//   c_l = GEN_l(use_gen_rst ? x_l : x_0);  x_{l+1} = Dropout_{cross_drop}(x_l + c_l ⊙ (x_l·W_l))
// W_l is Linear(n, n) WITHOUT bias (upstream FuxiCTR's cross layer has a bias), and the functional dropout acts on
// the whole x_{l+1} during training only. With DIS configs c_l = x_0: the bias-free DCNv2 cross layer.
// Target ablation (the paper's use_*_predict, Fig. 5(c)): the output is instead Σ_l of the selected fields' cross
// terms c_l ⊙ (x_l·W_l), [B, k·D]; random: k fields drawn per layer and step in training, the k highest-cardinality
// fields in evaluation (as the paper's code); high/low: the k highest/lowest-cardinality fields.
// Masked targets (the paper's (c.2)-(c.4), App. B.6: mask some source fields, generate them as the target): in training
// one draw of k fields per step serves every layer: in each GEN's input those fields are replaced by the mask (one
// learnable vector, one per field, or zeros), and their cross terms are the target as above. The W_l·x_l side, the
// residual and the DNN keep the raw embeddings. In evaluation nothing is masked (as the mask of the paper's DeepFM,
// which applies in training only) and the target is the k highest-cardinality fields, i.e. exactly (c.1)'s eval.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import type { MaskMode, ModelConfig } from '../config.js';
import { linear } from './linear.js';
import { cardinalityOrder, genEncoder } from './gen.js';
import { recordInteraction } from '../common.js';

/** Returns x_L [B, n], or with cfg.predictTarget the summed selected cross terms [B, k·D]. */
export function crossNet(ctx: ModelContext, x0: Tensor, n: number, cfg: ModelConfig): Tensor {
  const F = ctx.fields.length;
  const D = n / F;
  const target = cfg.predictTarget;
  if (target && target.numTarget > F) throw new Error(`num_target ${target.numTarget} exceeds the ${F} fields`);
  const mask = target && isMaskMode(target.mode) && ctx.training ? sourceMask(ctx, target.mode, target.numTarget, D) : null;
  let x = x0;
  let picked: Tensor | null = null;
  for (let l = 0; l < cfg.numCrossLayers; l++) {
    const src = cfg.useGenRst ? x : x0;
    const c = genEncoder(ctx, `cross.gen.${l}`, mask ? mask.apply(src) : src, n, cfg);
    const wx = linear(ctx, `cross.${l}`, x, n, n, false);
    // The analysis records, as GE4Rec's CrossNetV2 does: the two factors of the Hadamard product, the GEN output c_l
    // (left) and the layer's transform W_l·x_l (right); the paper's correlation maps use layer 0's pair.
    recordInteraction(ctx, c, wx, l);
    const term = c.mul(wx);
    if (target) {
      const fields = mask ? mask.fields : targetFields(ctx, target);
      const sel = term.reshape(['B', F, D]).gather(fields, 1).reshape(['B', target.numTarget * D]);
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
  // high, and the masked modes in evaluation: the k highest-cardinality fields.
  const fixed = t.mode === 'low_cardinality' ? order.slice(order.length - t.numTarget) : top;
  return ctx.g.constant(fixed, [t.numTarget], 'int64');
}

export function isMaskMode(mode: NonNullable<ModelConfig['predictTarget']>['mode']): mode is MaskMode {
  return mode === 'masked' || mode === 'field_masked' || mode === 'hard_masked';
}

/**
 * The training-time source mask: k fields drawn once per step (evaluation choice: the k highest-cardinality fields,
 * unused since evaluation does not mask) and `apply`, which replaces those fields of a [B, F·D] input by the mask.
 * The mask vectors are the weight of an nn.Embedding (1 or F rows), as the paper's DeepFM declares its `mask_emb`:
 * PyTorch's N(0, 1) init (FuxiCTR's reset_parameters re-initialises only Linear and Conv1d), under
 * embedding_regularizer (FuxiCTR v2.3.1 regularises every nn.Embedding weight so). Evaluation graphs lack it.
 */
function sourceMask(ctx: ModelContext, mode: MaskMode, k: number, D: number): { fields: Tensor; apply: (x: Tensor) => Tensor } {
  const F = ctx.fields.length;
  const fields = ctx.randomFields(k, cardinalityOrder(ctx).slice(0, k));
  // 1 at the drawn fields: rows of the F×F identity, summed (the k fields are distinct).
  const eye = ctx.g.constant(Array.from({ length: F * F }, (_, i) => (i % (F + 1) === 0 ? 1 : 0)), [F, F]);
  const hit = eye.gather(fields, 0).sum([0]).reshape([F, 1]);
  const keep = hit.neg().add(1);
  let fill: Tensor | null = null;
  if (mode !== 'hard_masked') {
    const rows = mode === 'masked' ? 1 : F;
    fill = hit.mul(ctx.param('mask_emb', [rows, D], { kind: 'normal', std: 1 }, 'embedding'));
  }
  const apply = (x: Tensor): Tensor => {
    const kept = x.reshape(['B', F, D]).mul(keep);
    return (fill ? kept.add(fill) : kept).reshape(['B', F * D]);
  };
  return { fields, apply };
}
