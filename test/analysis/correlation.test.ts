import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interactionCorrelation, summarizeCorrelation } from '../../src/analysis/correlation.js';
import { mat } from '../../src/analysis/matrix.js';
import { fieldsByCardinality, tableSpectrum } from '../../src/analysis/table-spectra.js';
import type { FieldInfo } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';
import { gaussian, matmul } from './helpers.js';

test('intra-field vs inter-field split on a hand-made 4 × 4 matrix (2 fields of 2 dims)', () => {
  // prettier-ignore
  const m = new Float64Array([
    1.0,  0.5, 0.1, -0.1,
    -0.3, 0.8, 0.2,  0.0,
    0.1,  0.0, 0.6,  0.4,
    -0.2, 0.3, 0.2,  1.0,
  ]);
  const s = summarizeCorrelation(m, 4, 2);
  // intra (same field, a ≠ b): 0.5, 0.3, 0.4, 0.2 → 1.4 / 4
  assert.ok(Math.abs(s.meanAbsIntraField - 0.35) < 1e-12);
  // inter: 0.1, 0.1, 0.2, 0.0, 0.1, 0.0, 0.2, 0.3 → 1.0 / 8
  assert.ok(Math.abs(s.meanAbsInterField - 0.125) < 1e-12);
  assert.ok(Math.abs(s.meanAbsOffDiagonal - 2.4 / 12) < 1e-12);
  assert.ok(Math.abs(s.meanDiagonal - (1 + 0.8 + 0.6 + 1) / 4) < 1e-12);
  assert.ok(Math.abs(s.meanAbsDiagonal - 0.85) < 1e-12);
  assert.ok(Math.abs(s.meanAbsAll - (2.4 + 3.4) / 16) < 1e-12);
  assert.equal(s.fieldDim, 2);
  assert.throws(() => summarizeCorrelation(m, 4, 3), /do not split/);
});

test('DIS (left = right) has a unit diagonal; an unrelated left side is ≈ 0 everywhere', async () => {
  const rng = new Rng(9);
  const rows = 8000;
  const F = 3;
  const D = 4;
  const n = F * D;
  // Correlated raw columns: independent latent factors mixed within each row.
  const raw = Float32Array.from(matmul(gaussian(rng, rows, n), gaussian(rng, n, n), rows, n, n));
  const dis = await interactionCorrelation(mat(raw, rows, n), mat(raw, rows, n), F);
  assert.ok(Math.abs(dis.summary.meanDiagonal - 1) < 1e-6);
  assert.ok(dis.summary.meanAbsOffDiagonal > 0.1, `mixed columns are correlated: ${dis.summary.meanAbsOffDiagonal}`);
  const other = Float32Array.from(gaussian(rng, rows, n));
  const gen = await interactionCorrelation(mat(other, rows, n), mat(raw, rows, n), F);
  assert.ok(gen.summary.meanAbsOffDiagonal < 0.03, `${gen.summary.meanAbsOffDiagonal}`);
  assert.ok(Math.abs(gen.summary.meanDiagonal) < 0.03);
  assert.equal(gen.summary.constantColumns, 0);
});

test('table spectra: fields by descending cardinality, padding row ignored, rank visible', async () => {
  const fields: FieldInfo[] = [
    { name: 'a', type: 'categorical', vocabSize: 10 },
    { name: 'x', type: 'numeric' },
    { name: 'b', type: 'categorical', vocabSize: 500 },
    { name: 'c', type: 'categorical', vocabSize: 10 },
  ];
  assert.deepEqual(fieldsByCardinality(fields).map((f) => f.name), ['b', 'a', 'c']);
  const rng = new Rng(11);
  const rows = 300;
  const dim = 6;
  const data = Float32Array.from(matmul(gaussian(rng, rows, 2), gaussian(rng, 2, dim), rows, 2, dim));
  const s = await tableSpectrum(fields[2], { data, rows, dim });
  assert.equal(s.summary.above1e6, 2); // float32 rounding sits near 1e-8 relative to σ², far below 1e-6
  assert.equal(s.rowsUsed, rows - 1);
  // A wild padding row must not change anything: row 0 is left out.
  const padded = data.slice();
  padded.fill(1e3, 0, dim);
  const p = await tableSpectrum(fields[2], { data: padded, rows, dim });
  assert.deepEqual([...p.normalized], [...s.normalized]);
});
