// The dataset catalog: one descriptor per dataset (its encoding spec, release facts, paper key, the release whose
// hyper-parameters it trains with, its synthetic layout). Every dataset list, lookup and switch derives from it.
// Adding a dataset: a FuxiCTR dataset_config.yaml (`ge4rec prepare --config FILE --dataset ID` registers it in its
// data folder), or registerDataset() for a built-in one.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { checkName } from '../util/safe-path.js';
import { AVAZU_X4, AVAZU_X4_VOCAB, CRITEO_X1, DEFAULT_SYNTHETIC_ROWS, criteoX1BenchVocab, type DatasetSpec } from './datasets.js';
import type { FieldInfo, Split } from './types.js';

/** The two public releases whose experiments the paper (and experiments/*.yaml) defines. */
export type ReleaseName = 'criteo_x1' | 'avazu_x4';
export type SyntheticLayout = 'criteo' | 'avazu';

export interface DatasetDescriptor {
  name: string;
  /** The encoding spec; `folder` is a function of rows/seed for generated data. */
  spec: (rows?: number, seed?: number) => DatasetSpec;
  /** Release facts (download, checksums, rows per split) live in spec.download / spec.expectedRows. */
  release: boolean;
  /** The release whose paper numbers (Table 1/5) a table sets beside ours; null: no paper columns. */
  paper: { release: ReleaseName; comparable: boolean } | null;
  /** The release whose experiment ids (hyper-parameters) it trains with by default; null: chosen with --hparams. */
  hparams: ReleaseName | null;
  /** Generated on demand with this layout (src/data/synthetic.ts). */
  synthetic?: SyntheticLayout;
  /** A user dataset's train/valid/test files, read as they are (no download, no checksum), and their format. */
  files?: Record<Split, string>;
  format?: 'csv' | 'parquet';
  /** The dataset_config.yaml it was declared in. */
  config?: string;
  /** The field layout `ge4rec bench` builds its tables with (release sizes). */
  benchFields?: () => FieldInfo[];
}

function releaseBenchFields(spec: DatasetSpec, vocab: () => number[]): () => FieldInfo[] {
  return () => {
    const sizes = vocab();
    let j = 0;
    return spec.fields.map((f): FieldInfo => (f.type === 'numeric' ? { name: f.name, type: 'numeric' } : { name: f.name, type: 'categorical', vocabSize: sizes[j++] }));
  };
}

function synthetic(name: string, base: DatasetSpec, layout: SyntheticLayout, hparams: ReleaseName): DatasetDescriptor {
  return {
    name,
    spec: (rows, seed) => ({ ...base, name, folder: `synthetic_${layout}_${rows ?? DEFAULT_SYNTHETIC_ROWS}_${seed ?? 0}`, download: undefined, expectedRows: undefined }),
    release: false,
    paper: { release: hparams, comparable: false },
    hparams,
    synthetic: layout,
  };
}

const CATALOG: DatasetDescriptor[] = [
  {
    name: 'criteo_x1',
    spec: () => CRITEO_X1,
    release: true,
    paper: { release: 'criteo_x1', comparable: true },
    hparams: 'criteo_x1',
    benchFields: releaseBenchFields(CRITEO_X1, criteoX1BenchVocab),
  },
  {
    name: 'avazu_x4',
    spec: () => AVAZU_X4,
    release: true,
    paper: { release: 'avazu_x4', comparable: true },
    hparams: 'avazu_x4',
    benchFields: releaseBenchFields(AVAZU_X4, () => AVAZU_X4_VOCAB),
  },
  synthetic('synthetic-criteo', CRITEO_X1, 'criteo', 'criteo_x1'),
  synthetic('synthetic-avazu', AVAZU_X4, 'avazu', 'avazu_x4'),
];

export function registerDataset(d: DatasetDescriptor): void {
  if (findDataset(d.name)) throw new Error(`dataset '${d.name}' is already registered`);
  CATALOG.push(d);
}

