// Writes one model's analysis folder: plots (SVG + PNG), numbers (CSV + JSON) and analysis.md, all atomically.
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { AnalyzeOptions, RunAnalysis } from './analyze-run.js';
import { correlationChart, spectrumChart, tableSpectraChart } from './charts.js';
import { findModel } from '../models/catalog.js';
import type { CorrelationSummary } from './correlation.js';
import { writeChart } from './render.js';
import { collapseSentence, redundancySentence, type ProseRun } from './prose.js';
import type { SpectrumSummary } from './spectrum.js';

export interface AnalyzedRun {
  /** "DIS", "GEN", or another label when both runs have the same paradigm. */
  label: string;
  runDir: string;
  analysis: RunAnalysis;
}

export interface ReportMeta {
  dataset: string;
  model: string;
  seed: number | null;
  options: AnalyzeOptions;
}

export interface RunSummary {
  label: string;
  runDir: string;
  fields: number;
  fieldDim: number;
  leftKey: string;
  spectrum: SpectrumSummary[];
  correlation: CorrelationSummary;
}

export interface ReportResult {
  outDir: string;
  files: string[];
  runs: RunSummary[];
  findings: string[];
}

export async function writeReport(outDir: string, meta: ReportMeta, runs: AnalyzedRun[]): Promise<ReportResult> {
  const files: string[] = [];
  const put = (name: string, text: string) => {
    writeFileAtomic(join(outDir, name), text);
    files.push(name);
  };
  const what = `${meta.model} on ${meta.dataset}${meta.seed === null ? '' : `, seed ${meta.seed}`}`;

  // Numbers.
  put('spectrum.csv', csv(['label', 'batch_seed', 'rank', 'normalized_singular_value'], runs.flatMap((r) =>
    r.analysis.spectra.flatMap((s) => [...s.normalized].map((v, i) => [r.label, s.batchSeed, i + 1, v])))));
  put('spectrum-summary.csv', csv(
    ['label', 'batch_seed', 'rows', 'dim', 'above_1e-3', 'above_1e-6', 'information_abundance', 'largest_drop_log10', 'largest_drop_after_rank'],
    runs.flatMap((r) => r.analysis.spectra.map((s) => [r.label, s.batchSeed, s.rows, s.summary.dim, s.summary.above1e3,
      s.summary.above1e6, s.summary.informationAbundance, s.summary.largestDropLog10, s.summary.largestDropAt + 1])),
  ));
  put('correlation-summary.csv', csv(
    ['label', 'size', 'fields', 'field_dim', 'mean_abs_off_diagonal', 'mean_abs_intra_field', 'mean_abs_inter_field', 'mean_abs_all', 'mean_abs_diagonal', 'mean_diagonal', 'constant_columns'],
    runs.map((r) => {
      const c = r.analysis.correlation.summary;
      return [r.label, c.size, c.fields, c.fieldDim, c.meanAbsOffDiagonal, c.meanAbsIntraField, c.meanAbsInterField, c.meanAbsAll, c.meanAbsDiagonal, c.meanDiagonal, c.constantColumns];
    }),
  ));
  for (const r of runs) {
    const { matrix, summary } = r.analysis.correlation;
    const n = summary.size;
    const lines: string[] = [];
    for (let a = 0; a < n; a++) lines.push(Array.from(matrix.subarray(a * n, (a + 1) * n), (v) => fmt(v, 6)).join(','));
    put(`correlation-${slug(r.label)}.csv`, lines.join('\n') + '\n');
  }
  const anyTables = runs.some((r) => r.analysis.tables.length > 0);
  if (anyTables) {
    put('table-spectra.csv', csv(['label', 'field', 'cardinality', 'rows_used', 'rank', 'normalized_singular_value'],
      runs.flatMap((r) => r.analysis.tables.flatMap((t) =>
        [...t.normalized].map((v, i) => [r.label, t.field, t.cardinality, t.rowsUsed, i + 1, v])))));
    put('table-spectra-summary.csv', csv(
      ['label', 'field', 'cardinality', 'rows_used', 'dim', 'above_1e-3', 'above_1e-6', 'information_abundance'],
      runs.flatMap((r) => r.analysis.tables.map((t) => [r.label, t.field, t.cardinality, t.rowsUsed, t.summary.dim,
        t.summary.above1e3, t.summary.above1e6, t.summary.informationAbundance])),
    ));
  }

  // Plots.
  const chartFiles = async (base: string, spec: Parameters<typeof writeChart>[1]) => {
    const w = await writeChart(join(outDir, base), spec);
    files.push(`${base}.svg`, `${base}.png`);
    return w;
  };
  await chartFiles('spectrum', spectrumChart(
    runs.flatMap((r) => r.analysis.spectra.map((s) => ({ label: r.label, batchSeed: s.batchSeed, normalized: s.normalized }))),
    `Spectrum of the interacted embeddings: ${what}`,
  ));
  const fieldDim = runs[0].analysis.fieldDim;
  await chartFiles('correlation', correlationChart(
    runs.map((r) => ({ label: r.label, matrix: r.analysis.correlation.matrix, n: r.analysis.correlation.summary.size })),
    `Correlation of the interacted embeddings: ${what}`,
    fieldDim,
    runs[0].analysis.fieldInfo,
    findModel(meta.model)?.analysisRight,
  ));
  if (anyTables) {
    await chartFiles('table-spectra', tableSpectraChart(
      runs.flatMap((r) => r.analysis.tables.map((t) => ({ label: r.label, field: t.field, cardinality: t.cardinality, normalized: t.normalized }))),
      `Spectra of the embedding tables: ${what}`,
    ));
  }

  const summaries: RunSummary[] = runs.map((r) => ({
    label: r.label,
    runDir: r.runDir,
    fields: r.analysis.fields,
    fieldDim: r.analysis.fieldDim,
    leftKey: r.analysis.leftKey,
    spectrum: r.analysis.spectra.map((s) => s.summary),
    correlation: r.analysis.correlation.summary,
  }));
  const findings = findingsOf(runs);

  writeJsonAtomic(join(outDir, 'analysis.json'), {
    dataset: meta.dataset,
    model: meta.model,
    seed: meta.seed,
    options: { ...meta.options, log: undefined },
    findings,
    runs: runs.map((r) => ({
      label: r.label,
      runDir: r.runDir,
      fields: r.analysis.fields,
      fieldDim: r.analysis.fieldDim,
      leftKey: r.analysis.leftKey,
      rightKey: r.analysis.rightKey,
      spectrumKeys: r.analysis.spectrumKeys,
      recordedKeys: r.analysis.recordedKeys,
      spectra: r.analysis.spectra.map((s) => ({ batchSeed: s.batchSeed, rows: s.rows, layers: s.layers, splitRows: s.splitRows, summary: s.summary, normalized: [...s.normalized] })),
      correlation: r.analysis.correlation.summary,
      tables: r.analysis.tables.map((t) => ({ field: t.field, cardinality: t.cardinality, rowsUsed: t.rowsUsed, summary: t.summary, normalized: [...t.normalized] })),
    })),
  });
  files.push('analysis.json');
  put('analysis.md', markdown(meta, what, runs, findings, anyTables));
  return { outDir, files: files.sort(), runs: summaries, findings };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
/** One batch: the value ("312" for counts); several: "312.0 ± 1.4" (mean ± std over batches). */
function stat(xs: number[], digits: number, count = false): string {
  if (xs.length > 1) return `${mean(xs).toFixed(digits)} ± ${std(xs).toFixed(digits)}`;
  return mean(xs).toFixed(count ? 0 : digits);
}

function findingsOf(runs: AnalyzedRun[]): string[] {
  const out: string[] = [];
  const dim = runs[0].analysis.spectra[0].summary.dim;
  const keep = runs.map((r) => `${r.label} ${stat(r.analysis.spectra.map((s) => s.summary.above1e3), 1, true)}`);
  out.push(`Singular values above 1e-3 (of ${dim}): ${keep.join(', ')}.`);
  const keep6 = runs.map((r) => `${r.label} ${stat(r.analysis.spectra.map((s) => s.summary.above1e6), 1, true)}`);
  out.push(`Singular values above 1e-6 (of ${dim}): ${keep6.join(', ')}.`);
  const ia = runs.map((r) => `${r.label} ${stat(r.analysis.spectra.map((s) => s.summary.informationAbundance), 2)}`);
  out.push(`Information abundance (sum of normalised singular values): ${ia.join(', ')}.`);
  const drop = runs.map((r) => {
    const s = r.analysis.spectra[0].summary;
    return `${r.label} 10^${s.largestDropLog10.toFixed(2)} after rank ${s.largestDropAt + 1}`;
  });
  out.push(`Largest drop between neighbouring singular values (first batch): ${drop.join(', ')}.`);
  const corr = runs.map((r) => `${r.label} ${r.analysis.correlation.summary.meanAbsOffDiagonal.toFixed(3)}`);
  out.push(`Mean |corr| off the diagonal between the interacted embeddings: ${corr.join(' vs ')}.`);
  const split = runs.map((r) => {
    const c = r.analysis.correlation.summary;
    return `${r.label} ${c.meanAbsIntraField.toFixed(3)} / ${c.meanAbsInterField.toFixed(3)}`;
  });
  out.push(`Intra-field / inter-field mean |corr| (off the diagonal): ${split.join(', ')}.`);
  const diag = runs.map((r) => {
    const c = r.analysis.correlation.summary;
    return `${r.label} ${c.meanAbsDiagonal.toFixed(3)} / ${c.meanAbsAll.toFixed(3)}`;
  });
  out.push(`Mean |corr| on the diagonal / over the whole matrix: ${diag.join(', ')}.`);
  const dis = runs.find((r) => r.label === 'DIS');
  const gen = runs.find((r) => r.label === 'GEN');
  if (dis && gen) {
    const prose = (r: AnalyzedRun): ProseRun => ({
      above1e3: r.analysis.spectra.map((s) => s.summary.above1e3),
      meanAbsAll: r.analysis.correlation.summary.meanAbsAll,
      meanAbsOffDiagonal: r.analysis.correlation.summary.meanAbsOffDiagonal,
      meanDiagonal: r.analysis.correlation.summary.meanDiagonal,
    });
    out.push(collapseSentence(prose(dis), prose(gen)), redundancySentence(prose(dis), prose(gen)));
  }
  return out;
}

function markdown(meta: ReportMeta, what: string, runs: AnalyzedRun[], findings: string[], tables: boolean): string {
  const L: string[] = [];
  const a0 = runs[0].analysis;
  L.push(`# Dimensional collapse and redundancy: ${what}`, '');
  L.push(
    `Validation batch: ${a0.spectra[0].rows} rows (requested ${meta.options.batchRows}), ` +
      `${a0.spectra.length} batch${a0.spectra.length > 1 ? 'es' : ''} (shuffle seeds ${a0.spectra.map((s) => s.batchSeed).join(', ')}). ` +
      `Interacted embeddings: \`${a0.leftKey}\` (left: encoder output for GEN, raw for DIS) and \`${a0.rightKey}\` (right: ` +
      `the raw side, or the cross layer's transform W·x for DCNv2/CrossNetV2), B × ${a0.fields}·${a0.fieldDim} = B × ${a0.fields * a0.fieldDim}.` +
      (a0.spectrumKeys.length > 1
        ? ` The spectra stack the left sides of all ${a0.spectrumKeys.length} layers by rows (${a0.spectrumKeys.map((k) => `\`${k}\``).join(', ')}; ` +
          `${a0.spectrumKeys.length}·B rows), as the paper's code does; the correlation uses \`${a0.leftKey}\`.`
        : ''),
    '',
  );
  if (a0.spectra.length > 1 && a0.spectra[0].rows >= a0.spectra[0].splitRows) {
    L.push(`Note: the batch is the whole validation split (${a0.spectra[0].splitRows} rows), so every batch seed sees the same rows.`, '');
  }
  L.push('## Findings', '', ...findings.map((f) => `- ${f}`), '');
  L.push('## Spectrum of the interacted embeddings (paper Fig. 3, App. B.5, C.1)', '');
  L.push('Covariance (centered, /(B−1)) of the left side; singular values normalised by the largest.', '');
  L.push(`| | ${runs.map((r) => r.label).join(' | ')} |`, `|---|${runs.map(() => '---:').join('|')}|`);
  const row = (name: string, f: (s: SpectrumSummary) => number, d: number, count = false) =>
    L.push(`| ${name} | ${runs.map((r) => stat(r.analysis.spectra.map((s) => f(s.summary)), d, count)).join(' | ')} |`);
  row('dimension', (s) => s.dim, 1, true);
  row('above 1e-3', (s) => s.above1e3, 1, true);
  row('above 1e-6', (s) => s.above1e6, 1, true);
  row('information abundance', (s) => s.informationAbundance, 2);
  row('largest drop (log10)', (s) => s.largestDropLog10, 2);
  row('largest drop after rank', (s) => s.largestDropAt + 1, 1, true);
  L.push('', '![spectrum](spectrum.png)', '');
  L.push('## Correlation between the interacted embeddings (paper Fig. 4, App. C.3)', '');
  L.push('Pearson correlation of each left column with each right column over the batch (constant columns count as 0).', '');
  L.push(`| | ${runs.map((r) => r.label).join(' | ')} |`, `|---|${runs.map(() => '---:').join('|')}|`);
  const crow = (name: string, f: (c: CorrelationSummary) => number, d: number) =>
    L.push(`| ${name} | ${runs.map((r) => f(r.analysis.correlation.summary).toFixed(d)).join(' | ')} |`);
  crow('mean abs off-diagonal', (c) => c.meanAbsOffDiagonal, 4);
  crow('mean abs intra-field (a ≠ b)', (c) => c.meanAbsIntraField, 4);
  crow('mean abs inter-field', (c) => c.meanAbsInterField, 4);
  crow('mean abs, whole matrix', (c) => c.meanAbsAll, 4);
  crow('mean abs diagonal', (c) => c.meanAbsDiagonal, 4);
  crow('mean diagonal', (c) => c.meanDiagonal, 4);
  crow('constant columns', (c) => c.constantColumns, 0);
  L.push('', '![correlation](correlation.png)', '');
  if (tables) {
    L.push('## Spectra of the embedding tables (paper App. C.2, Fig. 9)', '');
    L.push(
      'Per categorical field (padding row left out), by descending cardinality: singular values above 1e-3 and information abundance. ' +
        'A table of r rows (padding and OOV included) has at most r − 2 non-zero values after centering, so small vocabularies fall off early.',
      '',
    );
    const byField = new Map<string, { card: number; cells: Map<string, SpectrumSummary> }>();
    for (const r of runs) {
      for (const t of r.analysis.tables) {
        const e = byField.get(t.field) ?? { card: t.cardinality, cells: new Map() };
        e.cells.set(r.label, t.summary);
        byField.set(t.field, e);
      }
    }
    L.push(
      `| field | cardinality | ${runs.map((r) => `${r.label} >1e-3 | ${r.label} IA`).join(' | ')} |`,
      `|---|---:|${runs.map(() => '---:|---:').join('|')}|`,
    );
    for (const [field, e] of byField) {
      const cells = runs.map((r) => {
        const s = e.cells.get(r.label);
        return s ? `${s.above1e3}/${s.dim} | ${s.informationAbundance.toFixed(2)}` : '– | –';
      });
      L.push(`| ${field} | ${e.card} | ${cells.join(' | ')} |`);
    }
    L.push('', '![table spectra](table-spectra.png)', '');
  }
  L.push('## Runs', '', ...runs.map((r) => `- ${r.label}: \`${r.runDir}\``), '');
  return L.join('\n');
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}

function fmt(v: number, sig: number): string {
  return v === 0 ? '0' : Number(v.toPrecision(sig)).toString();
}

function csv(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number) =>
    typeof v === 'number' ? fmt(v, 10) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
