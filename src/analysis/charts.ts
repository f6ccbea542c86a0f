// Vega-Lite specs for the analysis figures, in the style of the paper's Fig. 3 (log spectra, DIS solid / GEN dashed
// on one axis), Fig. 9 (per-field table spectra) and Fig. 4 (coolwarm correlation heat maps on [-1, 1]).
import type { TopLevelSpec } from 'vega-lite';
import { DROP_FLOOR } from './spectrum.js';

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

/** Log-scale normalised singular values against rank; one colour and dash per label, one line per batch seed. */
export function spectrumChart(series: SpectrumSeries[], title: string, subtitle?: string): TopLevelSpec {
  const values: { label: string; seed: number; rank: number; value: number }[] = [];
  for (const s of series) {
    for (let i = 0; i < s.normalized.length; i++) {
      const v = s.normalized[i];
      if (v > DROP_FLOOR) values.push({ label: s.label, seed: s.batchSeed, rank: i + 1, value: v });
    }
  }
  const labels = [...new Set(series.map((s) => s.label))];
  const maxRank = Math.max(1, ...series.map((s) => s.normalized.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: subtitle ?? `values ≤ ${DROP_FLOOR} (numerically zero) not drawn` },
    width: 520,
    height: 320,
    config: baseConfig,
    layer: [
      {
        data: { values: [{ t: 1e-3 }, { t: 1e-6 }] },
        mark: { type: 'rule', color: '#999', strokeDash: [2, 3] },
        encoding: { y: { field: 't', type: 'quantitative', scale: { type: 'log' } } },
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x: {
            field: 'rank',
            type: 'quantitative',
            title: 'singular value rank index',
            scale: { domain: [1, maxRank], nice: false },
          },
          y: {
            field: 'value',
            type: 'quantitative',
            title: 'normalised singular value (log scale)',
            scale: { type: 'log' },
            axis: { format: '.0e' },
          },
          color: { field: 'label', type: 'nominal', title: null, scale: { domain: labels, range: PALETTE } },
          strokeDash: {
            field: 'label',
            type: 'nominal',
            title: null,
            scale: { domain: labels, range: labels.map((_, i) => (i % 2 === 0 ? [1, 0] : [6, 3])) },
          },
          detail: { field: 'seed', type: 'nominal' },
        },
      },
    ],
  };
}

export interface TableSpectrumSeries {
  label: string;
  field: string;
  cardinality: number;
  normalized: ArrayLike<number>;
}

/** Per-field table spectra: one panel per label, one line per field coloured by log10 cardinality. */
export function tableSpectraChart(series: TableSpectrumSeries[], title: string): TopLevelSpec {
  const values: { label: string; field: string; card: number; rank: number; value: number }[] = [];
  for (const s of series) {
    for (let i = 0; i < s.normalized.length; i++) {
      const v = s.normalized[i];
      if (v > DROP_FLOOR) {
        values.push({ label: s.label, field: s.field, card: Math.log10(Math.max(1, s.cardinality)), rank: i + 1, value: v });
      }
    }
  }
  const labels = [...new Set(series.map((s) => s.label))];
  const dim = Math.max(1, ...series.map((s) => s.normalized.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'one line per categorical field; colour: log10 of the table cardinality' },
    data: { values },
    config: baseConfig,
    facet: { column: { field: 'label', type: 'nominal', title: null, sort: labels, header: { labelFontSize: 14 } } },
    spec: {
      width: 300,
      height: 260,
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
          title: 'normalised singular value (log scale)',
          scale: { type: 'log' },
          axis: { format: '.0e' },
        },
        color: { field: 'card', type: 'quantitative', title: 'log10 card.', scale: { scheme: 'viridis' } },
        detail: { field: 'field', type: 'nominal' },
      },
    },
  };
}

export interface CorrelationPanel {
  label: string;
  /** n × n, row-major (rows = left / generated side, columns = right / raw side). */
  matrix: ArrayLike<number>;
  n: number;
}

/** Correlation heat maps side by side with one shared colour scale on [-1, 1] (coolwarm-like, as the paper's). */
export function correlationChart(panels: CorrelationPanel[], title: string, fieldDim: number): TopLevelSpec {
  const values: { label: string; a: number; b: number; v: number }[] = [];
  for (const p of panels) {
    for (let a = 0; a < p.n; a++) {
      for (let b = 0; b < p.n; b++) values.push({ label: p.label, a, b, v: round4(p.matrix[a * p.n + b]) });
    }
  }
  const n = Math.max(1, ...panels.map((p) => p.n));
  // One pixel per cell for large matrices keeps the SVG at one short path per cell; small ones get bigger cells.
  const step = Math.max(1, Math.floor(360 / n));
  const ticks: number[] = [];
  const every = fieldDim * Math.max(1, Math.ceil(n / fieldDim / 8));
  for (let t = 0; t < n; t += every) ticks.push(t);
  const labels = panels.map((p) => p.label);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'Pearson correlation: rows = left (generated) side, columns = right (raw) side' },
    data: { values },
    config: { ...baseConfig, axis: { ...baseConfig.axis, grid: false } },
    facet: { column: { field: 'label', type: 'nominal', title: null, sort: labels, header: { labelFontSize: 14 } } },
    spec: {
      width: { step },
      height: { step },
      mark: { type: 'rect', aria: false },
      encoding: {
        x: {
          field: 'b',
          type: 'ordinal',
          title: 'right index',
          scale: { paddingInner: 0, paddingOuter: 0 },
          axis: { values: ticks, labelAngle: 0 },
        },
        y: {
          field: 'a',
          type: 'ordinal',
          title: 'left index',
          scale: { paddingInner: 0, paddingOuter: 0 },
          axis: { values: ticks },
        },
        color: {
          field: 'v',
          type: 'quantitative',
          title: 'corr',
          scale: { scheme: 'redblue', reverse: true, domain: [-1, 1], clamp: true },
        },
      },
    },
    resolve: { scale: { color: 'shared' } },
  };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
