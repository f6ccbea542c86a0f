// `ge4rec check-device`: checks that a device (the GPU, after `npm run install:cuda`) trains every model as the CPU
// does, and reports its throughput. Exit status 1 when a check fails: a GPU CI runner runs it (.ci/run-gpu).
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { UserError } from '../util/errors.js';
import type { Paradigm } from '../models/config.js';
import { checkDevice, formatCheckRow, type DeviceCheckResult } from '../train/device-check.js';
import { formatBenchRow } from '../train/bench.js';
import { parseModelList } from '../train/wiring.js';
import { modelNames, table1Models } from '../models/catalog.js';

export default class CheckDevice extends Ge4recCommand<DeviceCheckResult> {
  static override summary = 'Check that a device trains every model as the CPU does, and time it.';
  static override description =
    'For each model × paradigm, on small synthetic Criteo-like batches: the first step\'s gradients against a one-thread ' +
    'CPU run (relative L2 error of the loss, of every dense tensor\'s and of the touched embedding rows\' Adam first moments), ' +
    'a few steps\' losses and the predictions after them, two runs with one seed (bit-identical), and the execution provider ' +
    'each node ran on (matrix products must run on the device). Also checks that float32 matrix products keep float32 ' +
    'precision (the CUDA EP would use TF32 otherwise), then times DCNv2 at the paper\'s Criteo settings with lazy and dense ' +
    'embedding Adam. Exits with status 1 when a check fails.';
  static override examples = [
    '<%= config.bin %> check-device --device cuda',
    '<%= config.bin %> check-device --device cuda --models DCNv2 --paradigm gen --json',
    '<%= config.bin %> check-device --models FM --bench-steps 0',
  ];

  static override flags = {
    device: Flags.string({ description: 'onnxruntime execution provider to check', options: ['cpu', 'cuda'], default: 'cpu' }),
    models: Flags.string({ description: `comma-separated models, from ${modelNames().join(', ')} (default: Table 1's ${table1Models().length})` }),
    paradigm: Flags.string({ description: 'which variants to check', options: ['dis', 'gen', 'both'], default: 'both' }),
    steps: Flags.integer({ description: 'training steps per run', default: 4, min: 1 }),
    'batch-size': Flags.integer({ description: 'rows per synthetic batch', default: 256, min: 1 }),
    rtol: Flags.string({ description: "largest relative error of the first step's gradients", default: '1e-4' }),
    // Looser than --rtol: Adam's first steps move each weight by ±lr whatever the gradient's size, so rounding-level
    // differences in near-zero gradients grow to ~1e-4 in the predictions (seen on the CPU with reordered sums).
    'trajectory-rtol': Flags.string({ description: 'largest relative error of the losses and final predictions', default: '1e-2' }),
    'bench-steps': Flags.integer({ description: 'timed steps per throughput figure (0: none)', default: 10, min: 0 }),
    threads: Flags.integer({ description: 'CPU threads of the device runs (the reference uses 1)', min: 1 }),
    seed: Flags.integer({ description: 'seed of the models and batches', default: 2021 }),
  };

  async run(): Promise<DeviceCheckResult> {
    const { flags } = await this.parse(CheckDevice);
    const models = parseModelList(flags.models, '--models');
    const tol = (name: string, v: string) => {
      const x = Number(v);
      if (!(x > 0)) throw new UserError(`--${name}: expected a positive number, got '${v}'`);
      return x;
    };
    const rtol = tol('rtol', flags.rtol);
    const trajectoryRtol = tol('trajectory-rtol', flags['trajectory-rtol']);
    const paradigms: Paradigm[] = flags.paradigm === 'both' ? ['dis', 'gen'] : [flags.paradigm as Paradigm];
    const json = this.jsonEnabled();
    if (!json) this.log(`result  check       subject           error  detail`);
    const res = await checkDevice({
      device: flags.device as 'cpu' | 'cuda', models, paradigms, steps: flags.steps, batchSize: flags['batch-size'],
      rtol, trajectoryRtol, benchSteps: flags['bench-steps'], threads: flags.threads, seed: flags.seed,
      log: (r) => {
        if (!json) this.log(formatCheckRow(r));
      },
    });
    if (!json) {
      for (const r of res.throughput) this.log(`${r.embedding_optimizer} embedding Adam: ${formatBenchRow(r)}`);
      const failed = res.rows.filter((r) => !r.ok).length;
      this.log(failed === 0 ? `all ${res.rows.length} checks passed on ${res.device}` : `${failed} of ${res.rows.length} checks FAILED on ${res.device}`);
    }
    if (!res.ok) {
      // The result (ok: false, the failed rows) is the output, with --json too; the exit status says it failed.
      process.exitCode = 1;
    }
    return res;
  }
}
