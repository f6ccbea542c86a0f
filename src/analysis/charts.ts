// Vega-Lite specs for the analysis figures, in the style of the paper's Fig. 3 (log spectra, DIS solid / GEN dashed
// on one axis), Fig. 9 (per-field table spectra) and Fig. 4 (cool-warm correlation heat maps on [-1, 1]).
import type { TopLevelSpec } from 'vega-lite';
import { COOLWARM_STOPS, heatmapPng } from './heatmap-image.js';

// The paper's plot palette (plot_paper_collapse.py).
const PALETTE = ['#80b1d3', '#f47f72', '#fbb463', '#bdbadb', '#8dd1c6'];
const FONT = 'DejaVu Sans';

export interface SpectrumSeries {
  label: string;
  batchSeed: number;
  normalized: ArrayLike<number>;
}

const baseConfig = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15 },
} as const;

/**
 * Where a normalised spectrum stops carrying information: the eigen solver's error (dim · float64 epsilon of the
 * largest value) or the rounding of the float32 embeddings it was computed from (float32 epsilon, squared in the
 * covariance), whichever is larger. Values at or below it are numerically zero.
 */
export function noiseFloor(dim: number): number {
  return Math.max(dim * Number.EPSILON, 2 ** -48);
}

/** The plots' lower axis end: the noise floor rounded down to a power of ten. */
export function axisFloor(dim: number): number {
  return 10 ** Math.floor(Math.log10(noiseFloor(dim)));
}

/** First 1-based rank whose value is at or below the noise floor, or null when the curve never gets there. */
export function floorArrival(normalized: ArrayLike<number>): number | null {
  const floor = noiseFloor(normalized.length);
  for (let i = 0; i < normalized.length; i++) if (!(normalized[i] > floor)) return i + 1;
  return null;
}

/**
 * Log-scale normalised singular values against rank (paper Fig. 3); one colour and dash per label, one line per
 * batch seed. The axis stops at the noise floor: a curve is drawn down to the first rank at the floor, where a
 * marker says from which rank on the values are numerically zero. The 1e-3 and 1e-6 guides are labelled.
 */
export function spectrumChart(series: SpectrumSeries[], title: string, subtitle?: string, palette: readonly string[] = PALETTE): TopLevelSpec {
  const maxRank = Math.max(1, ...series.map((s) => s.normalized.length));
  const floor = axisFloor(maxRank);
  const values: { label: string; seed: number; rank: number; value: number }[] = [];
  const arrivals: { label: string; seed: number; rank: number; value: number; text: string }[] = [];
  for (const s of series) {
    const at = floorArrival(s.normalized);
    const last = at ?? s.normalized.length;
    for (let i = 0; i < last; i++) values.push({ label: s.label, seed: s.batchSeed, rank: i + 1, value: Math.max(s.normalized[i], floor) });
    if (at !== null) arrivals.push({ label: s.label, seed: s.batchSeed, rank: at, value: floor, text: `${s.label}: rank ${at}` });
  }
  const labels = [...new Set(series.map((s) => s.label))];
  const seeds = new Set(series.map((s) => s.batchSeed)).size;
  // One arrival label per run label (the first batch's) keeps the markers readable with several batches.
  const arrivalText = arrivals.filter((a, i) => arrivals.findIndex((b) => b.label === a.label) === i);
  const x = { field: 'rank', type: 'quantitative', title: 'singular value rank index', scale: { domain: [1, maxRank], nice: false } } as const;
  const y = {
    field: 'value',
    type: 'quantitative',
    title: 'normalised singular value',
    scale: { type: 'log', domain: [floor, 1], nice: false },
    // Ticks every three decades, and the floor itself.
    axis: { format: '.0e', values: [...Array.from({ length: Math.floor(-Math.log10(floor) / 3) + 1 }, (_, k) => 10 ** (-3 * k)).filter((v) => v > floor * 1.5), floor] },
  } as const;
  const color = { field: 'label', type: 'nominal', title: null, scale: { domain: labels, range: [...palette] } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle:
        subtitle ??
        `▼: rank from which a curve is at the float noise floor (${noiseFloor(maxRank).toExponential(1)}: numerically zero)` +
          (seeds > 1 ? `; one line per validation batch (${seeds})` : ''),
    },
    width: 520,
    height: 320,
    config: baseConfig,
    // The arrival markers' fill has no legend of its own; merged with the lines' colour legend it would hide that too.
    resolve: { legend: { fill: 'independent' } },
    layer: [
      {
        data: { values: [{ t: 1e-3, name: '1e-3' }, { t: 1e-6, name: '1e-6' }] },
        layer: [
          { mark: { type: 'rule', color: '#888', strokeDash: [3, 3] }, encoding: { y: { field: 't', type: 'quantitative', scale: { type: 'log' } } } },
          {
            mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -2, dy: -2, color: '#555', fontSize: 11 },
            encoding: { x: { datum: maxRank, type: 'quantitative' }, y: { field: 't', type: 'quantitative', scale: { type: 'log' } }, text: { field: 'name' } },
          },
        ],
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x,
          y,
          color,
          strokeDash: { field: 'label', type: 'nominal', title: null, scale: { domain: labels, range: labels.map((_, i) => (i % 2 === 0 ? [1, 0] : [6, 3])) } },
          detail: { field: 'seed', type: 'nominal' },
        },
      },
      {
        data: { values: arrivals },
        mark: { type: 'point', shape: 'triangle-down', filled: true, size: 90, opacity: 1, strokeWidth: 0 },
        encoding: { x, y, fill: { ...color, legend: null } },
      },
      {
        data: { values: arrivalText },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 7, dy: -3, fontSize: 11, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'text' }, fill: { ...color, legend: null } },
      },
    ],
  } as TopLevelSpec;
}

