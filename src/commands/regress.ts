// `ge4rec regress`: train the fixed regression suite (every Table 1 model × DIS/GEN on small synthetic data) and
// compare it with the committed baseline (regress/baseline.<device>.json): exact on the CPU, within tolerances on a
// GPU. Exit status 1 with a table of what moved; `--update --reason "..."` records a deliberate change.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import type { Paradigm } from '../models/config.js';
import { baselinePath } from '../regress/baseline.js';
import { DEFAULT_SETTINGS, PARADIGMS, SUITE_VARIANT, suiteModels, suiteRuns } from '../regress/settings.js';
import { runRegress, type RegressResult } from '../regress/suite.js';
import { failureTable, updateTable } from '../regress/table.js';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { PACKAGE_ROOT } from '../util/paths.js';

export const BASELINE_DIR = join(PACKAGE_ROOT, 'regress');
const MODELS = suiteModels();

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export default class Regress extends Ge4recCommand<RegressResult> {
  static override summary = 'Train the regression suite and compare it with the committed baseline.';
  static override description =
    `Trains every Table 1 model × DIS/GEN and one ablation variant (${SUITE_VARIANT.model} ${SUITE_VARIANT.suffix}; ${MODELS.length * 2 + 1} runs) on ${DEFAULT_SETTINGS.rows.toLocaleString('en-US')} rows of synthetic-criteo ` +
    `(batch ${DEFAULT_SETTINGS.batch_size}, ${DEFAULT_SETTINGS.epochs} epochs, seed ${DEFAULT_SETTINGS.seed}, ${DEFAULT_SETTINGS.threads} threads) and compares each run's ` +
    'final train loss, valid/test AUC and Logloss and a SHA-256 digest of its trained weights with regress/baseline.<device>.json. ' +
    'On the CPU the check is exact (bit-equal); on a GPU, or a CPU with other matrix kernels than the baseline\'s, within tolerances ' +
    '(AUC ±3e-3, losses 5e-3 relative, weight norm 5e-3 relative; ' +
    'without regress/baseline.cuda.json it compares with the CPU baseline). Exits 1 with a table of the runs and metrics that moved. ' +
    'Throughput (samples/s as a share of the machine\'s GEMM rate, measured in the same run) only warns. ' +
    '--update --reason "..." rewrites the baseline and prints old, new and Δ of everything that changed.';
  static override examples = [
    '<%= config.bin %> regress',
    '<%= config.bin %> regress --report results/regress/report.cpu.json',
    '<%= config.bin %> regress --update --reason "FmFM: init std 1e-4 as in the official code (fidelity fix)"',
    '<%= config.bin %> regress --device cuda --report results/regress/report.cuda.json',
    '<%= config.bin %> regress --models FM,DCNv2 --paradigm gen --json',
  ];
  static override flags = {
    device: Flags.string({ description: 'onnxruntime execution provider to train on', options: ['cpu', 'cuda'], default: 'cpu' }),
    models: Flags.string({ description: `comma-separated subset of the suite's models (default all of Table 1: ${MODELS.join(', ')}; ${SUITE_VARIANT.model} brings its ablation variant with GEN)` }),
    paradigm: Flags.string({ description: 'which variants to train', options: ['dis', 'gen', 'both'], default: 'both' }),
    baseline: Flags.string({ description: 'baseline file (default regress/baseline.<device>.json; on cuda without one, the CPU baseline)' }),
    update: Flags.boolean({ description: 'rewrite the baseline (and the throughput file) with this run\'s numbers; needs --reason', default: false }),
    reason: Flags.string({ description: 'why the numbers changed (a fidelity fix, ...): recorded in the baseline file\'s history' }),
    report: Flags.string({ description: 'also write the result document (every run\'s numbers, failures, throughput) to this JSON file' }),
    'data-dir': Flags.string({ description: 'where the synthetic dataset is generated and kept', default: './data' }),
    rows: Flags.integer({ description: `rows of the synthetic dataset (default ${DEFAULT_SETTINGS.rows}; another size needs its own --baseline)`, min: 1000 }),
    epochs: Flags.integer({ description: `epochs per run (default ${DEFAULT_SETTINGS.epochs}; another count needs its own --baseline)`, min: 1 }),
    'ordered-row-sums': Flags.boolean({
      description: "sum repeated embedding rows' gradients in the GPU's fixed order on the CPU too, and compare with tolerances (measures what rounding alone moves)",
      default: false,
    }),
    'throughput-warn': Flags.string({ description: "warn when a run's share of the GEMM rate falls by more than this fraction", default: '0.2' }),
  };

  async run(): Promise<RegressResult> {
    const { flags } = await this.parse(Regress);
    const device = flags.device as 'cpu' | 'cuda';
    if (flags.update && !flags.reason?.trim()) throw new UserError('--update needs --reason "why the numbers changed" (it is recorded in the baseline file)');
    if (flags.reason !== undefined && !flags.update) throw new UserError('--reason is only used with --update');
    const models = flags.models ? flags.models.split(',').map((s) => s.trim()).filter(Boolean) : [...MODELS];
    for (const m of models)
      if (!(MODELS as readonly string[]).includes(m)) throw new UserError(`--models: unknown model '${m}' (the suite has ${MODELS.join(', ')})`);
    if (models.length === 0) throw new UserError('--models: no model given');
    const paradigms: readonly Paradigm[] = flags.paradigm === 'both' ? PARADIGMS : [flags.paradigm as Paradigm];
    const drop = Number(flags['throughput-warn']);
    if (!(drop > 0 && drop < 1)) throw new UserError(`--throughput-warn: expected a fraction between 0 and 1, got '${flags['throughput-warn']}'`);
    if (flags['ordered-row-sums'] && flags.update) throw new UserError('--ordered-row-sums is a measurement; it cannot --update a baseline');
    let baselineFile = flags.baseline ?? baselinePath(BASELINE_DIR, device);
    if (!flags.baseline && device !== 'cpu' && !flags.update && !existsSync(baselineFile)) {
      baselineFile = baselinePath(BASELINE_DIR, 'cpu');
      this.note(`no ${device} baseline: comparing with the CPU's, ${baselineFile}, within the device tolerances`);
    }
    const settings = { ...DEFAULT_SETTINGS, rows: flags.rows ?? DEFAULT_SETTINGS.rows, epochs: flags.epochs ?? DEFAULT_SETTINGS.epochs };
    const json = this.json;
    const res = await runRegress({
      device,
      settings,
      runs: suiteRuns(models, paradigms),
      baselineFile,
      dataDir: flags['data-dir'],
      update: flags.update ? { reason: flags.reason!.trim() } : undefined,
      orderedRowSums: flags['ordered-row-sums'],
      throughputDrop: drop,
      progress: json ? false : undefined,
      log: (m) => this.note(m),
    });
    if (flags.report) writeJsonAtomic(flags.report, res);
    for (const w of res.throughput.warnings)
      this.note(
        `warning: ${w.run} throughput ${(w.change * 100).toFixed(0)}% against the baseline's (share of the GEMM rate ${w.now_share.toPrecision(3)}, ` +
          `was ${w.baseline_share.toPrecision(3)}; GEMM ${w.now_gemm_gflops.toFixed(0)} GFLOP/s, was ${w.baseline_gemm_gflops?.toFixed(0) ?? '?'})`,
      );
    if (!res.throughput.baseline_found) this.note(`no throughput baseline at ${res.throughput.file} (--update records one)`);
    const took = `${res.seconds.toFixed(0)} s`;
    if (res.update) {
      this.log(res.update.changed.length ? updateTable(res.update.changed) : 'no number changed');
      this.log(`baseline ${res.baseline_file} updated (${count(res.runs.length, 'run')}, ${count(res.update.changed.length, 'value')} changed, ${took}); reason: ${res.update.reason}`);
    } else if (res.ok) {
      this.log(`regress: ${count(res.runs.length, 'run')} ${res.runs.length === 1 ? 'matches' : 'match'} ${res.baseline_file} (${res.mode === 'exact' ? 'bit for bit' : 'within the device tolerances'}, ${took})`);
    } else {
      const values = res.failures.filter((r) => r.metric !== '(run)');
      const runs = res.failures.filter((r) => r.metric === '(run)');
      const what = [
        values.length ? `${count(values.length, 'value')} moved in ${new Set(values.map((r) => r.run)).size} of ${count(res.runs.length, 'run')}` : '',
        runs.length ? `${count(runs.length, 'run')} on one side only` : '',
      ].filter(Boolean);
      this.log(failureTable(res.failures));
      this.log(`regress FAILED: ${what.join('; ')} (against ${res.baseline_file}, ${res.mode}, ${took})`);
      this.log('If the change is intended (a fidelity fix), record it: ge4rec regress --update --reason "..." and commit the baseline.');
    }
    if (flags.report) this.note(`report: ${flags.report}`);
    if (!res.ok) process.exitCode = 1;
    return res;
  }
}
