// Figures, not a test: train-step time of every Table 1 model (Criteo x1 configs, DIS and GEN) in the real Engine on
// synthetic batches with Criteo's field layout (13 numeric + 26 categorical). Run:
//   node --import tsx test/models/models.bench.ts [batch=4096] [steps=3] [threads=1] [model]
import { Engine } from '../../src/engine/engine.js';
import type { Batch, FieldInfo } from '../../src/data/types.js';
import { defaultExperiment } from '../../src/models/config.js';
import { table1Models } from '../../src/models/catalog.js';
import { modelFn } from '../../src/models/index.js';
import { Rng } from '../../src/util/rng.js';

const [bs = 4096, steps = 3, threads = 1] = process.argv.slice(2, 5).map(Number);
const only = process.argv[5]; // optional model name filter
const fields: FieldInfo[] = [
  ...Array.from({ length: 13 }, (_, i) => ({ name: `I${i + 1}`, type: 'numeric' as const })),
  ...Array.from({ length: 26 }, (_, i) => ({ name: `C${i + 1}`, type: 'categorical' as const, vocabSize: 2000 })),
];
const rng = new Rng(1);
const batch: Batch = {
  size: bs,
  cat: Int32Array.from({ length: bs * 26 }, () => 1 + rng.int(1999)),
  num: Float32Array.from({ length: bs * 13 }, () => rng.uniform()),
  label: Float32Array.from({ length: bs }, () => (rng.uniform() < 0.25 ? 1 : 0)),
};
console.log(`batch ${bs}, ${steps} timed steps after 1 warm-up, threads ${threads}`);
for (const m of table1Models().filter((x) => !only || x === only))
  for (const par of ['dis', 'gen'] as const) {
    const e = defaultExperiment(m, 'criteo_x1', par);
    const engine = await Engine.create({
      model: modelFn(e.modelConfig), fields, embeddingDim: e.embeddingDim, learningRate: e.learningRate,
      embeddingRegularizer: e.embeddingRegularizer, netRegularizer: e.netRegularizer, clipNorm: 10,
      embeddingOptimizer: 'lazy', seed: e.seed, device: 'cpu', threads,
    });
    await engine.trainStep(batch);
    const s0 = engine.stats();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await engine.trainStep(batch);
    const ms = (performance.now() - t0) / steps;
    const st = engine.stats();
    const per = (a: number, b: number): string => ((a - b) / steps).toFixed(0);
    console.log(
      `${e.expid.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms/step (graph ${per(st.graphMs, s0.graphMs)}, gather ${per(st.gatherMs, s0.gatherMs)}, ` +
        `update ${per(st.updateMs, s0.updateMs)})  dense params ${st.denseParams}  compile ${engine.compileMs.toFixed(0)} ms`,
    );
    await engine.dispose();
  }
