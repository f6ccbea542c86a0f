// GE4Rec's CrossNetV2 (fuxictr/pytorch/layers/interactions/cross_net.py in GE4Rec, facts §2.7):
//   c_l = GEN_l(use_gen_rst ? x_l : x_0);  x_{l+1} = Dropout_{cross_drop}(x_l + c_l ⊙ (x_l·W_l))
// W_l is Linear(n, n) WITHOUT bias (upstream FuxiCTR's cross layer has a bias), and the functional dropout acts on
// the whole x_{l+1} during training only. With DIS configs c_l = x_0: the bias-free DCNv2 cross layer.
import type { Tensor } from '../../engine/graph.js';
import type { ModelContext } from '../../engine/api.js';
import type { ModelConfig } from '../config.js';
import { linear } from './linear.js';
import { genEncoder } from './gen.js';
import { recordInteraction } from '../common.js';

export function crossNet(ctx: ModelContext, x0: Tensor, n: number, cfg: ModelConfig): Tensor {
  let x = x0;
  for (let l = 0; l < cfg.numCrossLayers; l++) {
    const c = genEncoder(ctx, `cross.gen.${l}`, cfg.useGenRst ? x : x0, n, cfg);
    const wx = linear(ctx, `cross.${l}`, x, n, n, false);
    // The analysis records, as GE4Rec's CrossNetV2 does: the two factors of the Hadamard product, the GEN output c_l
    // (left) and the layer's transform W_l·x_l (right); the paper's correlation maps use layer 0's pair.
    recordInteraction(ctx, c, wx, l);
    x = x.add(c.mul(wx));
    if (cfg.crossDrop > 0) x = ctx.dropout(x, cfg.crossDrop);
  }
  return x;
}
