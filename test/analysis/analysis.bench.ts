// Prints the cost of the analysis at the paper's size (a 50,000-row batch of 39 × 10 = 390 columns):
// covariance + spectrum, left/right correlation, and the heat-map rendering. Run:
//   node --import tsx test/analysis/analysis.bench.ts [rows] [cols]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { correlationChart, spectrumChart } from '../../src/analysis/charts.js';
import { interactionCorrelation } from '../../src/analysis/correlation.js';
import { centeredCrossProductOrt } from '../../src/analysis/gram-ort.js';
import { centeredCrossProduct, mat } from '../../src/analysis/matrix.js';
import { writeChart } from '../../src/analysis/render.js';
import { covarianceSpectrum } from '../../src/analysis/spectrum.js';
import { Rng } from '../../src/util/rng.js';

const rows = Number(process.argv[2] ?? 50_000);
const cols = Number(process.argv[3] ?? 390);
const fields = cols % 39 === 0 ? 39 : cols % 24 === 0 ? 24 : 1;
const rng = new Rng(1);
const left = new Float32Array(rows * cols);
const right = new Float32Array(rows * cols);
rng.fillNormal(left, 1);
rng.fillNormal(right, 1);
const time = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  const r = await f();
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  return r;
};
console.log(`analysis at ${rows} × ${cols} (load average ${loadavg().map((v) => v.toFixed(2)).join(' ')})`);
for (const [name, cross] of [['js', centeredCrossProduct], ['onnxruntime', centeredCrossProductOrt]] as const) {
  await time(`${name}: covariance + eigen spectrum`, () => covarianceSpectrum(mat(left, rows, cols), cross));
  await time(`${name}: left × right Pearson correlation`, () => interactionCorrelation(mat(left, rows, cols), mat(right, rows, cols), fields, cross));
  await time(`${name}: DIS correlation (left = right, symmetric)`, () => interactionCorrelation(mat(left, rows, cols), mat(left, rows, cols), fields, cross));
}
const s = await covarianceSpectrum(mat(left, rows, cols), centeredCrossProductOrt);
const c = await interactionCorrelation(mat(left, rows, cols), mat(right, rows, cols), fields, centeredCrossProductOrt);
const dir = mkdtempSync(join(tmpdir(), 'ge4rec-bench-'));
const t = performance.now();
const h = await writeChart(join(dir, 'corr'), correlationChart([{ label: 'DIS', matrix: c.matrix, n: cols }, { label: 'GEN', matrix: c.matrix, n: cols }], 'bench', cols / fields));
console.log(`correlation heat maps (2 × ${cols}²) to SVG + PNG: ${((performance.now() - t) / 1000).toFixed(2)} s, SVG ${(statSync(h.svg).size / 1e6).toFixed(1)} MB, PNG ${(statSync(h.png).size / 1e6).toFixed(1)} MB`);
const t2 = performance.now();
await writeChart(join(dir, 'spec'), spectrumChart([{ label: 'DIS', batchSeed: 0, normalized: s.normalized }], 'bench'));
console.log(`spectrum chart: ${((performance.now() - t2) / 1000).toFixed(2)} s`);
rmSync(dir, { recursive: true, force: true });
