// Training for `ge4rec ablate`: DIS, GEN and every variant of the chosen studies on DCNv2, each over the seeds,
// reusing finished runs (same configuration) and, with --resume, continuing killed ones; then the per-study tables
// and charts, and for the activation study the spectra of every activation's embeddings (Fig. 10(b)).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRun, DEFAULT_ANALYZE_OPTIONS } from '../analysis/analyze-run.js';
import { spectrumChart } from '../analysis/charts.js';
import { writeChart } from '../analysis/render.js';
import { defaultExperiment, experimentFile, loadExperiment, type DatasetName, type ExperimentConfig } from '../models/config.js';
import { openRun } from '../train/run-loader.js';
import { runDir, runOne, type RunOptions } from '../train/run.js';
import type { RunMetrics } from '../train/tables.js';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { progressBar } from '../util/progress.js';
import { STUDY_SPECS, type Study } from './studies.js';
import { studyRows, writeStudy, type AblationRow, type StudyRuns } from './report.js';

export interface AblateOptions {
  dataset: string;
  template: DatasetName;
  studies: Study[];
  seeds: number;
  resultsDir: string;
  outDir: string;
  resume: boolean;
  /** Validation rows for the activation spectra (0: skip them). */
  spectrumRows: number;
  log: (m: string) => void;
  progress?: boolean;
  /** runOne's options other than the experiment, seed and resume flag. */
  train: Omit<RunOptions, 'exp' | 'seed' | 'resume' | 'dataset' | 'resultsDir' | 'log' | 'progress'>;
}

export interface StudyResult {
  rows: AblationRow[];
  files: string[];
  /** Training seconds of this study's own variants (DIS and GEN are shared by all studies: see `baselineSeconds`). */
  seconds: number;
  trained: number;
  reused: number;
}

export interface AblateResult {
  dataset: string;
  outDir: string;
  baselineSeconds: number;
  studies: Partial<Record<Study, StudyResult>>;
  spectra: string[];
  seconds: number;
}

type Done = { dir: string; metrics: RunMetrics; skipped: boolean; seconds: number };

