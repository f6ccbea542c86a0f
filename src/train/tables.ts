// Table 1 (test AUC / logloss, DIS vs GEN, mean ± std over seeds, paper values, lift, Welch mark) and Table 5
// (time per epoch, peak memory) rebuilt from every run found under results/<dataset>/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { findDataset, releaseNames } from '../data/catalog.js';
import { writeCombined } from './combined.js';
import { mean, std, welchTTest } from './stats.js';
import { paperModelOrder, paperDatasetFor, paperTable1, paperTable5, type Paradigm } from './paper.js';

/** What a finished run writes to metrics.json (src/train/run.ts). */
export interface RunMetrics {
  dataset: string;
  model: string;
  paradigm: Paradigm;
  seed: number;
  expid: string;
  valid: Record<string, number>;
  test: Record<string, number>;
  best_epoch: number;
  epochs_run: number;
  stopped_early: boolean;
  seconds_per_epoch: number;
  train_samples_per_sec: number;
  peak_rss_mb: number;
  train_rows: number;
}

/** The release's full training split size (catalog release facts), for projecting a per-epoch time measured on fewer rows. */
export function fullTrainRows(release: string): number | undefined {
  return findDataset(release)?.spec().expectedRows?.train;
}

export function findRuns(resultsDir: string, dataset: string): RunMetrics[] {
  const root = join(resultsDir, dataset);
  if (!existsSync(root)) return [];
  const out: RunMetrics[] = [];
  const dirs = (p: string) => readdirSync(p).filter((n) => statSync(join(p, n)).isDirectory());
  for (const model of dirs(root))
    for (const paradigm of dirs(join(root, model))) {
      if (paradigm !== 'dis' && paradigm !== 'gen') continue;
      for (const seedDir of dirs(join(root, model, paradigm))) {
        const f = join(root, model, paradigm, seedDir, 'metrics.json');
        if (/^seed-\d+$/.test(seedDir) && existsSync(f)) out.push(readJsonFile<RunMetrics>(f, 'delete that run folder, or run it again, then rewrite the tables'));
      }
    }
  return out;
}

function modelOrder(models: string[]): string[] {
  const order = paperModelOrder();
  const known = order.filter((m) => models.includes(m));
  return [...known, ...models.filter((m) => !order.includes(m)).sort()];
}

export interface Table1Row {
  model: string;
  paradigm: Paradigm;
  seeds: number;
  auc_mean: number;
  auc_std: number;
  logloss_mean: number;
  logloss_std: number;
  /** The paper's value; for synthetic data the real dataset's value, shown only for orientation. */
  paper_auc: number | null;
  paper_logloss: number | null;
  paper_source: string | null;
  /** Ours − paper; null for synthetic data, where the difference means nothing. */
  diff_auc: number | null;
  diff_logloss: number | null;
  /** GEN rows: (GEN − DIS) / DIS in %, ours and the paper's. */
  lift_auc_pct: number | null;
  lift_logloss_pct: number | null;
  paper_lift_auc_pct: number | null;
  paper_lift_logloss_pct: number | null;
  /** GEN rows: Welch two-sided p of GEN vs DIS (≥ 2 seeds per side) and whether GEN is significantly better. */
  p_auc: number | null;
  p_logloss: number | null;
  sig_auc: boolean;
  sig_logloss: boolean;
  /** Runs still improving at their last epoch (capped by --max-epochs or the config's epochs): too short to mean much. */
  short_run: string | null;
}

const pct = (a: number, b: number) => ((a - b) / b) * 100;

/** "k of n runs ..." when runs ended on their best epoch without early stopping (or ran less than one epoch). */
function shortRun(runs: RunMetrics[]): string | null {
  const capped = runs.filter((r) => r.epochs_run < 1 || (!r.stopped_early && r.best_epoch === r.epochs_run));
  if (capped.length === 0) return null;
  return `${capped.length} of ${runs.length} run(s) still improving at the last epoch (${capped[0].epochs_run} epoch(s); capped by --max-epochs or the config's epochs)`;
}

