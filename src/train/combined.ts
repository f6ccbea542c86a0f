// The paper's Table 1 layout: Criteo x1 and Avazu x4 side by side per model × paradigm (ours ± std beside the
// paper's), GEN's lift (ours and the paper's), the paper's two headline averages computed the same way from our runs,
// and Fig. 6's coefficient of variation across models per paradigm, dataset and metric (with a small chart).
// Written to results/table1-combined.{md,json} and results/fig6-cv.svg when both releases have runs.
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { findModel } from '../models/catalog.js';
import { releaseNames, type ReleaseName } from '../data/catalog.js';
import { mean, std } from './stats.js';
import { paperTable1, type Paradigm } from './paper.js';
import { findRuns, table1Rows, type Table1Row } from './tables.js';

// The paper's two datasets, the columns of its Table 1 (catalog releases).
const RELEASES: readonly ReleaseName[] = releaseNames();
type Release = ReleaseName;
type Metric = 'auc' | 'logloss';

export interface HeadlineAverage {
  models: string[];
  ours_auc_lift_pct: number | null;
  ours_logloss_lift_pct: number | null;
  paper_auc_lift_pct: number | null;
  paper_logloss_lift_pct: number | null;
  /** The paper's stated figure (abstract / Section 5.2). */
  paper_stated: { auc: number; logloss: number };
}

export interface CvCell {
  paradigm: Paradigm;
  dataset: Release;
  metric: Metric;
  models: number;
  ours: number | null;
  paper: number | null;
}

export interface CombinedTable {
  rows: { model: string; paradigm: Paradigm; cells: Record<Release, Table1Row | null> }[];
  headline: { all: HeadlineAverage; explicit: HeadlineAverage };
  cv: CvCell[];
  warnings: string[];
}

/** Coefficient of variation in %: sample standard deviation over the mean (null below two values). */
export function cvPct(xs: number[]): number | null {
  return xs.length < 2 ? null : (std(xs) / mean(xs)) * 100;
}

const pct = (a: number, b: number) => ((a - b) / b) * 100;

/** Mean lift over models × releases that have both paradigms (ours), and the paper's over the same cells. */
function headline(tables: Record<Release, Table1Row[]>, models: string[], stated: { auc: number; logloss: number }): HeadlineAverage {
  const ours = { auc: [] as number[], ll: [] as number[] };
  const paper = { auc: [] as number[], ll: [] as number[] };
  for (const ds of RELEASES)
    for (const m of models) {
      const gen = tables[ds].find((r) => r.model === m && r.paradigm === 'gen');
      if (!gen || gen.lift_auc_pct === null || gen.lift_logloss_pct === null) continue;
      ours.auc.push(gen.lift_auc_pct);
      ours.ll.push(gen.lift_logloss_pct);
      const pd = paperTable1(ds, m, 'dis');
      const pg = paperTable1(ds, m, 'gen');
      if (pd && pg) {
        paper.auc.push(pct(pg.auc, pd.auc));
        paper.ll.push(pct(pg.logloss, pd.logloss));
      }
    }
  const avg = (xs: number[]) => (xs.length ? mean(xs) : null);
  return {
    models,
    ours_auc_lift_pct: avg(ours.auc),
    ours_logloss_lift_pct: avg(ours.ll),
    paper_auc_lift_pct: avg(paper.auc),
    paper_logloss_lift_pct: avg(paper.ll),
    paper_stated: stated,
  };
}

