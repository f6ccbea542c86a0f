// `ge4rec bench`: samples/s and peak RSS of every model × paradigm at the paper's settings on synthetic batches.
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { UserError } from '../util/errors.js';
import type { DatasetName } from '../models/config.js';
import { runBench, type BenchRow } from '../train/bench.js';
import { parseModelList } from '../train/wiring.js';
import { modelNames, table1Models } from '../models/catalog.js';
import { releaseNames } from '../data/catalog.js';

export default class Bench extends Ge4recCommand<{ rows: BenchRow[]; load: number[] }> {
  static override summary = 'Training throughput and memory of every model × paradigm at the paper settings.';
  static override description =
    "Builds each model with the paper's Criteo x1 / Avazu x4 hyper-parameters (batch size, embedding size, hidden sizes) and " +
    'vocabulary sizes (Avazu: the real per-field sizes; Criteo: 2.09 M rows over 26 fields), times a few training steps on ' +
    "synthetic batches after warm-up, and prints samples/s, peak RSS, the projected full-epoch time and GEN's extra time per " +
    'step next to its extra arithmetic (encoder FLOPs over the DIS model FLOPs, the same base as the time).';
  static override examples = ['<%= config.bin %> bench', '<%= config.bin %> bench --models FM,DCNv2 --datasets criteo_x1 --steps 5', '<%= config.bin %> bench --steps 1 --batch-size 64 --json'];

  static override flags = {
    models: Flags.string({ description: `comma-separated models, from ${modelNames().join(', ')} (default: Table 1's ${table1Models().length})` }),
    datasets: Flags.string({ description: `comma-separated: ${releaseNames().join(', ')}`, default: releaseNames().join(',') }),
    steps: Flags.integer({ description: 'timed steps per model × paradigm', default: 10, min: 1 }),
    warmup: Flags.integer({ description: 'untimed steps first (the first one creates the sessions)', default: 2, min: 1 }),
    'batch-size': Flags.integer({ description: "override the paper's batch size (smoke tests)", min: 1 }),
    'embedding-optimizer': Flags.string({ description: 'dense: exact PyTorch Adam over whole tables; lazy: touched rows only', options: ['dense', 'lazy'], default: 'dense' }),
    device: Flags.string({ description: 'onnxruntime execution provider (cuda: after npm run install:cuda)', options: ['cpu', 'cuda'], default: 'cpu' }),
    threads: Flags.integer({ description: 'CPU threads (default: all cores)', min: 1 }),
  };

  async run(): Promise<{ rows: BenchRow[]; load: number[] }> {
    const { flags } = await this.parse(Bench);
    const models = parseModelList(flags.models, '--models');
    const datasets = flags.datasets.split(',').map((s) => s.trim());
    const releases: string[] = releaseNames();
    for (const d of datasets) if (!releases.includes(d)) throw new UserError(`--datasets: unknown dataset '${d}' (${releases.join(', ')})`);
    const json = this.jsonEnabled();
    const rows = await runBench({
      models,
      datasets: datasets as DatasetName[],
      steps: flags.steps,
      warmup: flags.warmup,
      batchSize: flags['batch-size'],
      engine: { device: flags.device as 'cpu' | 'cuda', embeddingOptimizer: flags['embedding-optimizer'] as 'dense' | 'lazy', threads: flags.threads },
      log: (m) => {
        if (!json) this.log(m);
      },
    });
    const { loadavg } = await import('node:os');
    if (!json) this.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    return { rows, load: loadavg() };
  }
}
