// `ge4rec analyze`: why GEN helps (paper Sec. 4.3): spectra and correlations of the interacted embeddings.
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { resolve } from 'node:path';
import { DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../analysis/analyze-run.js';
import { ensureOutputDir } from '../util/safe-path.js';
import { defaultOutDir, describeRunDir, findModelRuns, type RunRef } from '../analysis/locate.js';
import { runAnalysis, trainRunOpener, type RunOpener } from '../analysis/pipeline.js';
import type { ReportResult } from '../analysis/report.js';
import { UserError } from '../util/errors.js';

export default class Analyze extends Ge4recCommand<ReportResult> {
  static override summary = 'Spectra and correlation maps of finished runs, DIS beside GEN (paper Fig. 3, 4, 9).';
  static override description =
    'Dimensional collapse and redundancy of the interacted embeddings (paper Sec. 4.3): the normalised singular-value ' +
    'spectrum of a validation batch (Fig. 3), the Pearson correlations between the two interacted embeddings (Fig. 4) and ' +
    'the spectra of the per-field embedding tables (Fig. 9), DIS and GEN side by side. Pick the runs with --dataset and ' +
    '--model (the DIS and GEN runs of one seed under --results-dir), or name run folders with --run and --compare. ' +
    'Writes PNG and SVG figures, their data as JSON and analysis.md (a short reading of the figures) to --out.';

  static override usage = [
    '<%= command.id %> --dataset <value> --model <value> [--seed <value>] [flags]',
    '<%= command.id %> --run <dir> [--compare <dir>] [flags]',
  ];

  static override examples = [
    '<%= config.bin %> analyze --dataset criteo_x1 --model DCNv2',
    '<%= config.bin %> analyze --run results/avazu_x4/FM/dis/seed-2023 --compare results/avazu_x4/FM/gen/seed-2023 --seeds 3',
  ];

  static override flags = {
    run: Flags.string({ description: 'a run folder (results/<dataset>/<model>/<paradigm>/seed-<s>); instead of --dataset/--model' }),
    compare: Flags.string({ description: 'a second run folder to show beside --run' }),
    dataset: Flags.string({ description: 'dataset of the runs to find (with --model)' }),
    model: Flags.string({ description: 'model of the runs to find (with --dataset)' }),
    seed: Flags.integer({ description: 'training seed of the runs to find (default: the smallest seed with both DIS and GEN)' }),
    'results-dir': Flags.string({ description: 'where the runs live', default: 'results' }),
    batch: Flags.integer({ description: 'validation rows per analysed batch', default: DEFAULT_ANALYZE_OPTIONS.batchRows, min: 2 }),
    seeds: Flags.integer({ description: 'number of random validation batches for the spectrum (robustness check)', default: 1, min: 1 }),
    'batch-seed': Flags.integer({ description: 'shuffle seed of the first batch (batch k uses batch-seed + k)', default: 0 }),
    chunk: Flags.integer({ description: 'rows per forward pass while recording', default: DEFAULT_ANALYZE_OPTIONS.chunkRows, min: 1 }),
    layer: Flags.integer({
      description:
        'analyse only layer k of models that stack interactions (the cross layers of DCNv2, CrossNetV2; the CIN layers of xDeepFM); ' +
        "default: the spectrum over every layer's generated embeddings stacked by rows, as the paper's code, and the correlation on layer 0",
      min: 0,
    }),
    backend: Flags.string({ description: 'where the covariance products run: onnx (onnxruntime float64 MatMul) or js', options: ['onnx', 'js'], default: 'onnx' }),
    'no-tables': Flags.boolean({ description: 'skip the per-field embedding-table spectra', default: false }),
    'data-dir': Flags.string({ description: "data folder of the runs' dataset (default: the one in each run's config.json)" }),
    out: Flags.string({ description: 'output folder (default: results/<dataset>/<model>/analysis)' }),
  };

  /** Tests replace this to analyse runs served by a fake engine. */
  static opener: (opts: { dataDir?: string }) => RunOpener = trainRunOpener;

  async run(): Promise<ReportResult> {
    const { flags } = await this.parse(Analyze);
    // Checked here rather than with oclif's dependsOn/exclusive, which garble the usage line.
    if (flags.run && (flags.dataset || flags.model || flags.seed !== undefined))
      throw new UserError('give either --run <dir> [--compare <dir>] or --dataset D --model M [--seed S], not both');
    if (flags.compare && !flags.run) throw new UserError('--compare needs --run (the run to compare with)');
    if (!flags.run && (flags.dataset === undefined) !== (flags.model === undefined))
      throw new UserError(flags.dataset ? '--dataset needs --model' : '--model needs --dataset');
    if (flags.seed !== undefined && !flags.dataset) throw new UserError('--seed needs --dataset and --model');
    let runs: RunRef[];
    if (flags.run) {
      runs = [describeRunDir(flags.run)];
      if (flags.compare) runs.push(describeRunDir(flags.compare));
    } else if (flags.dataset && flags.model) {
      runs = findModelRuns(flags['results-dir'], flags.dataset, flags.model, flags.seed);
    } else {
      throw new UserError('give --run <runDir> [--compare <runDir>], or --dataset D --model M');
    }
    // DIS first, so DIS and GEN keep their colours and panel order in every figure.
    runs.sort((a, b) => rank(a.paradigm) - rank(b.paradigm));
    const options: AnalyzeOptions = {
      batchRows: flags.batch,
      seeds: flags.seeds,
      batchSeed: flags['batch-seed'],
      chunkRows: flags.chunk,
      layer: flags.layer ?? 'all',
      skipTables: flags['no-tables'],
      backend: flags.backend === 'js' ? 'js' : 'onnx',
      log: this.json ? undefined : (m) => this.note(m),
      progress: this.json ? false : undefined,
    };
    const outDir = ensureOutputDir(flags.out ?? defaultOutDir(runs[0]), flags.out ? '--out' : 'analysis folder');
    const result = await runAnalysis({ runs, outDir, options }, Analyze.opener({ dataDir: flags['data-dir'] }));
    if (!this.jsonEnabled()) {
      for (const f of result.findings) this.log(`- ${f}`);
      this.log(`wrote ${result.files.length} files to ${outDir} (see analysis.md)`);
    }
    return result;
  }
}

function rank(paradigm: string): number {
  const p = paradigm.toLowerCase();
  return p === 'dis' ? 0 : p === 'gen' ? 1 : 2;
}