export interface TableSpectrumSeries {
  label: string;
  field: string;
  cardinality: number;
  normalized: ArrayLike<number>;
}

/**
 * Per-field table spectra (paper Fig. 9): one panel per label, one line per field coloured by its cardinality on a
 * continuous log scale with a colour bar (1, 10, 1k, 100k, ...). The axis stops at the float noise floor.
 */
export function tableSpectraChart(series: TableSpectrumSeries[], title: string): TopLevelSpec {
  const dim = Math.max(1, ...series.map((s) => s.normalized.length));
  const floor = axisFloor(dim);
  const values: { label: string; field: string; card: number; rank: number; value: number }[] = [];
  for (const s of series) {
    for (let i = 0; i < s.normalized.length; i++) {
      const v = s.normalized[i];
      if (v > noiseFloor(s.normalized.length)) {
        values.push({ label: s.label, field: s.field, card: Math.log10(Math.max(1, s.cardinality)), rank: i + 1, value: v });
      }
    }
  }
  const labels = [...new Set(series.map((s) => s.label))];
  const cards = values.map((v) => v.card);
  const lo = Math.floor(Math.min(...cards, 0));
  const hi = Math.max(lo + 1, Math.ceil(Math.max(...cards, 1)));
  const cardScale = { scheme: 'viridis', domain: [lo, hi] };
  const chart = {
    title: {
      text: title,
      subtitle: [
        "one line per categorical field, coloured by its table's cardinality (rows);",
        `values at the float noise floor (${noiseFloor(dim).toExponential(1)}) are numerically zero and not drawn`,
      ],
    },
    data: { values },
    facet: { column: { field: 'label', type: 'nominal', title: null, sort: labels, header: { labelFontSize: 14 } } },
    spec: {
      width: 300,
      height: 260,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85, point: { size: 12 } },
          encoding: {
            x: {
              field: 'rank',
              type: 'quantitative',
              title: 'singular value rank index',
              scale: { domain: [1, dim], nice: false },
              axis: { tickMinStep: 1 },
            },
            y: {
              field: 'value',
              type: 'quantitative',
              title: 'normalised singular value',
              scale: { type: 'log', domain: [floor, 1], nice: false },
              axis: { format: '.0e' },
            },
            color: { field: 'card', type: 'quantitative', scale: cardScale, legend: null },
            detail: { field: 'field', type: 'nominal' },
          },
        },
      ],
    },
  };
  // A line mark only ever gets a legend of symbols (Vega-Lite), so the continuous colour bar for log-cardinality
  // is drawn as its own small chart beside the panels: thin rects along the scale's domain, labelled 1, 10, 1k, ...
  const steps = 64;
  const bar = Array.from({ length: steps }, (_, k) => ({ a: lo + ((hi - lo) * k) / steps, b: lo + ((hi - lo) * (k + 1)) / steps }));
  const colourBar = {
    data: { values: bar },
    width: 14,
    height: 200,
    mark: { type: 'rect' },
    encoding: {
      y: {
        field: 'a',
        type: 'quantitative',
        scale: { domain: [lo, hi], nice: false, zero: false },
        axis: {
          orient: 'right',
          title: ['table', 'cardinality'],
          values: Array.from({ length: hi - lo + 1 }, (_, k) => lo + k),
          labelExpr: "format(pow(10, datum.value), '~s')",
          grid: false,
          domain: false,
        },
      },
      y2: { field: 'b' },
      color: { field: 'a', type: 'quantitative', scale: cardScale, legend: null },
      stroke: { field: 'a', type: 'quantitative', scale: cardScale, legend: null }, // no seams between the rects
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chart.title,
    config: baseConfig,
    hconcat: [{ data: chart.data, facet: chart.facet, spec: chart.spec }, colourBar],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

export interface CorrelationPanel {
  label: string;
  /** n × n, row-major (rows = left / generated side, columns = right / raw side). */
  matrix: ArrayLike<number>;
  n: number;
}

export interface FieldLabel {
  name: string;
  type: string;
}

/** Names shorter than this many characters are drawn whole; longer ones are cut with an ellipsis. */
const NAME_CHARS = 14;

/**
 * Correlation heat maps side by side (paper Fig. 4) on one cool-warm scale over [-1, 1]. Each matrix is one embedded
 * PNG image (one pixel per cell; src/analysis/heatmap-image.ts), so the SVG stays small; field boundaries are drawn
 * as lines and field names label both axes, numeric fields in orange and categorical ones in grey. `right` says what
 * the columns are when not the raw embeddings (a cross layer's transform W·x).
 */
export function correlationChart(
  panels: CorrelationPanel[],
  title: string,
  fieldDim: number,
  fields?: FieldLabel[],
  right?: string,
): TopLevelSpec {
  const n = Math.max(1, ...panels.map((p) => p.n));
  const side = Math.max(1, Math.floor(360 / n)) * n;
  const F = Math.max(1, Math.round(n / Math.max(1, fieldDim)));
  const names = Array.from({ length: F }, (_, f) => {
    const name = fields?.[f]?.name ?? String(f);
    return name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name;
  });
  const numeric = Array.from({ length: F }, (_, f) => fields?.[f]?.type === 'numeric');
  const centres = names.map((_, f) => (f + 0.5) * fieldDim);
  const boundaries = Array.from({ length: F - 1 }, (_, f) => ({ at: (f + 1) * fieldDim }));
  // Every field named where they fit (≥ 7 px apart), else every k-th.
  const every = Math.max(1, Math.ceil(7 / ((side / n) * fieldDim)));
  const shown = centres.filter((_, f) => f % every === 0);
  const fontSize = Math.max(6, Math.min(10, (side / n) * fieldDim * every - 2));
  const nameOf = `[${names.map((x) => JSON.stringify(x)).join(',')}][floor(datum.value / ${fieldDim})]`;
  const numericOf = `[${numeric.map((x) => (x ? 1 : 0)).join(',')}][floor(datum.value / ${fieldDim})] == 1`;
  const axis = (title: string, vertical: boolean) => ({
    title,
    values: shown,
    // Vega subsamples explicit tick values down to tickCount: ask for all of them.
    tickCount: shown.length,
    labelExpr: nameOf,
    labelFontSize: fontSize,
    labelAngle: vertical ? 0 : -90,
    labelAlign: vertical ? 'right' : 'right',
    labelBaseline: 'middle',
    labelColor: { condition: { test: numericOf, value: '#d9480f' }, value: '#444' },
    ticks: false,
    labelOverlap: false,
    labelPadding: 3,
    grid: false,
    domain: false,
  });
  const scale = { domain: [0, n], nice: false, zero: false };
  const anyNumeric = numeric.some(Boolean);
  const panelSpec = (p: CorrelationPanel) => ({
    title: { text: p.label, fontSize: 14 },
    width: side,
    height: side,
    layer: [
      {
        data: { values: [{ x: 0, y: 0, x2: p.n, y2: p.n, url: `data:image/png;base64,${heatmapPng(p.matrix, p.n, p.n).toString('base64')}` }] },
        mark: { type: 'image', aspect: false, aria: false },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale, axis: axis(right ? 'right embedding (W·x): field' : 'right (raw) embedding: field', false) },
          y: { field: 'y', type: 'quantitative', scale: { ...scale, reverse: true }, axis: axis('left (generated) embedding: field', true) },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        data: { values: boundaries },
        mark: { type: 'rule', color: '#000', strokeWidth: 0.5, opacity: 0.18, aria: false },
        encoding: { x: { field: 'at', type: 'quantitative', scale } },
      },
      {
        data: { values: boundaries },
        mark: { type: 'rule', color: '#000', strokeWidth: 0.5, opacity: 0.18, aria: false },
        encoding: { y: { field: 'at', type: 'quantitative', scale: { ...scale, reverse: true } } },
      },
      {
        // Invisible: gives the figure its colour legend (the image itself has no colour encoding).
        data: { values: [{ v: -1 }, { v: 1 }] },
        mark: { type: 'rect', opacity: 0, aria: false },
        encoding: {
          color: {
            field: 'v',
            type: 'quantitative',
            title: 'Pearson r',
            scale: { domain: COOLWARM_STOPS.map(([v]) => v), range: COOLWARM_STOPS.map(([, c]) => c), interpolate: 'rgb' },
            legend: { type: 'gradient', gradientLength: Math.min(side, 240), values: [-1, -0.5, 0, 0.5, 1] },
          },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: [
        `rows: left side (GEN: the encoder's output; DIS: the raw embedding); columns: right side (${right ?? 'raw'})`,
        `lines: field boundaries${anyNumeric ? '; field names: numeric fields in orange, categorical in grey' : ''}`,
      ],
    },
    config: { ...baseConfig, axis: { ...baseConfig.axis, grid: false } },
    hconcat: panels.map(panelSpec),
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
