// A finished run opened for use: its model.onnx (with the model card), the dataset layout it was trained on and the
// saved vocabulary, restored into the dataset encoder that prepare encodes with.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetSpec } from '../data/datasets.js';
import { datasetSpec, findDataset, readUserDescriptor } from '../data/catalog.js';
import { DatasetEncoder } from '../data/encode.js';
import { readFeatureVocab } from '../data/feature-map.js';
import type { Device } from '../engine/session.js';
import { readRunConfig, type RunConfigJson } from '../train/run.js';
import { UserError } from '../util/errors.js';
import { fileSha256, readModelCard, type ModelCard } from './model-card.js';
import { Scorer } from './scorer.js';

export interface DeployOptions {
  device?: Device;
  threads?: number;
  /** Where the run's dataset is prepared, when not where it was at training time (its folder is looked up inside). */
  dataDir?: string;
}

export interface DeployedRun {
  dir: string;
  card: ModelCard;
  config: RunConfigJson;
  spec: DatasetSpec;
  /** The prepared dataset folder whose feature_vocab.json encodes the rows. */
  datasetDir: string;
  encoder: DatasetEncoder;
  scorer: Scorer;
  close(): Promise<void>;
}

export async function openDeployedRun(dir: string, o: DeployOptions = {}): Promise<DeployedRun> {
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(join(dir, 'config.json'))) throw new UserError(`--run ${dir}: not a run folder (no config.json); runs live in results/<dataset>/<model>/<dis|gen>/seed-<s>/`);
  if (!existsSync(modelPath)) throw new UserError(`--run ${dir}: no model.onnx (the run has not finished)`);
  const config = readRunConfig(dir);
  const card = readModelCard(modelPath);
  const spec = findDataset(config.dataset) ? datasetSpec(config.dataset, config.data.rows, config.data.seed) : userSpec(config.dataset, config.data.dir);
  const datasetDir = o.dataDir ? join(o.dataDir, card.datasetId || spec.folder) : config.data.dir;
  const vocabPath = join(datasetDir, 'feature_vocab.json');
  if (!existsSync(vocabPath)) {
    throw new UserError(
      `${vocabPath} is missing: the run's dataset (${config.dataset}) is not prepared there`,
      o.dataDir ? undefined : 'Pass --data-dir where it is prepared, or prepare it again (same data, same vocabulary).',
    );
  }
  // The vocabulary must be the one the model was trained with: a re-prepared dataset with other data numbers
  // tokens differently, and every prediction would silently be wrong.
  if (card.featureVocabSha256 && fileSha256(vocabPath) !== card.featureVocabSha256) {
    throw new UserError(`${vocabPath} is not the vocabulary this model was trained with (its SHA-256 differs from the model's ge4rec.feature_vocab_sha256)`);
  }
  const tokens = readFeatureVocab(datasetDir, spec);
  const encoder = DatasetEncoder.restore(spec, tokens);
  const cats = card.fields.filter((f) => f.type === 'categorical');
  encoder.vocabs!.forEach((v, j) => {
    if (v.vocabSize !== cats[j]?.vocab_size) {
      throw new UserError(`${vocabPath}: field ${cats[j]?.name ?? j} has ${v.vocabSize} rows, the model ${cats[j]?.vocab_size}`);
    }
  });
  const scorer = await Scorer.open(modelPath, card, { device: o.device ?? 'cpu', threads: o.threads });
  return { dir, card, config, spec, datasetDir, encoder, scorer, close: () => scorer.close() };
}

/** A dataset of yours: the declaration prepare recorded in its data folder. */
function userSpec(name: string, dataDir: string): DatasetSpec {
  const j = readUserDescriptor(dataDir);
  if (!j) throw new UserError(`the run's dataset ${name} is not a built-in one and ${dataDir} holds no dataset.json; prepare it again with --config`);
  return j.spec;
}