export async function ablate(o: AblateOptions): Promise<AblateResult> {
  const t0 = performance.now();
  const file = experimentFile('DCNv2');
  const dis = defaultExperiment('DCNv2', o.template, 'dis');
  const gen = defaultExperiment('DCNv2', o.template, 'gen');
  const variantExp = new Map<string, ExperimentConfig>();
  for (const s of o.studies)
    for (const v of STUDY_SPECS[s].variants) variantExp.set(v.suffix, loadExperiment(file, `DCNv2_${o.template}_${v.suffix}`));
  const all = [dis, gen, ...variantExp.values()];
  const total = all.length * o.seeds;
  const bar = progressBar(`ablation runs on ${o.dataset}`, total, { enabled: o.progress, unit: 'runs' });
  const done = new Map<string, Done[]>();
  let n = 0;
  try {
    for (const exp of all) {
      const runs: Done[] = [];
      for (let k = 0; k < o.seeds; k++) {
        const seed = exp.seed + k;
        o.log(`== ${o.dataset}: ${exp.expid} seed ${seed} (${n + 1}/${total})`);
        runs.push(await trainOrReuse(o, exp, seed));
        bar.update(++n);
      }
      done.set(exp.expid, runs);
    }
  } finally {
    bar.stop();
  }
  const pick = (e: ExperimentConfig) => done.get(e.expid)!.map((r) => ({ dir: r.dir, metrics: r.metrics }));
  const secs = (e: ExperimentConfig) => done.get(e.expid)!.reduce((a, r) => a + r.seconds, 0);
  const result: AblateResult = { dataset: o.dataset, outDir: o.outDir, baselineSeconds: secs(dis) + secs(gen), studies: {}, spectra: [], seconds: 0 };
  for (const s of o.studies) {
    const variants = STUDY_SPECS[s].variants.map((v) => variantExp.get(v.suffix)!);
    const runs: StudyRuns = {
      dis: { expid: dis.expid, runs: pick(dis) },
      gen: { expid: gen.expid, runs: pick(gen) },
      variants: STUDY_SPECS[s].variants.map((v, i) => ({ suffix: v.suffix, expid: variants[i].expid, runs: pick(variants[i]) })),
    };
    const rows = studyRows(s, o.template, runs);
    const files = await writeStudy(o.outDir, s, o.dataset, o.template, rows);
    const own = variants.flatMap((e) => done.get(e.expid)!);
    result.studies[s] = {
      rows, files,
      seconds: own.reduce((a, r) => a + r.seconds, 0),
      trained: own.filter((r) => !r.skipped).length,
      reused: own.filter((r) => r.skipped).length,
    };
  }
  if (o.studies.includes('activation') && o.spectrumRows > 0) {
    const acts = [dis, gen, ...STUDY_SPECS.activation.variants.map((v) => variantExp.get(v.suffix)!)];
    const labels = ['DIS', 'ReLU (GEN)', ...STUDY_SPECS.activation.variants.map((v) => v.label)];
    result.spectra = await activationSpectra(o, acts.map((e, i) => ({ label: labels[i], dir: done.get(e.expid)![0].dir })));
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

async function trainOrReuse(o: AblateOptions, exp: ExperimentConfig, seed: number): Promise<Done> {
  const dir = runDir(o.resultsDir, o.dataset, exp.model, exp.variant ?? exp.paradigm, seed);
  const finished = existsSync(join(dir, 'metrics.json'));
  const t = performance.now();
  try {
    const out = await runOne({
      ...o.train, dataset: o.dataset, resultsDir: o.resultsDir, exp, seed, log: o.log, progress: o.progress,
      // A finished run is reused when its configuration is the one asked for (runOne refuses it otherwise).
      resume: finished || o.resume,
    });
    return { ...out, seconds: out.skipped ? 0 : (performance.now() - t) / 1000 };
  } catch (e) {
    if (finished && e instanceof UserError && /another configuration/.test(e.message))
      throw new UserError(
        e.message.replace(/^--resume: /, 'ablate: '),
        'ablate reuses a finished run only when it was trained as asked now (same --rows, --max-epochs, threads, ...): ' +
          'repeat those flags, or use another --results-dir',
      );
    throw e;
  }
}

/** Fig. 10(b): the stacked cross-layer GEN outputs' spectrum of DIS, GEN (ReLU) and every other activation. */
async function activationSpectra(o: AblateOptions, runs: { label: string; dir: string }[]): Promise<string[]> {
  const series: { label: string; batchSeed: number; normalized: Float64Array }[] = [];
  for (const r of runs) {
    o.log(`spectrum of ${r.label}: ${r.dir}`);
    const run = await openRun(r.dir);
    try {
      if (!run.splits.valid) throw new UserError(`${r.dir}: its dataset has no validation split`);
      const a = await analyzeRun(
        { engine: run.engine, fields: run.fields, valid: run.splits.valid },
        { ...DEFAULT_ANALYZE_OPTIONS, batchRows: o.spectrumRows, skipTables: true, label: r.label, progress: o.progress },
      );
      series.push({ label: r.label, batchSeed: a.spectra[0].batchSeed, normalized: a.spectra[0].normalized });
    } finally {
      await run.engine.dispose?.();
    }
  }
  const base = join(o.outDir, 'activation-spectra');
  const title = `Spectra of the generated embeddings by activation (paper Fig. 10(b)): DCNv2 on ${o.dataset}`;
  await writeChart(base, spectrumChart(series, title, undefined, ['#888888', '#f47f72', '#80b1d3', '#fbb463', '#8dd1c6', '#bdbadb', '#b3de69']));
  writeJsonAtomic(`${base}.json`, { dataset: o.dataset, rows: o.spectrumRows, series: series.map((s) => ({ label: s.label, normalized: [...s.normalized] })) });
  return ['activation-spectra.png', 'activation-spectra.svg', 'activation-spectra.json'];
}
