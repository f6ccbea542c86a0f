// The tables and the bar chart of one ablation study (results/<dataset>/ablation/<study>.{md,csv,json,png,svg}):
// per variant the test AUC and Logloss over seeds (mean ± sample std), the change against DIS and GEN, and the
// paper's value where its plot scripts give one. The chart follows Fig. 5 / Fig. 10(a): one bar per variant with
// its spread as an error bar, DIS and GEN as reference lines.
import type { TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import { writeChart } from '../analysis/render.js';
import type { DatasetName } from '../models/config.js';
import type { RunMetrics } from '../train/tables.js';
import { mean, std } from '../train/stats.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { PAPER_BASELINE, STUDY_SPECS, type Study } from './studies.js';

export interface AblationRow {
  variant: string;
  expid: string;
  seeds: number[];
  auc_mean: number;
  auc_std: number | null;
  logloss_mean: number;
  logloss_std: number | null;
  delta_auc_vs_dis: number | null;
  delta_auc_vs_gen: number | null;
  delta_logloss_vs_dis: number | null;
  delta_logloss_vs_gen: number | null;
  paper_auc: number | null;
  run_dirs: string[];
}

export interface StudyRuns {
  dis: { expid: string; runs: { dir: string; metrics: RunMetrics }[] };
  gen: { expid: string; runs: { dir: string; metrics: RunMetrics }[] };
  variants: { suffix: string; expid: string; runs: { dir: string; metrics: RunMetrics }[] }[];
}

function summarise(
  variant: string,
  expid: string,
  runs: { dir: string; metrics: RunMetrics }[],
  paper: number | null,
): Omit<AblationRow, 'delta_auc_vs_dis' | 'delta_auc_vs_gen' | 'delta_logloss_vs_dis' | 'delta_logloss_vs_gen'> {
  const auc = runs.map((r) => r.metrics.test.AUC);
  const ll = runs.map((r) => r.metrics.test.logloss);
  return {
    variant,
    expid,
    seeds: runs.map((r) => r.metrics.seed),
    auc_mean: mean(auc),
    auc_std: auc.length > 1 ? std(auc) : null,
    logloss_mean: mean(ll),
    logloss_std: ll.length > 1 ? std(ll) : null,
    paper_auc: paper,
    run_dirs: runs.map((r) => r.dir),
  };
}

export function studyRows(study: Study, template: DatasetName, runs: StudyRuns): AblationRow[] {
  const spec = STUDY_SPECS[study];
  const base = PAPER_BASELINE[template];
  const plain = [
    summarise('DIS', runs.dis.expid, runs.dis.runs, base.dis),
    ...runs.variants.map((v) => summarise(spec.variants.find((s) => s.suffix === v.suffix)!.label, v.expid, v.runs, spec.variants.find((s) => s.suffix === v.suffix)!.paperAuc?.[template] ?? null)),
    summarise(study === 'activation' ? 'ReLU (GEN)' : 'GEN (all for all)', runs.gen.expid, runs.gen.runs, base.gen),
  ];
  const [dis, gen] = [plain[0], plain[plain.length - 1]];
  return plain.map((r) => ({
    ...r,
    delta_auc_vs_dis: r === dis ? null : r.auc_mean - dis.auc_mean,
    delta_auc_vs_gen: r === gen ? null : r.auc_mean - gen.auc_mean,
    delta_logloss_vs_dis: r === dis ? null : r.logloss_mean - dis.logloss_mean,
    delta_logloss_vs_gen: r === gen ? null : r.logloss_mean - gen.logloss_mean,
  }));
}

const f6 = (x: number | null) => (x === null ? '' : x.toFixed(6));
const signed = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(6)}`);
const pm = (m: number, s: number | null) => (s === null ? m.toFixed(6) : `${m.toFixed(6)} ± ${s.toFixed(6)}`);

export function renderStudy(study: Study, dataset: string, template: DatasetName, rows: AblationRow[]): { md: string; csv: string } {
  const spec = STUDY_SPECS[study];
  const paperName = template === 'avazu_x4' ? 'Avazu' : 'Criteo';
  const seeds = Math.max(...rows.map((r) => r.seeds.length));
  const md = [
    `# ${spec.title} (paper ${spec.figure}): DCNv2 on ${dataset}`,
    '',
    `Test AUC and Logloss, mean${seeds > 1 ? ' ± sample std' : ''} over ${seeds} seed${seeds > 1 ? 's' : ''}. ` +
      `Δ: this row minus DIS / GEN. Paper: the AUC its plot scripts give for ${paperName}` +
      (dataset === template ? '.' : ` (another dataset: for orientation only, not comparable with ${dataset}).`),
    '',
    '| variant | AUC | Logloss | ΔAUC vs DIS | ΔAUC vs GEN | ΔLogloss vs DIS | ΔLogloss vs GEN | paper AUC |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.variant} | ${pm(r.auc_mean, r.auc_std)} | ${pm(r.logloss_mean, r.logloss_std)} | ${signed(r.delta_auc_vs_dis)} | ${signed(r.delta_auc_vs_gen)} | ` +
        `${signed(r.delta_logloss_vs_dis)} | ${signed(r.delta_logloss_vs_gen)} | ${r.paper_auc === null ? '—' : r.paper_auc.toFixed(6)} |`),
    '',
    'Experiment ids (experiments/DCNv2.yaml): ' + rows.map((r) => `\`${r.expid}\``).join(', ') + '.',
    '',
  ].join('\n');
  const head = ['variant', 'expid', 'seeds', 'auc_mean', 'auc_std', 'logloss_mean', 'logloss_std', 'delta_auc_vs_dis', 'delta_auc_vs_gen', 'delta_logloss_vs_dis', 'delta_logloss_vs_gen', 'paper_auc'];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const csv = [
    head.join(','),
    ...rows.map((r) =>
      [q(r.variant), r.expid, r.seeds.join(' '), f6(r.auc_mean), f6(r.auc_std), f6(r.logloss_mean), f6(r.logloss_std), f6(r.delta_auc_vs_dis), f6(r.delta_auc_vs_gen), f6(r.delta_logloss_vs_dis), f6(r.delta_logloss_vs_gen), f6(r.paper_auc)].join(','),
    ),
  ].join('\n') + '\n';
  return { md, csv };
}