export function combinedTable(resultsDir: string): CombinedTable | null {
  const tables = {} as Record<Release, Table1Row[]>;
  for (const ds of RELEASES) {
    tables[ds] = table1Rows(findRuns(resultsDir, ds), ds);
    if (tables[ds].length === 0) return null;
  }
  const order: string[] = [];
  for (const ds of RELEASES) for (const r of tables[ds]) if (!order.includes(r.model)) order.push(r.model);
  const rows = order.flatMap((model) =>
    (['dis', 'gen'] as const)
      .map((paradigm) => ({
        model,
        paradigm,
        cells: Object.fromEntries(RELEASES.map((ds) => [ds, tables[ds].find((r) => r.model === model && r.paradigm === paradigm) ?? null])) as Record<Release, Table1Row | null>,
      }))
      .filter((r) => RELEASES.some((ds) => r.cells[ds])),
  );
  // the paper's averages are over its Table 1 models; "explicit" = interaction models without a DNN
  const inTable = order.filter((m) => findModel(m)?.table1Order != null);
  const explicit = inTable.filter((m) => findModel(m)?.explicit);
  const cv: CvCell[] = [];
  for (const paradigm of ['dis', 'gen'] as const)
    for (const ds of RELEASES)
      for (const metric of ['auc', 'logloss'] as const) {
        const ours = inTable.map((m) => tables[ds].find((r) => r.model === m && r.paradigm === paradigm)).filter((r): r is Table1Row => !!r);
        const paper = ours.map((r) => paperTable1(ds, r.model, paradigm)).filter((p) => p !== null);
        cv.push({
          paradigm,
          dataset: ds,
          metric,
          models: ours.length,
          ours: cvPct(ours.map((r) => (metric === 'auc' ? r.auc_mean : r.logloss_mean))),
          paper: paper.length === ours.length ? cvPct(paper.map((p) => (metric === 'auc' ? p!.auc : p!.logloss))) : null,
        });
      }
  const warnings = RELEASES.flatMap((ds) => tables[ds].filter((r) => r.short_run).map((r) => `${ds} ${r.model} ${r.paradigm.toUpperCase()}: ${r.short_run}`));
  return {
    rows,
    headline: {
      all: headline(tables, inTable, { auc: 0.272, logloss: -0.435 }),
      explicit: headline(tables, explicit, { auc: 0.428, logloss: -0.689 }),
    },
    cv,
    warnings,
  };
}

