// 20 training steps of the engine against the independent plain-TypeScript reference (forward, backward, L2,
// clipping, Adam) — loss after each step and final parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.js';
import { RefTable } from '../reference/engine/torch-adam.js';
import { TinyReference, type Dense } from '../reference/engine/tiny-model.js';
import { FIELDS, D, HIDDEN, tinyModel, makeBatches } from './tiny-model.js';

interface Case {
  floatType: 'float32' | 'float64';
  mode: 'dense' | 'lazy';
  clipNorm: number;
  tol: number;
}

async function compare(c: Case): Promise<void> {
  const hyper = { lr: 0.03, lambdaEmb: 0.05, lambdaNet: 0.02, clipNorm: c.clipNorm, mode: c.mode };
  const engine = await Engine.create({
    model: tinyModel, fields: FIELDS, embeddingDim: D, learningRate: hyper.lr, embeddingRegularizer: hyper.lambdaEmb,
    netRegularizer: hyper.lambdaNet, clipNorm: c.clipNorm, embeddingOptimizer: c.mode, seed: 7, device: 'cpu',
    floatType: c.floatType, threads: 2,
  });
  try {
    const dense: Dense = {};
    for (const [name, v] of engine.denseParameters()) dense[name] = Float64Array.from(v.data);
    const tables: RefTable[] = [];
    for (const f of FIELDS.filter((x) => x.type === 'categorical')) {
      const t = engine.embeddingTable(f.name);
      tables.push(new RefTable(t.rows, D, t.data));
      tables.push(new RefTable(t.rows, 1, engine.lrTable(f.name).data));
    }
    // Starting from the engine's initial values, the embedding tables must be ~N(0, 1e-4²) and non-trivial.
    assert.ok(tables[0].w.some((x) => x !== 0));
    const ref = new TinyReference({ types: FIELDS.map((f) => f.type), D, hidden: HIDDEN }, hyper, dense, tables);
    const batches = makeBatches(20, 12, 99, 5);
    let clipped = 0;
    for (const [i, b] of batches.entries()) {
      if (i === 10) {
        // Learning-rate decay between steps (FuxiCTR's plateau ×0.1): a fed scalar, same session.
        hyper.lr *= 0.1;
        engine.learningRate = hyper.lr;
      }
      const refLoss = ref.trainStep(b.cat, b.num, b.label, b.size);
      if (ref.lastCoef < 1) clipped++;
      const { loss } = await engine.trainStep(b);
      assert.ok(Math.abs(loss - refLoss) <= c.tol, `step ${i + 1}: loss ${loss} vs reference ${refLoss} (${c.floatType}, ${c.mode})`);
    }
    if (c.clipNorm < 1) assert.ok(clipped > 0, 'clipping must have been active');
    for (const [name, v] of engine.denseParameters()) {
      const r = dense[name];
      for (let i = 0; i < r.length; i++)
        assert.ok(Math.abs(v.data[i] - r[i]) <= c.tol * 10 * (1 + Math.abs(r[i])), `${name}[${i}]: ${v.data[i]} vs ${r[i]}`);
    }
    const t = engine.embeddingTable('c3');
    for (let i = 0; i < t.data.length; i++)
      assert.ok(Math.abs(t.data[i] - tables[4].w[i]) <= c.tol * 10, `c3[${i}]: ${t.data[i]} vs ${tables[4].w[i]}`);
    assert.equal(engine.stats().steps, 20);
  } finally {
    await engine.dispose();
  }
}

test('float64 graph, dense embedding Adam: 20 losses match the reference within 1e-5', async () => {
  await compare({ floatType: 'float64', mode: 'dense', clipNorm: 10, tol: 1e-5 });
});

test('float64 graph, clipping active (max norm 0.05), dense: matches the reference', async () => {
  await compare({ floatType: 'float64', mode: 'dense', clipNorm: 0.05, tol: 1e-5 });
});

test('float64 graph, lazy embedding Adam with clipping: matches the lazy reference', async () => {
  await compare({ floatType: 'float64', mode: 'lazy', clipNorm: 0.05, tol: 1e-5 });
});

test('float32 graph, dense: close to the float64 reference', async () => {
  await compare({ floatType: 'float32', mode: 'dense', clipNorm: 10, tol: 1e-4 });
});
