// Checks that a rendered chart's PNG decodes and has the size its SVG declares (times the zoom).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { PNG_SCALE } from '../../src/analysis/render.js';

/** The PNG decodes and its size is the SVG's declared size times the zoom. */
export function checkPngMatchesSvg(pngPath: string, svgPath: string): { width: number; height: number } {
  const svg = readFileSync(svgPath, 'utf8');
  const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  assert.ok(m, 'svg has width and height');
  const png = PNG.sync.read(readFileSync(pngPath));
  assert.equal(png.width, Math.round(Number(m[1]) * PNG_SCALE));
  assert.equal(png.height, Math.round(Number(m[2]) * PNG_SCALE));
  return { width: png.width, height: png.height };
}
