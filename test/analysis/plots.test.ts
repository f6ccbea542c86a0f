import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { axisFloor, correlationChart, floorArrival, noiseFloor, spectrumChart, tableSpectraChart } from '../../src/analysis/charts.js';
import { coolwarm, heatmapPng, level } from '../../src/analysis/heatmap-image.js';
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
    // The matrices are embedded images (one per panel), not one SVG element per cell.
    const corrSvg = readFileSync(corr.svg, 'utf8');
    assert.equal((corrSvg.match(/<image /g) ?? []).length, 2);
    assert.equal((corrSvg.match(/<path d="M[\d.]+,[\d.]+h15v15h-15Z"/g) ?? []).length, 0);
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

test('table spectra: one continuous colour bar for log-cardinality beside the panels, no legend of symbols', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-tabspec-'));
  try {
    const geo = (n: number, q: number) => Float64Array.from({ length: n }, (_, i) => q ** i);
    const cards = [2, 40, 900, 25_000, 600_000];
    const series = ['DIS', 'GEN'].flatMap((label) =>
      cards.map((c, k) => ({ label, field: `C${k + 1}`, cardinality: c, normalized: geo(8, 0.2 + 0.1 * k) })),
    );
    const out = await writeChart(join(dir, 'tables'), tableSpectraChart(series, 'bar'));
    const svg = readFileSync(out.svg, 'utf8');
    assert.equal((svg.match(/role-legend/g) ?? []).length, 0, 'no Vega legend (a line mark would get symbols)');
    // The bar: 64 rects running from the domain's bottom (log10 1 = 0) to its top (log10 1M = 6), labelled once.
    assert.equal((svg.match(/class="mark-rect role-mark/g) ?? []).length, 1);
    for (const label of ['10', '100', '1k', '10k', '100k', '1M']) { // ('1' is also a rank on the x axes)
      assert.equal((svg.match(new RegExp(`>${label}</text>`, 'g')) ?? []).length, 1, label);
    }
    checkPngMatchesSvg(out.png, out.svg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('correlation map of a Criteo-size DCNv2 matrix (624 × 624): small SVG, field names, boundaries, numeric fields marked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-corr-'));
  try {
    const F = 39;
    const D = 16;
    const n = F * D;
    const m = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.7) * (Math.floor(i / n / D) === Math.floor((i % n) / D) ? 1 : 0.1));
    const fields = Array.from({ length: F }, (_, f) => (f < 13 ? { name: `I${f + 1}`, type: 'numeric' } : { name: `C${f - 12}`, type: 'categorical' }));
    const out = await writeChart(join(dir, 'corr'), correlationChart([{ label: 'DIS', matrix: m, n }, { label: 'GEN', matrix: m, n }], 'size', D, fields));
    const bytes = statSync(out.svg).size;
    // n² rects were 16 MB for this size; two embedded 8-bit images of n² pixels stay well under 2 MB.
    assert.ok(bytes < 2_000_000, `${bytes} bytes`);
    const svg = readFileSync(out.svg, 'utf8');
    for (const name of ['I1', 'I13', 'C1', 'C26']) assert.ok(svg.includes(`>${name}</text>`), name);
    // Numeric field names in orange, categorical in grey.
    assert.match(svg, /fill="#d9480f"[^>]*>I7<\/text>/);
    assert.match(svg, /fill="#444"[^>]*>C7<\/text>/);
    // F − 1 boundaries per direction and panel.
    assert.equal((svg.match(/class="mark-rule role-mark/g) ?? []).length, 4);
    checkPngMatchesSvg(out.png, out.svg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('heat-map image: palette PNG of the right size, cool-warm ends and middle', () => {
  assert.deepEqual(coolwarm(-1), [0x3b, 0x4c, 0xc0]);
  assert.deepEqual(coolwarm(0), [0xdd, 0xdd, 0xdd]);
  assert.deepEqual(coolwarm(1), [0xb4, 0x04, 0x26]);
  assert.deepEqual(coolwarm(5), coolwarm(1));
  assert.equal(level(-1), 0);
  assert.equal(level(1), 255);
  const png = PNG.sync.read(heatmapPng(Float64Array.from([1, -1, 0, 0.5, 0, 0]), 2, 3));
  assert.equal(png.width, 3);
  assert.equal(png.height, 2);
  assert.deepEqual([...png.data.subarray(0, 3)], coolwarm(1));
  assert.deepEqual([...png.data.subarray(4, 7)], coolwarm(-1));
});

test('spectrum plot: axis stops at the noise floor, each curve marked where it reaches it, guides labelled', async () => {
  assert.ok(noiseFloor(390) > 1e-14 && noiseFloor(390) < 1e-12);
  assert.equal(axisFloor(390), 1e-14);
  const collapsed = Float64Array.from({ length: 390 }, (_, i) => (i < 256 ? 10 ** (-i / 40) : 1e-17));
  assert.equal(floorArrival(collapsed), 257);
  assert.equal(floorArrival(Float64Array.from({ length: 10 }, (_, i) => 10 ** -i)), null);
  const dir = mkdtempSync(join(tmpdir(), 'ge4rec-spec-'));
  try {
    const out = await writeChart(join(dir, 's'), spectrumChart([
      { label: 'DIS', batchSeed: 0, normalized: collapsed },
      { label: 'GEN', batchSeed: 0, normalized: Float64Array.from({ length: 390 }, (_, i) => 10 ** (-i / 40)) },
    ], 't'));
    const svg = readFileSync(out.svg, 'utf8');
    assert.ok(svg.includes('>DIS: rank 257</text>'));
    assert.ok(!svg.includes('GEN: rank'));
    assert.ok(svg.includes('>1e-3</text>') && svg.includes('>1e-6</text>'));
    assert.ok(svg.includes('>1e-14</text>'), 'the axis ends at the floor');
    assert.ok(!svg.includes('>1e-18</text>'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("correlation map: the columns are labelled with what the right side holds (raw, or a cross layer's W·x)", async () => {
  const n = 8;
  const m = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const raw = JSON.stringify(correlationChart([{ label: 'DIS', matrix: m, n }], 't', 2));
  assert.match(raw, /right \(raw\) embedding: field/);
  assert.match(raw, /columns: right side \(raw\)/);
  const cross = JSON.stringify(correlationChart([{ label: 'DIS', matrix: m, n }], 't', 2, undefined, "the cross layer's transform W·x"));
  assert.match(cross, /right embedding \(W·x\): field/);
  assert.match(cross, /columns: right side \(the cross layer's transform W·x\)/);
  assert.doesNotMatch(cross, /\(raw\) embedding/);
});
