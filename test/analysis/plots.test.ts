import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { correlationChart, spectrumChart, tableSpectraChart } from '../../src/analysis/charts.js';
import { PNG_SCALE, writeChart } from '../../src/analysis/render.js';
import { checkPngMatchesSvg } from './png-check.js';

test('spectrum, table-spectrum and correlation charts render to SVG and a decodable PNG of the right size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-plots-'));
  try {
    const geo = (n: number, q: number) => Float64Array.from({ length: n }, (_, i) => q ** i);
    const spec = await writeChart(join(dir, 'spectrum'), spectrumChart([
      { label: 'DIS', batchSeed: 0, normalized: geo(40, 0.5) },
      { label: 'GEN', batchSeed: 0, normalized: geo(40, 0.8) },
    ], 'test spectrum'));
    const s = checkPngMatchesSvg(spec.png, spec.svg);
    // 520 px wide plot area plus axes and legend, at 2× zoom.
    assert.ok(s.width > 520 * PNG_SCALE && s.height > 320 * PNG_SCALE, `${s.width} × ${s.height}`);
    assert.equal(spec.width, s.width);
    const svg = readFileSync(spec.svg, 'utf8');
    assert.match(svg, /normalised singular value/);
    assert.match(svg, /GEN/);

    const n = 24;
    const m = Float64Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : Math.sin(i) * 0.3));
    const corr = await writeChart(join(dir, 'corr'), correlationChart([
      { label: 'DIS', matrix: m, n },
      { label: 'GEN', matrix: m.map((v) => v / 3), n },
    ], 'test correlation', 4));
    const c = checkPngMatchesSvg(corr.png, corr.svg);
    // Two panels of n cells of 15 px (360 / 24) each, at 2× zoom.
    assert.ok(c.width > 2 * n * 15 * PNG_SCALE, `${c.width}`);
    const cells = (readFileSync(corr.svg, 'utf8').match(/<path d="M[\d.]+,[\d.]+h15v15h-15Z"/g) ?? []).length;
    assert.equal(cells, 2 * n * n);
    // Decoded pixels: the top-left diagonal cell of the DIS panel is the dark red of corr = 1.
    const png = PNG.sync.read(readFileSync(corr.png));
    const red = [...png.data].filter((_, i) => i % 4 === 0 && png.data[i] > 150 && png.data[i + 2] < 60).length;
    assert.ok(red > 0, 'some strongly red (corr ≈ 1) pixels');

    const tab = await writeChart(join(dir, 'tables'), tableSpectraChart([
      { label: 'DIS', field: 'C1', cardinality: 1000, normalized: geo(8, 0.3) },
      { label: 'GEN', field: 'C1', cardinality: 1000, normalized: geo(8, 0.6) },
    ], 'test tables'));
    checkPngMatchesSvg(tab.png, tab.svg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
