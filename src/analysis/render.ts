// Headless chart rendering: Vega-Lite spec -> Vega view (renderer 'none') -> SVG -> PNG via resvg.
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../util/fs.js';

export interface RenderedChart {
  svg: string;
  png: Buffer;
  /** PNG pixel size. */
  width: number;
  height: number;
}

/** PNG pixels per SVG unit. */
export const PNG_SCALE = 2;

export async function renderChart(spec: TopLevelSpec, scale = PNG_SCALE): Promise<RenderedChart> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    // Embedded images (the correlation heat maps) are cell grids: scaled without smoothing, in resvg and browsers.
    const svg = (await view.toSVG()).replace(/<image /g, '<image image-rendering="optimizeSpeed" style="image-rendering:pixelated" ');
    const r = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    }).render();
    return { svg, png: r.asPng(), width: r.width, height: r.height };
  } finally {
    view.finalize();
  }
}

/** Writes `<base>.svg` and `<base>.png` atomically; returns both paths and the PNG size. */
export async function writeChart(
  base: string,
  spec: TopLevelSpec,
): Promise<{ svg: string; png: string; width: number; height: number }> {
  const c = await renderChart(spec);
  writeFileAtomic(`${base}.svg`, c.svg);
  writeFileAtomic(`${base}.png`, c.png);
  return { svg: `${base}.svg`, png: `${base}.png`, width: c.width, height: c.height };
}
