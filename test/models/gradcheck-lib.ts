// Full-model gradient check: reverse-mode `grad` through a model's graph against central finite differences of the
// forward graph, float64, for the embeddings, the LR output and every parameter (sampled coordinates).
import assert from 'node:assert/strict';
import { grad } from '../../src/engine/autodiff.js';
import { getModel } from '../../src/models/index.js';
import { Rng } from '../../src/util/rng.js';
import type { FieldInfo } from '../../src/data/types.js';
import type { ModelConfig } from '../../src/models/config.js';
import { TestContext, type HarnessOptions } from './harness.js';

export async function gradCheckModel(model: string, cfg: ModelConfig, opts: HarnessOptions, fields?: FieldInfo[]): Promise<void> {
  const ctx = new TestContext(opts, fields);
  const { B } = opts;
  const logits = getModel(model)(ctx, cfg);
  const rng = new Rng(5);
  const w = ctx.feed('loss_weights', [B], ['B'], () => rng.normal());
  const loss = logits.mul(w).sum();
  const names = [...ctx.values.keys()].filter((k) => k !== 'loss_weights' && !k.endsWith('.running_mean') && !k.endsWith('.running_var'));
  const wrt = names.map((k) => ctx.g.inputs.find((t) => t.name === k)!);
  const grads = grad(loss, wrt);
  const analytic = await ctx.run(Object.fromEntries(grads.map((t, i) => [`d_${i}`, t])));
  const h = 1e-6;
  let checked = 0;
  for (const [i, name] of names.entries()) {
    const base = ctx.values.get(name)!.data;
    const coords = base.length <= 4 ? [...base.keys()] : [0, 1, 2, 3].map(() => rng.int(base.length));
    for (const c of coords) {
      const at = async (delta: number): Promise<number> => {
        const v = Float64Array.from(base);
        v[c] += delta;
        return (await ctx.run({ loss }, new Map([[name, v]]))).loss[0];
      };
      const fd = ((await at(h)) - (await at(-h))) / (2 * h);
      const an = analytic[`d_${i}`][c];
      assert.ok(Math.abs(fd - an) <= 1e-6 * Math.max(1, Math.abs(an)), `${model}: d loss / d ${name}[${c}] = ${an}, finite difference ${fd}`);
      checked++;
    }
  }
  assert.ok(checked > names.length);
}
