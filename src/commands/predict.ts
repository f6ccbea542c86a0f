// `ge4rec predict`: score raw rows with a finished run's exported model.
import { dirname, resolve } from 'node:path';
import { ensureOutputDir } from '../util/safe-path.js';
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { openDeployedRun } from '../deploy/deployed-run.js';
import { outputFormat, predictFile, type PredictSummary } from '../deploy/predict.js';
import { progressBar } from '../util/progress.js';

export default class Predict extends Ge4recCommand<PredictSummary> {
  static override summary = "Score raw rows with a finished run's model.";
  static override description =
    "Reads raw rows (CSV or parquet, in the dataset's raw layout; the label column is optional), encodes them with the " +
    "run's saved vocabulary exactly as prepare encoded the training data (unseen tokens → OOV), scores them with the " +
    "run's model.onnx in onnxruntime and writes the probability per row (and the label when present) as parquet or CSV, " +
    'written beside the target and renamed. With labels it prints AUC and Logloss. Memory does not grow with the input.';
  static override examples = [
    '<%= config.bin %> predict --run results/synthetic-criteo/DCNv2/gen/seed-2021 --input new.csv',
    '<%= config.bin %> predict --run results/criteo_x1/DCNv2/gen/seed-2021 --input day.parquet --output scores.csv --batch 8192',
  ];

  static override flags = {
    run: Flags.string({ description: 'finished run folder (results/<dataset>/<model>/<dis|gen>/seed-<s>)', required: true }),
    input: Flags.string({ description: 'raw rows: .csv (with a header) or .parquet', required: true }),
    output: Flags.string({ description: 'where to write the predictions (.parquet or .csv; default: <input>.predictions.parquet)' }),
    format: Flags.string({ description: 'output format (default: from --output\'s extension)', options: ['parquet', 'csv'] }),
    batch: Flags.integer({ description: 'rows per onnxruntime call', default: 10_000, min: 1 }),
    device: Flags.string({ description: 'onnxruntime execution provider', options: ['cpu', 'cuda'], default: 'cpu' }),
    threads: Flags.integer({ description: 'CPU threads for onnxruntime (default: all cores)', min: 1 }),
    'data-dir': Flags.string({ description: "where the run's dataset is prepared, if it moved since training (default: where it was)" }),
  };

  async run(): Promise<PredictSummary> {
    const { flags } = await this.parse(Predict);
    const json = this.jsonEnabled();
    const output = flags.output ?? `${flags.input.replace(/\.(csv|parquet|txt)$/i, '')}.predictions.${flags.format ?? 'parquet'}`;
    outputFormat(output, flags.format);
    ensureOutputDir(dirname(resolve(output)), '--output');
    const run = await openDeployedRun(flags.run, { device: flags.device as 'cpu' | 'cuda', threads: flags.threads, dataDir: flags['data-dir'] });
    const bar = progressBar('predict', 1, { enabled: json ? false : undefined, unit: /\.parquet$/i.test(flags.input) ? 'rows' : 'bytes' });
    let summary: PredictSummary;
    try {
      summary = await predictFile(run, {
        input: flags.input, output, batch: flags.batch, format: flags.format as 'csv' | 'parquet' | undefined,
        onProgress: (done, total) => {
          bar.setTotal(total);
          bar.update(done);
        },
      });
    } finally {
      bar.stop();
      await run.close();
    }
    if (!json) {
      const c = run.card;
      this.log(`${summary.rows} rows scored with ${c.model} ${c.paradigm.toUpperCase()} (${c.dataset}, seed ${c.seed}) → ${summary.output}`);
      if (summary.metrics) this.log(`AUC ${summary.metrics.AUC.toFixed(6)}  Logloss ${summary.metrics.logloss.toFixed(6)}`);
      const sec = summary.seconds;
      this.log(
        `${sec.toFixed(2)} s, ${Math.round(summary.rows / Math.max(sec, 1e-9))} rows/s ` +
          `(read+encode ${summary.encodeSeconds.toFixed(2)} s, model ${summary.modelSeconds.toFixed(2)} s, write ${summary.writeSeconds.toFixed(2)} s)`,
      );
    }
    return summary;
  }
}
