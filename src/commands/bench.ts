// `ge4rec bench`: samples/s and peak RSS of every model × paradigm at the paper's settings on synthetic batches.
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { UserError } from '../util/errors.js';
import type { DatasetName } from '../models/config.js';
import { runBench, type BenchRow } from '../train/bench.js';
import { TABLE_MODELS, ALL_MODELS } from '../train/wiring.js';

export default class Bench extends Ge4recCommand<{ rows: BenchRow[]; load: number[] }> {
  static override summary = 'Training throughput and memory of every model × paradigm at the paper settings.';
  static override description =
    "Builds each model with the paper's Criteo x1 / Avazu x4 hyper-parameters (batch size, embedding size, hidden sizes) and " +
    'vocabulary sizes (Avazu: the real per-field sizes; Criteo: 2.09 M rows over 26 fields), times a few training steps on ' +
    "synthetic batches after warm-up, and prints samples/s, peak RSS, the projected full-epoch time and GEN's extra time per " +
    'step next to its extra arithmetic (encoder FLOPs over the DIS model FLOPs, the same base as the time).';
  static override examples = ['<%= config.bin %> bench', '<%= config.bin %> bench --models FM,DCNv2 --datasets criteo_x1 --steps 5', '<%= config.bin %> bench --steps 1 --batch-size 64 --json'];

  static override flags = {
    models: Flags.string({ description: `comma-separated models, from ${ALL_MODELS.join(', ')} (default: Table 1's ${TABLE_MODELS.length})` }),
    datasets: Flags.string({ description: 'comma-separated: criteo_x1, avazu_x4', default: 'criteo_x1,avazu_x4' }),
    steps: Flags.integer({ description: 'timed steps per model × paradigm', default: 10, min: 1 }),
    warmup: Flags.integer({ description: 'untimed steps first (the first one creates the sessions)', default: 2, min: 1 }),
    'batch-size': Flags.integer({ description: "override the paper's batch size (smoke tests)", min: 1 }),
    'embedding-optimizer': Flags.string({ description: 'dense: exact PyTorch Adam over whole tables; lazy: touched rows only', options: ['dense', 'lazy'], default: 'dense' }),
    device: Flags.string({ description: 'onnxruntime execution provider (cuda: after npm run install:cuda)', options: ['cpu', 'cuda'], default: 'cpu' }),
    threads: Flags.integer({ description: 'CPU threads (default: all cores)', min: 1 }),
  };

  async run(): Promise<{ rows: BenchRow[]; load: number[] }> {
    const { flags } = await this.parse(Bench);
    const models = flags.models ? flags.models.split(',').map((s) => s.trim()) : [...TABLE_MODELS];
    for (const m of models)
      if (!(ALL_MODELS as readonly string[]).includes(m)) throw new UserError(`--models: unknown model '${m}' (expected ${ALL_MODELS.join(', ')})`);
    const datasets = flags.datasets.split(',').map((s) => s.trim());
    for (const d of datasets) if (d !== 'criteo_x1' && d !== 'avazu_x4') throw new UserError(`--datasets: unknown dataset '${d}' (criteo_x1, avazu_x4)`);
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
