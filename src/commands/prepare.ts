// `ge4rec prepare`: download (or take from --source, or generate) a dataset and encode it for training.
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { ensureOutputDir } from '../util/safe-path.js';
import { progressBar, type Progress } from '../util/progress.js';
import { datasetNames } from '../data/catalog.js';
import { prepareDataset, type PrepareSummary } from '../data/prepare.js';
import { CONNECT_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../data/download.js';

export default class Prepare extends Ge4recCommand<PrepareSummary> {
  static override summary = 'Download, verify and encode a dataset into parquet, feature_map.json and a training cache.';
  static override description =
    'Criteo x1 and Avazu x4 are downloaded (resumable, checksummed; or taken from --source), extracted and encoded the way ' +
    'FuxiCTR does, into a folder under --data-dir named as FuxiCTR names it (criteo_x1_7b681156, avazu_x4_3bbbc4c9): train/valid/test.parquet, feature_map.json and cache/. ' +
    'synthetic-criteo and synthetic-avazu are generated with the real layouts (--rows, --seed). Finished steps are skipped ' +
    'on a second call (--force rebuilds the dataset beside the old one and replaces it only when finished). ' +
    'Downloads retry and resume after network errors, after --connect-timeout seconds without an answer and after --idle-timeout seconds without data.';

  static override examples = [
    '<%= config.bin %> prepare --dataset criteo_x1',
    '<%= config.bin %> prepare --dataset avazu_x4 --source ~/Downloads',
    '<%= config.bin %> prepare --dataset synthetic-criteo --rows 200000 --seed 1',
    '<%= config.bin %> prepare --config dataset_config.yaml --dataset my_clicks',
  ];

  static override flags = {
    dataset: Flags.string({ description: `dataset to prepare: ${datasetNames().join(', ')}, or the id of a dataset in --config`, required: true }),
    config: Flags.string({ description: "a FuxiCTR dataset_config.yaml declaring --dataset (your own data: csv or parquet files, feature_cols, label_col)" }),
    'data-dir': Flags.string({ description: 'folder holding the dataset folders', default: './data' }),
    source: Flags.string({ description: 'folder with the already-downloaded zip or train/valid/test.csv' }),
    mirror: Flags.string({ description: 'base URL to download the zip from instead of Hugging Face (env GE4REC_MIRROR)' }),
    rows: Flags.integer({ description: 'rows to generate (synthetic datasets only)', default: 200_000, min: 10 }),
    seed: Flags.integer({ description: 'seed of the generator (synthetic datasets only)', default: 0 }),
    'on-bad-row': Flags.string({
      description: 'what to do with malformed CSV rows (wrong column count, a label other than 0/1, a value that is not a finite number): fail naming file:line, or skip and count them',
      options: ['fail', 'skip'],
      default: 'fail',
    }),
    'connect-timeout': Flags.integer({ description: 'seconds to wait for the download server to answer before retrying', default: CONNECT_TIMEOUT_MS / 1000, min: 1 }),
    'idle-timeout': Flags.integer({ description: 'seconds without a byte from the download server before retrying, resuming where it stopped', default: IDLE_TIMEOUT_MS / 1000, min: 1 }),
    'parquet-compression': Flags.string({ description: 'codec of the parquet files', options: ['gzip', 'snappy', 'none'], default: 'gzip' }),
    force: Flags.boolean({ description: 'redo every step, even those marked done: the dataset is rebuilt beside the old one, which is replaced only when every step has finished', default: false }),
  };

  async run(): Promise<PrepareSummary> {
    const { flags } = await this.parse(Prepare);
    ensureOutputDir(flags['data-dir'], '--data-dir');
    const json = this.jsonEnabled();
    let bar: Progress | null = null;
    let phase = '';
    let summary: PrepareSummary;
    try {
      summary = await prepareDataset({
        dataset: flags.dataset,
        config: flags.config,
        dataDir: flags['data-dir'],
        source: flags.source,
        mirror: flags.mirror,
        rows: flags.rows,
        seed: flags.seed,
        force: flags.force,
        connectTimeoutMs: flags['connect-timeout'] * 1000,
        idleTimeoutMs: flags['idle-timeout'] * 1000,
        onBadRow: flags['on-bad-row'] as 'fail' | 'skip',
        parquetCodec: flags['parquet-compression'] as 'gzip' | 'snappy' | 'none',
        log: json ? undefined : (m) => this.logToStderr(m),
        onProgress: (p, done, total) => {
          if (p !== phase) {
            bar?.stop();
            phase = p;
            bar = progressBar(p, total || 1, { enabled: json ? false : undefined });
          }
          if (total) bar!.setTotal(total);
          bar!.update(done);
        },
      });
    } finally {
      (bar as Progress | null)?.stop();
    }
    if (!json) {
      this.log(`${summary.dataset} ready in ${summary.dir} (${summary.seconds.toFixed(1)} s)`);
      for (const s of ['train', 'valid', 'test'] as const) {
        const bad = summary.badRows[s].count ? `, ${summary.badRows[s].count} malformed rows skipped` : '';
        this.log(`  ${s}: ${summary.rows[s]} rows${bad}`);
      }
      this.log(`  steps: ${summary.steps.map((s) => `${s.step} ${s.status}`).join(', ')}`);
    }
    return summary;
  }
}
