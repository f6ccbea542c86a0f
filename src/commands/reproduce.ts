// `ge4rec reproduce`: train DIS and/or GEN variants with the paper's hyper-parameters, over several seeds, and
// (re)write results/<dataset>/table1.* and table5.*.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { UserError } from '../util/errors.js';
import { ensureOutputDir } from '../util/safe-path.js';
import type { Paradigm } from '../models/config.js';
import { runOne } from '../train/run.js';
import { RunNotPublished } from '../train/publish.js';
import { progressBar } from '../util/progress.js';
import { writeTables, type Table1Row } from '../train/tables.js';
import { DEFAULT_SYNTHETIC_ROWS } from '../data/datasets.js';
import { createEngine, engineOptions, openData, parseModelList, resolveExperiment, type EngineChoice } from '../train/wiring.js';
import { modelNames, table1Models } from '../models/catalog.js';
import { datasetNames, isSynthetic, releaseNames, type ReleaseName } from '../data/catalog.js';

interface ReproduceFlags {
  model?: string;
  paradigm: string;
  dataset?: string;
  seeds: number;
  device: string;
  'embedding-optimizer': string;
  'max-epochs'?: number;
  rows?: number;
  'data-dir': string;
  'results-dir': string;
  config?: string;
  expid?: string;
  hparams?: string;
  'ignore-unknown-keys': boolean;
  threads?: number;
  resume: boolean;
  'keep-checkpoints': boolean;
}

type ReproduceResult = { dataset: string; runs: unknown[]; table1: Table1Row[] };

export default class Reproduce extends Ge4recCommand<ReproduceResult> {
  static override summary = "Train the paper's DIS and GEN models and write Table 1 / Table 5.";
  static override description =
    'Runs FuxiCTR v2.3.1 training (Adam, BCE, early stopping on the validation monitor with patience 2 and lr ×0.1 on plateau) ' +
    'for each model × paradigm × seed, writing results/<dataset>/<model>/<dis|gen>/seed-<s>/ and the dataset tables. ' +
    'Seeds are the config seed, then seed+1, … Synthetic datasets use the Criteo (synthetic-criteo) or Avazu (synthetic-avazu) hyper-parameters. ' +
    'Prints Table 1 (results/<dataset>/table1.md; table1.csv and table1.json have every column). ' +
    'A run trains in seed-<s>.partial/ and replaces seed-<s>/ only when finished; a run that did not train, diverged or cannot be scored ' +
    'is not published (seed-<s>.partial/failed.json says why) and the command exits with status 2 after the other runs.';
  static override examples = [
    '<%= config.bin %> reproduce --dataset synthetic-criteo --rows 200000 --model FM --paradigm both --max-epochs 3',
    '<%= config.bin %> reproduce --dataset criteo_x1 --model all --paradigm both --seeds 3',
    '<%= config.bin %> reproduce --dataset avazu_x4 --config experiments/DCNv2.yaml --expid DCNv2_avazu_x4_gen --resume',
  ];
  static override flags = {
    model: Flags.string({
      description: `model(s) to train, comma-separated: ${modelNames().join(', ')}; or 'all' for Table 1's ${table1Models().length} (${table1Models().join(', ')})`,
    }),
    paradigm: Flags.string({ description: 'DIS (original), GEN (generative encoder) or both (ignored with --config: the config decides)', options: ['dis', 'gen', 'both'], default: 'both' }),
    dataset: Flags.string({ description: `dataset to train on: ${datasetNames().join(', ')} or a prepared dataset of yours (required unless --config's experiment names one); synthetic-* are generated on first use` }),
    seeds: Flags.integer({ description: 'number of seeds (config seed, seed+1, …)', default: 1, min: 1 }),
    device: Flags.string({ description: 'onnxruntime execution provider', options: ['cpu', 'cuda'], default: 'cpu' }),
    'embedding-optimizer': Flags.string({ description: 'dense: exact PyTorch Adam over whole tables; lazy: touched rows only', options: ['dense', 'lazy'], default: 'dense' }),
    'max-epochs': Flags.integer({ description: 'cap on epochs (the configs say 100; early stopping usually ends sooner)', min: 1 }),
    rows: Flags.integer({ description: `rows of a synthetic dataset (default ${DEFAULT_SYNTHETIC_ROWS}; each size is its own data folder)`, min: 100 }),
    'data-dir': Flags.string({ description: 'where prepared datasets live', default: './data' }),
    'results-dir': Flags.string({ description: 'where runs and tables are written', default: './results' }),
    config: Flags.string({ description: 'experiment YAML (FuxiCTR model_config layout) instead of the built-in one' }),
    expid: Flags.string({ description: 'experiment id inside --config' }),
    'ignore-unknown-keys': Flags.boolean({
      description: "FuxiCTR's behaviour: ignore --config keys ge4rec does not know, with a warning each (by default they are an error)",
      default: false,
    }),
    hparams: Flags.string({
      description: "whose hyper-parameters (the paper's experiment ids) to train a dataset of yours with (default criteo_x1; the built-in datasets use their own)",
      options: releaseNames(),
    }),
    threads: Flags.integer({ description: 'CPU threads for onnxruntime and the embedding update (default: all cores); a seed and a thread count fix every number', min: 1 }),
    resume: Flags.boolean({ description: 'skip finished runs and continue killed ones from their last epoch checkpoint (checksummed); refused, with the differences listed, when a run was started with another configuration', default: false }),
    'keep-checkpoints': Flags.boolean({
      description: "keep each finished run's best/ (best weights with Adam's state) beside model.onnx; by default checkpoints live only while a run trains",
      default: false,
    }),
  };

