// `ge4rec ablate`: the paper's ablation studies of GEN on DCNv2 (Sec. 4.4 Fig. 5, App. C.4 Fig. 10).
import { Flags } from '@oclif/core';
import { join, resolve } from 'node:path';
import { Ge4recCommand } from '../cli/command.js';
import { ablate, type AblateResult } from '../ablation/run.js';
import { parseStudies, STUDIES } from '../ablation/studies.js';
import { renderStudy } from '../ablation/report.js';
import { DEFAULT_SYNTHETIC_ROWS } from '../data/datasets.js';
import { UserError } from '../util/errors.js';
import { formatDuration } from '../util/progress.js';
import { ensureOutputDir } from '../util/safe-path.js';
import { createEngine, engineOptions, openData, templateDataset, type EngineChoice } from '../train/wiring.js';
import { datasetNames } from '../data/catalog.js';

export default class Ablate extends Ge4recCommand<AblateResult> {
  static override summary = "The paper's ablations of GEN on DCNv2: source, encoder, target, activation (Fig. 5, Fig. 10).";
  static override description =
    'Trains DCNv2 DIS, GEN and every variant of the chosen studies (experiments/DCNv2.yaml ids DCNv2_<dataset>_<variant>) ' +
    'over --seeds seeds, reusing finished runs trained with the same settings (results/<dataset>/DCNv2/{dis,gen,<expid>}/seed-<s>), ' +
    'and writes results/<dataset>/ablation/<study>.{md,csv,json} (AUC and Logloss ± std, Δ vs DIS and GEN, the paper\'s value) ' +
    'with a bar chart <study>.{png,svg}; the activation study adds activation-spectra.{png,svg,json} (Fig. 10(b)). ' +
    'See docs/FIDELITY.md for what each variant computes.';
  static override examples = [
    '<%= config.bin %> ablate --dataset synthetic-criteo --study all --rows 200000 --max-epochs 2',
    '<%= config.bin %> ablate --dataset avazu_x4 --study source,target --seeds 3 --resume',
  ];
  static override flags = {
    dataset: Flags.string({ description: 'dataset to train on; synthetic-* are generated on first use', options: datasetNames(), required: true }),
    study: Flags.string({ description: `which studies: ${STUDIES.join(', ')} (comma-separated) or all`, default: 'all' }),
    seeds: Flags.integer({ description: 'seeds per variant (config seed, seed+1, …); the error bars need 2 or more', default: 1, min: 1 }),
    'max-epochs': Flags.integer({ description: 'cap on epochs (the configs say 100; early stopping usually ends sooner)', min: 1 }),
    rows: Flags.integer({ description: `rows of a synthetic dataset (default ${DEFAULT_SYNTHETIC_ROWS})`, min: 100 }),
    'spectrum-rows': Flags.integer({ description: 'validation rows for the activation spectra (Fig. 10(b)); 0 skips them', default: 50_000, min: 0 }),
    device: Flags.string({ description: 'onnxruntime execution provider', options: ['cpu', 'cuda'], default: 'cpu' }),
    'embedding-optimizer': Flags.string({ description: 'dense: exact PyTorch Adam over whole tables; lazy: touched rows only', options: ['dense', 'lazy'], default: 'dense' }),
    threads: Flags.integer({ description: 'CPU threads (default: all cores); a seed and a thread count fix every number', min: 1 }),
    resume: Flags.boolean({ description: 'continue killed runs from their last epoch checkpoint (finished runs are always reused)', default: false }),
    'data-dir': Flags.string({ description: 'where prepared datasets live', default: './data' }),
    'results-dir': Flags.string({ description: 'where runs and tables are written', default: './results' }),
  };

  async run(): Promise<AblateResult> {
    const { flags: f } = await this.parse(Ablate);
    const studies = parseStudies(f.study);
    if (f.rows !== undefined && !f.dataset.startsWith('synthetic-')) throw new UserError('--rows applies only to the synthetic datasets');
    const template = templateDataset(f.dataset);
    const json = this.json;
    const outDir = ensureOutputDir(join(f['results-dir'], f.dataset, 'ablation'), 'ablation folder');
    const choice: EngineChoice = { device: f.device as 'cpu' | 'cuda', embeddingOptimizer: f['embedding-optimizer'] as 'dense' | 'lazy', threads: f.threads };
    const data = await openData(f.dataset, { dataDir: f['data-dir'], rows: f.rows, progress: json ? false : undefined });
    const res = await ablate({
      dataset: f.dataset, template, studies, seeds: f.seeds, resultsDir: f['results-dir'], outDir: resolve(outDir), resume: f.resume,
      spectrumRows: f['spectrum-rows'], log: (m) => this.note(m), progress: json ? false : undefined,
      train: {
        engine: choice,
        data: { dataDir: f['data-dir'], dir: data.dir, rows: f.rows, fields: data.fields, splits: data.splits },
        maxEpochs: f['max-epochs'],
        createEngine: (e, fields, s) => createEngine(engineOptions(e, fields, s, choice)),
      },
    });
    if (!json) {
      for (const s of studies) {
        const r = res.studies[s]!;
        this.log(renderStudy(s, f.dataset, template, r.rows).md);
        this.log(`${s}: ${r.trained} trained, ${r.reused} reused, ${formatDuration(r.seconds)} of training; files ${r.files.join(', ')}\n`);
      }
      this.log(`DIS + GEN: ${formatDuration(res.baselineSeconds)} of training; all: ${formatDuration(res.seconds)}; written to ${outDir}`);
    }
    return res;
  }
}