const BAR_COLOURS = ['#fbb463', '#80b1d3', '#f47f72', '#bdbadb', '#fbf8b4', '#8dd1c6', '#b3de69'];

/** Fig. 5 / Fig. 10(a): bars (mean AUC) with ± std error bars, DIS and GEN as dashed reference lines. */
export function studyChart(study: Study, dataset: string, rows: AblationRow[]): TopLevelSpec {
  const spec = STUDY_SPECS[study];
  const bars = rows.map((r) => ({ variant: r.variant, auc: r.auc_mean, lo: r.auc_mean - (r.auc_std ?? 0), hi: r.auc_mean + (r.auc_std ?? 0) }));
  const dis = rows[0].auc_mean;
  const gen = rows[rows.length - 1].auc_mean;
  const lo = Math.min(...bars.map((b) => b.lo));
  const hi = Math.max(...bars.map((b) => b.hi));
  const pad = Math.max((hi - lo) * 0.25, 1e-4);
  const domain = [lo - pad, hi + pad];
  const y = { field: 'auc', type: 'quantitative', title: 'test AUC', scale: { domain, zero: false, nice: false }, axis: { format: '.4f' } } as const;
  const order = rows.map((r) => r.variant);
  const width = Math.max(360, 80 * rows.length);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${spec.title} (paper ${spec.figure}): DCNv2 on ${dataset}`, subtitle: 'bars: mean test AUC; whiskers: ± sample std over seeds; dashed: DIS and GEN' },
    width,
    height: 300,
    config: { font: 'DejaVu Sans', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 13 }, title: { fontSize: 15 } },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'bar', clip: true },
        encoding: {
          x: { field: 'variant', type: 'nominal', sort: order, title: null, axis: { labelAngle: -30, labelLimit: 400 } },
          y,
          color: { field: 'variant', type: 'nominal', sort: order, legend: null, scale: { domain: order, range: BAR_COLOURS } },
        },
      },
      {
        data: { values: bars },
        mark: { type: 'rule', color: '#333' },
        encoding: { x: { field: 'variant', type: 'nominal', sort: order }, y: { field: 'lo', type: 'quantitative', scale: { domain, zero: false } }, y2: { field: 'hi' } },
      },
      {
        data: { values: bars },
        mark: { type: 'text', dy: -8, fontSize: 10 },
        encoding: { x: { field: 'variant', type: 'nominal', sort: order }, y: { field: 'hi', type: 'quantitative', scale: { domain, zero: false } }, text: { field: 'auc', format: '.4f' } },
      },
      {
        data: { values: [{ name: 'DIS', auc: dis }, { name: 'GEN', auc: gen }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 4], color: '#555' }, encoding: { y: { field: 'auc', type: 'quantitative', scale: { domain, zero: false } } } },
          // The higher line's name above it, the lower one's below, so that close lines keep readable names.
          ...[['DIS', dis >= gen], ['GEN', gen > dis]].map(([name, upper]) => ({
            transform: [{ filter: `datum.name === '${name}'` }],
            mark: { type: 'text', align: 'left', baseline: upper ? 'bottom' : 'top', dx: 4, dy: upper ? -2 : 2, color: '#555', fontSize: 11 },
            encoding: { x: { value: width }, y: { field: 'auc', type: 'quantitative', scale: { domain, zero: false } }, text: { field: 'name' } },
          })),
        ],
      },
    ],
  } as TopLevelSpec;
}

/** Writes <outDir>/<study>.{md,csv,json,png,svg}; returns the file names. */
export async function writeStudy(outDir: string, study: Study, dataset: string, template: DatasetName, rows: AblationRow[]): Promise<string[]> {
  const { md, csv } = renderStudy(study, dataset, template, rows);
  writeFileAtomic(join(outDir, `${study}.md`), md);
  writeFileAtomic(join(outDir, `${study}.csv`), csv);
  writeJsonAtomic(join(outDir, `${study}.json`), { study, dataset, figure: STUDY_SPECS[study].figure, rows });
  await writeChart(join(outDir, study), studyChart(study, dataset, rows));
  return ['md', 'csv', 'json', 'png', 'svg'].map((e) => `${study}.${e}`);
}