  async run(): Promise<ReproduceResult> {
    const { flags } = await this.parse(Reproduce);
    return this.reproduce(flags);
  }

  private async reproduce(f: ReproduceFlags): Promise<ReproduceResult> {
    const json = this.json;
    const log = (m: string) => this.note(m);
    if (f.config && f.model) throw new UserError('--config/--expid and --model are alternatives; give one of them');
    if (!f.config && !f.model) throw new UserError('--model is required (or --config FILE --expid ID)');
    // Both folders are checked (and created) before any work: a path that cannot hold a folder fails at once.
    ensureOutputDir(f['results-dir'], '--results-dir');
    ensureOutputDir(f['data-dir'], '--data-dir');
    const models = f.config ? [undefined] : parseModelList(f.model!, '--model');
    const paradigms: (Paradigm | undefined)[] = f.config ? [undefined] : f.paradigm === 'both' ? ['dis', 'gen'] : [f.paradigm as Paradigm];
    const first = f.config ? resolveExperiment({
          dataset: f.dataset ?? 'criteo_x1',
          configFile: f.config,
          expid: f.expid,
          load: { ignoreUnknownKeys: f['ignore-unknown-keys'], warn: (m) => this.logToStderr(m) },
        }) : undefined;
    const dataset = f.dataset ?? first?.dataset;
    if (!dataset) throw new UserError(`--dataset is required (${datasetNames().join(', ')} or a prepared dataset of yours)`);
    if (f.rows !== undefined && !isSynthetic(dataset)) throw new UserError('--rows applies only to the synthetic datasets');
    const choice: EngineChoice = { device: f.device as 'cpu' | 'cuda', embeddingOptimizer: f['embedding-optimizer'] as 'dense' | 'lazy', threads: f.threads };

    const data = await openData(dataset, { dataDir: f['data-dir'], rows: f.rows, progress: json ? false : undefined });
    const runs: unknown[] = [];
    // a run that fails the publish rule does not stop the others; the command fails at the end, naming each
    const failed: string[] = [];
    for (const model of models)
      for (const paradigm of paradigms) {
        const exp = first ?? resolveExperiment({ model, dataset, paradigm, hparams: f.hparams as ReleaseName | undefined });
        for (let k = 0; k < f.seeds; k++) {
          const seed = exp.seed + k;
          log(`== ${dataset}: ${exp.model} ${exp.paradigm.toUpperCase()} (${exp.expid}) seed ${seed}`);
          let out;
          try {
            out = await runOne({
              resultsDir: f['results-dir'],
              dataset,
              exp,
              seed,
              engine: choice,
              data: { dataDir: f['data-dir'], dir: data.dir, rows: f.rows, fields: data.fields, splits: data.splits },
              maxEpochs: f['max-epochs'],
              resume: f.resume,
              keepCheckpoints: f['keep-checkpoints'],
              progress: json ? false : undefined,
              log,
              createEngine: (e, fields, s) => createEngine(engineOptions(e, fields, s, choice)),
            });
          } catch (e) {
            if (!(e instanceof RunNotPublished)) throw e;
            failed.push(e.message);
            log(e.message);
            continue;
          }
          runs.push({ dir: out.dir, skipped: out.skipped, ...out.metrics });
        }
      }
    const tablesBar = progressBar(`tables of ${dataset}`, 1, { enabled: json ? false : undefined, unit: 'tables' });
    const { table1 } = writeTables(f['results-dir'], dataset);
    tablesBar.update(1);
    tablesBar.stop();
    if (!json) this.log(readFileSync(join(f['results-dir'], dataset, 'table1.md'), 'utf8'));
    log(`tables: ${f['results-dir']}/${dataset}/table1.md, table5.md`);
    if (failed.length) {
      throw new UserError(
        `${failed.length} run(s) not published (the tables hold the finished runs only):\n  ${failed.join('\n  ')}`,
        'check the configuration (learning rate, epochs) and the data (both classes in every split), then run again',
      );
    }
    return { dataset, runs, table1 };
  }
}