export function table1Rows(runs: RunMetrics[], dataset: string): Table1Row[] {
  const pd = paperDatasetFor(dataset);
  const rows: Table1Row[] = [];
  for (const model of modelOrder([...new Set(runs.map((r) => r.model))])) {
    const side = (p: Paradigm) => runs.filter((r) => r.model === model && r.paradigm === p).sort((a, b) => a.seed - b.seed);
    const auc = (p: Paradigm) => side(p).map((r) => r.test.AUC);
    const ll = (p: Paradigm) => side(p).map((r) => r.test.logloss);
    for (const paradigm of ['dis', 'gen'] as const) {
      if (side(paradigm).length === 0) continue;
      const paperRow = pd ? paperTable1(pd.paperDataset, model, paradigm) : null;
      const paperDis = pd ? paperTable1(pd.paperDataset, model, 'dis') : null;
      const row: Table1Row = {
        model,
        paradigm,
        seeds: side(paradigm).length,
        auc_mean: mean(auc(paradigm)),
        auc_std: std(auc(paradigm)),
        logloss_mean: mean(ll(paradigm)),
        logloss_std: std(ll(paradigm)),
        paper_auc: paperRow?.auc ?? null,
        paper_logloss: paperRow?.logloss ?? null,
        paper_source: paperRow && pd ? (pd.synthetic ? `paper, real ${pd.paperDataset} (not comparable)` : `paper, ${pd.paperDataset}`) : null,
        diff_auc: null,
        diff_logloss: null,
        lift_auc_pct: null,
        lift_logloss_pct: null,
        paper_lift_auc_pct: null,
        paper_lift_logloss_pct: null,
        p_auc: null,
        p_logloss: null,
        sig_auc: false,
        sig_logloss: false,
        short_run: shortRun(side(paradigm)),
      };
      if (paperRow && pd && !pd.synthetic) {
        row.diff_auc = row.auc_mean - paperRow.auc;
        row.diff_logloss = row.logloss_mean - paperRow.logloss;
      }
      if (paradigm === 'gen' && side('dis').length > 0) {
        row.lift_auc_pct = pct(row.auc_mean, mean(auc('dis')));
        row.lift_logloss_pct = pct(row.logloss_mean, mean(ll('dis')));
        if (paperRow && paperDis) {
          row.paper_lift_auc_pct = pct(paperRow.auc, paperDis.auc);
          row.paper_lift_logloss_pct = pct(paperRow.logloss, paperDis.logloss);
        }
        const ta = welchTTest(auc('gen'), auc('dis'));
        const tl = welchTTest(ll('gen'), ll('dis'));
        if (ta) {
          row.p_auc = ta.p;
          row.sig_auc = ta.p < 0.05 && ta.t > 0;
        }
        if (tl) {
          row.p_logloss = tl.p;
          row.sig_logloss = tl.p < 0.05 && tl.t < 0;
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

const f = (x: number | null, d = 5) => (x === null || Number.isNaN(x) ? '' : x.toFixed(d));
const signed = (x: number | null, d: number) => (x === null || Number.isNaN(x) ? '' : `${x >= 0 ? '+' : ''}${x.toFixed(d)}`);

/** One seed has no spread to show. */
const meanStd = (m: number, s: number, n: number) => (n > 1 ? `${f(m)}±${f(s)}` : f(m));

/** Cells padded to their column's width, so that the table reads as a table in a terminal too. */
function markdownTable(header: string[], body: string[][]): string {
  const width = header.map((h, j) => Math.max(1, ...[h, ...body.map((r) => r[j])].map((c) => [...c].length)));
  const pad = (c: string, j: number) => c + ' '.repeat(width[j] - [...c].length);
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  return [line(header), line(width.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

function csv(header: string[], body: (string | number | boolean | null)[][]): string {
  const cell = (v: string | number | boolean | null) => {
    const s = v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...body].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** One column of a markdown table: a short head (the legend under the table explains it) and its cells. */
interface Column<R> {
  head: string;
  cell: (r: R) => string;
}

/** Markdown stays narrow enough for a terminal: short heads, the table first, the explanations under it.
 *  The CSV and JSON keep every field under its full name. */
function narrowTable<R>(title: string, columns: Column<R>[], rows: R[], legend: string[]): string {
  const body = markdownTable(columns.map((c) => c.head), rows.map((r) => columns.map((c) => c.cell(r))));
  return [`# ${title}`, '', body, ...legend.map((l) => `- ${l}`), ''].join('\n');
}

function allFieldsCsv<R extends object>(rows: R[], fallback: string): string {
  const cols = Object.keys(rows[0] ?? { [fallback]: '' });
  return csv(cols, rows.map((r) => cols.map((c) => (r as Record<string, string | number | boolean | null>)[c])));
}

export function renderTable1(dataset: string, rows: Table1Row[]): { md: string; csv: string; json: unknown } {
  const pd = paperDatasetFor(dataset);
  const hasPaper = rows.some((r) => r.paper_auc !== null);
  const hasDiff = rows.some((r) => r.diff_auc !== null);
  const columns: Column<Table1Row>[] = [
    { head: 'Model', cell: (r) => r.model },
    { head: 'Par.', cell: (r) => r.paradigm.toUpperCase() },
    { head: 'n', cell: (r) => String(r.seeds) },
    { head: 'AUC', cell: (r) => `${meanStd(r.auc_mean, r.auc_std, r.seeds)}${r.sig_auc ? ' *' : ''}${r.short_run ? ' †' : ''}` },
    ...(hasPaper ? [{ head: 'Paper AUC', cell: (r: Table1Row) => f(r.paper_auc) }] : []),
    ...(hasDiff ? [{ head: 'Δ AUC', cell: (r: Table1Row) => signed(r.diff_auc, 5) }] : []),
    { head: 'Logloss', cell: (r) => `${meanStd(r.logloss_mean, r.logloss_std, r.seeds)}${r.sig_logloss ? ' *' : ''}` },
    ...(hasPaper ? [{ head: 'Paper LL', cell: (r: Table1Row) => f(r.paper_logloss) }] : []),
    ...(hasDiff ? [{ head: 'Δ LL', cell: (r: Table1Row) => signed(r.diff_logloss, 5) }] : []),
    { head: 'Lift %', cell: (r) => (r.lift_auc_pct === null ? '' : `${signed(r.lift_auc_pct, 3)}/${signed(r.lift_logloss_pct, 3)}`) },
    ...(hasPaper
      ? [{ head: 'Paper lift %', cell: (r: Table1Row) => (r.paper_lift_auc_pct === null ? '' : `${signed(r.paper_lift_auc_pct, 3)}/${signed(r.paper_lift_logloss_pct, 3)}`) }]
      : []),
  ];
  const legend = [
    '**AUC**, **Logloss**: test split, best-validation weights, mean ± sample std over **n** seeds; **Par.**: paradigm.',
    "`*`: GEN significantly better than DIS (Welch's t-test, two-sided p < 0.05; needs ≥ 2 seeds per side).",
    '**Lift %** = (GEN − DIS) / DIS in %, AUC / Logloss (**LL**); AUC should rise, Logloss fall.',
    ...(hasPaper
      ? [
          pd?.synthetic
            ? `**Paper** columns: the paper's Table 1 on the real ${pd.paperDataset}, for orientation only (this dataset is synthetic, so no Δ is computed).`
            : `**Paper** columns: the paper's Table 1 (${pd?.paperDataset}); **Δ** = ours − paper.`,
          '**Paper lift %**: the paper\'s GEN lift, AUC / Logloss.',
        ]
      : pd === null
        ? ['A dataset of yours: the paper has no numbers for it, so there are no paper columns.']
        : []),
    ...(rows.some((r) => r.short_run) ? ["`†`: still improving at its last epoch (capped by --max-epochs or the config's epochs): too short to compare with the paper."] : []),
  ];
  return {
    md: narrowTable(`Table 1 — ${dataset}`, columns, rows, legend),
    csv: allFieldsCsv(rows, 'model'),
    json: { dataset, paper_dataset: pd?.paperDataset ?? null, synthetic: pd?.synthetic ?? null, metric_split: 'test', rows },
  };
}

export interface Table5Row {
  model: string;
  dis_seconds_per_epoch: number | null;
  gen_seconds_per_epoch: number | null;
  time_overhead_pct: number | null;
  /** Per-epoch time scaled to the full training split of the real dataset (rows × time per row). */
  dis_projected_full_epoch_s: number | null;
  gen_projected_full_epoch_s: number | null;
  dis_peak_rss_mb: number | null;
  gen_peak_rss_mb: number | null;
  memory_overhead_pct: number | null;
  paper_dis_seconds: number | null;
  paper_gen_seconds: number | null;
  paper_time_overhead_pct: number | null;
  paper_dis_gpu_mb: number | null;
  paper_gen_gpu_mb: number | null;
  paper_memory_overhead_pct: number | null;
}

export function table5Rows(runs: RunMetrics[], dataset: string): Table5Row[] {
  const pd = paperDatasetFor(dataset);
  const full = pd ? fullTrainRows(pd.paperDataset) : undefined;
  const out: Table5Row[] = [];
  for (const model of modelOrder([...new Set(runs.map((r) => r.model))])) {
    const side = (p: Paradigm) => runs.filter((r) => r.model === model && r.paradigm === p);
    const avg = (p: Paradigm, k: (r: RunMetrics) => number) => (side(p).length ? mean(side(p).map(k)) : null);
    const proj = (p: Paradigm) => (full ? avg(p, (r) => (r.seconds_per_epoch * full) / r.train_rows) : null);
    const over = (a: number | null, b: number | null) => (a !== null && b !== null ? pct(b, a) : null);
    const pdis = pd ? paperTable5(pd.paperDataset, model, 'dis') : null;
    const pgen = pd ? paperTable5(pd.paperDataset, model, 'gen') : null;
    const row: Table5Row = {
      model,
      dis_seconds_per_epoch: avg('dis', (r) => r.seconds_per_epoch),
      gen_seconds_per_epoch: avg('gen', (r) => r.seconds_per_epoch),
      time_overhead_pct: null,
      dis_projected_full_epoch_s: proj('dis'),
      gen_projected_full_epoch_s: proj('gen'),
      dis_peak_rss_mb: avg('dis', (r) => r.peak_rss_mb),
      gen_peak_rss_mb: avg('gen', (r) => r.peak_rss_mb),
      memory_overhead_pct: null,
      paper_dis_seconds: pdis?.secondsPerEpoch ?? null,
      paper_gen_seconds: pgen?.secondsPerEpoch ?? null,
      paper_time_overhead_pct: over(pdis?.secondsPerEpoch ?? null, pgen?.secondsPerEpoch ?? null),
      paper_dis_gpu_mb: pdis?.gpuMb ?? null,
      paper_gen_gpu_mb: pgen?.gpuMb ?? null,
      paper_memory_overhead_pct: over(pdis?.gpuMb ?? null, pgen?.gpuMb ?? null),
    };
    row.time_overhead_pct = over(row.dis_seconds_per_epoch, row.gen_seconds_per_epoch);
    row.memory_overhead_pct = over(row.dis_peak_rss_mb, row.gen_peak_rss_mb);
    out.push(row);
  }
  return out;
}

export function renderTable5(dataset: string, rows: Table5Row[]): { md: string; csv: string; json: unknown } {
  const pd = paperDatasetFor(dataset);
  const hasPaper = rows.some((r) => r.paper_dis_seconds !== null || r.paper_dis_gpu_mb !== null);
  const paperCols = (cols: Column<Table5Row>[]) => (hasPaper ? cols : []);
  const time: Column<Table5Row>[] = [
    { head: 'Model', cell: (r) => r.model },
    { head: 'DIS', cell: (r) => f(r.dis_seconds_per_epoch, 1) },
    { head: 'GEN', cell: (r) => f(r.gen_seconds_per_epoch, 1) },
    { head: '+%', cell: (r) => signed(r.time_overhead_pct, 2) },
    { head: 'DIS full', cell: (r) => f(r.dis_projected_full_epoch_s, 0) },
    { head: 'GEN full', cell: (r) => f(r.gen_projected_full_epoch_s, 0) },
    ...paperCols([
      { head: 'Paper DIS', cell: (r) => f(r.paper_dis_seconds, 0) },
      { head: 'Paper GEN', cell: (r) => f(r.paper_gen_seconds, 0) },
      { head: 'Paper +%', cell: (r) => signed(r.paper_time_overhead_pct, 2) },
    ]),
  ];
  const memory: Column<Table5Row>[] = [
    { head: 'Model', cell: (r) => r.model },
    { head: 'DIS', cell: (r) => f(r.dis_peak_rss_mb, 0) },
    { head: 'GEN', cell: (r) => f(r.gen_peak_rss_mb, 0) },
    { head: '+%', cell: (r) => signed(r.memory_overhead_pct, 2) },
    ...paperCols([
      { head: 'Paper DIS', cell: (r) => f(r.paper_dis_gpu_mb, 0) },
      { head: 'Paper GEN', cell: (r) => f(r.paper_gen_gpu_mb, 0) },
      { head: 'Paper +%', cell: (r) => signed(r.paper_memory_overhead_pct, 2) },
    ]),
  ];
  const full = pd ? (fullTrainRows(pd.paperDataset)?.toLocaleString('en-US') ?? null) : null;
  const paperNote = hasPaper ? ` **Paper**: the paper's Table 5 on the real data, on a GPU${pd?.synthetic ? ' (this dataset is synthetic)' : ''}.` : '';
  const table = (cols: Column<Table5Row>[]) => markdownTable(cols.map((c) => c.head), rows.map((r) => cols.map((c) => c.cell(r))));
  const md = [
    `# Table 5 — ${dataset}: training time per epoch and peak memory`,
    '',
    '## Seconds per epoch',
    '',
    table(time),
    `- **DIS**, **GEN**: wall seconds per epoch (training + validation), mean over seeds, on this machine (CPU unless --device cuda); **+%**: GEN over DIS.${paperNote}`,
    full
      ? `- **full**: that time projected to the full ${pd!.paperDataset} training split (${full} rows).`
      : '- **full**: no projection (the dataset names no real release).',
    '',
    '## Peak memory (MB)',
    '',
    table(memory),
    `- **DIS**, **GEN**: peak resident set of the process during the run (host RAM, embedding tables included); **Paper**: GPU memory.`,
    '',
  ].join('\n');
  return {
    md,
    csv: allFieldsCsv(rows, 'model'),
    json: { dataset, paper_dataset: pd?.paperDataset ?? null, rows },
  };
}

/** Rewrites results/<dataset>/table1.* and table5.* from every run on disk; returns Table 1's rows. */
export function writeTables(resultsDir: string, dataset: string): { table1: Table1Row[]; table5: Table5Row[] } {
  const runs = findRuns(resultsDir, dataset);
  const t1 = table1Rows(runs, dataset);
  const t5 = table5Rows(runs, dataset);
  const root = join(resultsDir, dataset);
  for (const [name, r] of [['table1', renderTable1(dataset, t1)], ['table5', renderTable5(dataset, t5)]] as const) {
    writeFileAtomic(join(root, `${name}.md`), r.md);
    writeFileAtomic(join(root, `${name}.csv`), r.csv);
    writeJsonAtomic(join(root, `${name}.json`), r.json);
  }
  if ((releaseNames() as string[]).includes(dataset)) writeCombined(resultsDir);
  return { table1: t1, table5: t5 };
}