const f = (x: number | null | undefined, d = 5) => (x === null || x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
const s3 = (x: number | null) => (x === null ? '' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);

function cellText(r: Table1Row | null, metric: Metric): string {
  if (!r) return '';
  const m = metric === 'auc' ? r.auc_mean : r.logloss_mean;
  const sd = metric === 'auc' ? r.auc_std : r.logloss_std;
  return `${r.seeds > 1 ? `${f(m)} ± ${f(sd)}` : f(m)}${r.short_run ? ' †' : ''}`;
}

export function renderCombined(t: CombinedTable): string {
  const head = ['Model', 'Paradigm', 'Criteo AUC', 'paper', 'Criteo Logloss', 'paper', 'Avazu AUC', 'paper', 'Avazu Logloss', 'paper', 'GEN lift AUC % (C / A)', 'paper', 'GEN lift Logloss % (C / A)', 'paper'];
  const body = t.rows.map((r) => {
    const c = r.cells.criteo_x1;
    const a = r.cells.avazu_x4;
    const lift = (x: Table1Row | null, k: 'lift_auc_pct' | 'lift_logloss_pct' | 'paper_lift_auc_pct' | 'paper_lift_logloss_pct') => s3(x?.[k] ?? null);
    return [
      r.model, r.paradigm.toUpperCase(),
      cellText(c, 'auc'), f(c?.paper_auc), cellText(c, 'logloss'), f(c?.paper_logloss),
      cellText(a, 'auc'), f(a?.paper_auc), cellText(a, 'logloss'), f(a?.paper_logloss),
      r.paradigm === 'gen' ? `${lift(c, 'lift_auc_pct')} / ${lift(a, 'lift_auc_pct')}` : '',
      r.paradigm === 'gen' ? `${lift(c, 'paper_lift_auc_pct')} / ${lift(a, 'paper_lift_auc_pct')}` : '',
      r.paradigm === 'gen' ? `${lift(c, 'lift_logloss_pct')} / ${lift(a, 'lift_logloss_pct')}` : '',
      r.paradigm === 'gen' ? `${lift(c, 'paper_lift_logloss_pct')} / ${lift(a, 'paper_lift_logloss_pct')}` : '',
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const hl = (name: string, h: HeadlineAverage) =>
    line([name, h.models.join(', ') || '(none)', `${s3(h.ours_auc_lift_pct)} / ${s3(h.ours_logloss_lift_pct)}`, `${s3(h.paper_auc_lift_pct)} / ${s3(h.paper_logloss_lift_pct)}`, `${s3(h.paper_stated.auc)} / ${s3(h.paper_stated.logloss)}`]);
  const cvRows = t.cv.map((c) => line([c.paradigm.toUpperCase(), c.dataset, c.metric === 'auc' ? 'AUC' : 'Logloss', String(c.models), f(c.ours, 4), f(c.paper, 4)]));
  return [
    '# Table 1 — Criteo x1 and Avazu x4',
    '',
    'Test AUC / Logloss, mean ± sample std over seeds, the paper\'s value beside each. Lift = (GEN − DIS) / DIS in %, Criteo / Avazu.',
    t.warnings.length ? '`†`: a run still improving at its last epoch (capped by --max-epochs or the config\'s epochs): too short to compare with the paper.' : '',
    '',
    line(head),
    line(head.map(() => '---')),
    ...body.map(line),
    '',
    '## Headline averages (mean GEN lift over models × datasets, AUC % / Logloss %)',
    '',
    line(['Average', 'Models', 'Ours', 'Paper\'s Table 1, same cells', 'Paper (stated)']),
    line(['---', '---', '---', '---', '---']),
    hl('All models', t.headline.all),
    hl('Explicit interaction', t.headline.explicit),
    '',
    "The paper's stated explicit-interaction average (+0.428 / −0.689) is not what its own Table 1 gives for FM, FmFM and",
    'CrossNetV2 (+0.499 / −0.804 over both datasets); the column "Paper\'s Table 1, same cells" is computed from Table 1.',
    '',
    '## Fig. 6 — coefficient of variation across models (sample std / mean, %)',
    '',
    'GEN narrowing the gap between architectures means a smaller value in GEN than in DIS. Chart: fig6-cv.svg.',
    '',
    line(['Paradigm', 'Dataset', 'Metric', 'Models', 'Ours', 'Paper']),
    line(['---', '---', '---', '---', '---', '---']),
    ...cvRows,
    '',
    ...(t.warnings.length ? ['## Short runs', '', ...t.warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
}

/** Grouped bars: DIS and GEN coefficient of variation (ours solid, paper outlined) for each dataset × metric. */
export function cvChartSvg(cv: CvCell[]): string {
  const groups = ['criteo_x1 AUC', 'criteo_x1 Logloss', 'avazu_x4 AUC', 'avazu_x4 Logloss'];
  const val = (g: string, p: Paradigm, k: 'ours' | 'paper') => {
    const [ds, m] = g.split(' ');
    return cv.find((c) => c.dataset === ds && c.metric === (m === 'AUC' ? 'auc' : 'logloss') && c.paradigm === p)?.[k] ?? null;
  };
  const max = Math.max(0.01, ...cv.flatMap((c) => [c.ours ?? 0, c.paper ?? 0]));
  const W = 520;
  const H = 240;
  const top = 30;
  const base = H - 40;
  const gw = (W - 60) / groups.length;
  const colour = { dis: '#8c8c8c', gen: '#d9534f' };
  const parts: string[] = [];
  groups.forEach((g, i) => {
    const x0 = 50 + i * gw;
    (['dis', 'gen'] as const).forEach((p, j) => {
      (['ours', 'paper'] as const).forEach((k, l) => {
        const v = val(g, p, k);
        if (v === null) return;
        const h = (v / max) * (base - top);
        const x = x0 + 8 + (j * 2 + l) * ((gw - 16) / 4);
        const w = (gw - 16) / 4 - 3;
        parts.push(
          k === 'ours'
            ? `<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour[p]}"/>`
            : `<rect x="${x.toFixed(1)}" y="${(base - h).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${colour[p]}" stroke-width="1.5"/>`,
        );
      });
    });
    parts.push(`<text x="${(x0 + gw / 2).toFixed(1)}" y="${base + 16}" font-size="11" text-anchor="middle">${g}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<text x="${W / 2}" y="16" font-size="13" text-anchor="middle">Coefficient of variation across models (%)</text>`,
    `<line x1="45" y1="${base}" x2="${W - 10}" y2="${base}" stroke="#333"/>`,
    `<text x="40" y="${top + 4}" font-size="10" text-anchor="end">${max.toFixed(2)}</text>`,
    `<text x="40" y="${base}" font-size="10" text-anchor="end">0</text>`,
    ...parts,
    `<rect x="60" y="${H - 16}" width="10" height="10" fill="${colour.dis}"/><text x="74" y="${H - 7}" font-size="10">DIS</text>`,
    `<rect x="110" y="${H - 16}" width="10" height="10" fill="${colour.gen}"/><text x="124" y="${H - 7}" font-size="10">GEN</text>`,
    `<text x="165" y="${H - 7}" font-size="10">filled: ours · outlined: paper</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** Writes results/table1-combined.{md,json} and results/fig6-cv.svg when both releases have runs; returns whether it did. */
export function writeCombined(resultsDir: string): boolean {
  const t = combinedTable(resultsDir);
  if (!t) return false;
  writeFileAtomic(join(resultsDir, 'table1-combined.md'), renderCombined(t));
  writeJsonAtomic(join(resultsDir, 'table1-combined.json'), t);
  writeFileAtomic(join(resultsDir, 'fig6-cv.svg'), cvChartSvg(t.cv));
  return true;
}