export function unregisterDataset(name: string): void {
  const i = CATALOG.findIndex((d) => d.name === name);
  if (i >= 0) CATALOG.splice(i, 1);
}

export function allDatasets(): readonly DatasetDescriptor[] {
  return CATALOG;
}

export function datasetNames(): string[] {
  return CATALOG.map((d) => d.name);
}

/** The public releases (downloadable, with checksums and paper numbers). */
export function releaseNames(): ReleaseName[] {
  return CATALOG.filter((d) => d.release).map((d) => d.name as ReleaseName);
}

export function findDataset(name: string): DatasetDescriptor | undefined {
  return CATALOG.find((d) => d.name === name);
}

export function getDataset(name: string, what = '--dataset'): DatasetDescriptor {
  const d = findDataset(name);
  if (!d) throw new UserError(`${what}: unknown dataset '${name}' (expected one of ${datasetNames().join(', ')})`);
  return d;
}

/** The spec a dataset is encoded with (synthetic sets: the release layout in their own folder). */
export function datasetSpec(name: string, rows?: number, seed?: number): DatasetSpec {
  return getDataset(name).spec(rows, seed);
}

export function isSynthetic(name: string): boolean {
  return findDataset(name)?.synthetic !== undefined;
}

/**
 * The catalog dataset a model config's `dataset_id` names: its name, its data folder (criteo_x1_7b681156), or the
 * name followed by FuxiCTR's `_<hash>` (criteo_x1_001_28c60688 style); otherwise the id itself (a user dataset).
 */
export function datasetForId(id: string): string {
  for (const d of CATALOG) {
    if (d.synthetic) continue;
    if (id === d.name || id === d.spec().folder || id.startsWith(`${d.name}_`)) return d.name;
  }
  return id;
}

/** The release whose experiments a dataset trains with by default (user datasets: criteo_x1 unless --hparams). */
export function hparamsOf(name: string): ReleaseName {
  return findDataset(name)?.hparams ?? 'criteo_x1';
}

/** Where `prepare --config` records a dataset of yours, inside its data folder, so later commands find it by id. */
export const USER_DATASET_FILE = 'dataset.json';

interface UserDatasetJson {
  name: string;
  spec: DatasetSpec;
  files: Record<Split, string>;
  format: 'csv' | 'parquet';
  config: string | null;
}

export function isUserDataset(d: DatasetDescriptor): boolean {
  return d.files !== undefined;
}

export function userDescriptorJson(d: DatasetDescriptor): UserDatasetJson {
  return { name: d.name, spec: d.spec(), files: d.files!, format: d.format ?? 'csv', config: d.config ?? null };
}

/** The declaration `prepare --config` recorded in a dataset folder, or null. */
export function readUserDescriptor(dir: string): UserDatasetJson | null {
  const p = join(dir, USER_DATASET_FILE);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UserDatasetJson;
  } catch {
    throw new UserError(`${p}: not valid JSON; prepare the dataset again with --config`);
  }
}

export function fromUserJson(j: UserDatasetJson): DatasetDescriptor {
  return { name: j.name, spec: () => j.spec, release: false, paper: null, hparams: null, files: j.files, format: j.format, config: j.config ?? undefined };
}

/**
 * A catalog dataset, or a dataset of yours prepared in `dataDir` (registered on first use); otherwise a UserError
 * listing the known ones and saying how to declare one.
 */
export function resolveDataset(name: string, dataDir: string, what = '--dataset'): DatasetDescriptor {
  const known = findDataset(name);
  if (known) return known;
  const j = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) ? readUserDescriptor(join(resolve(dataDir), checkName(name, what))) : null;
  if (!j)
    throw new UserError(
      `${what}: unknown dataset '${name}' (expected one of ${datasetNames().join(', ')}, or a dataset of yours prepared in ${resolve(dataDir)})`,
      `Declare it in a FuxiCTR dataset_config.yaml and run: ge4rec prepare --config dataset_config.yaml --dataset ${name} --data-dir ${dataDir}`,
    );
  const d = fromUserJson(j);
  registerDataset(d);
  return d;
}
