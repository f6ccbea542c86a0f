// The datasets ge4rec knows: their CSV columns, the fields FuxiCTR builds from them (dataset_config.yaml of the
// paper's code, facts §5.3), download locations and checksums (reference/paper-results.json, facts §5).
import type { Split } from './types.js';

/** How one raw CSV column is turned into a field. */
export interface ColumnSpec {
  /** Field name in feature_map.json (= the CSV column name, except for derived Avazu fields). */
  name: string;
  type: 'categorical' | 'numeric';
  /** FuxiCTR dtype: 'float' columns are read as float64 (Criteo C1..C26 too), 'str' as strings. */
  dtype: 'float' | 'str';
  /** CSV column the value is read from (defaults to `name`). */
  source?: string;
  /** Avazu time conversions (facts §4.9), applied to the raw YYMMDDHH string of `source`. */
  derive?: 'hour' | 'weekday' | 'weekend';
}

export interface DatasetSpec {
  name: string;
  /** Folder under --data-dir (FuxiCTR's dataset_id). */
  folder: string;
  /** Header expected in the CSVs, in file order. */
  csvColumns: string[];
  label: string;
  /** Fields in feature-map order. */
  fields: ColumnSpec[];
  minCategrCount: number;
  download?: {
    url: string;
    zipName: string;
    zipBytes?: number;
    zipSha256?: string;
    csvMd5?: Partial<Record<string, string>>;
  };
  expectedRows?: Partial<Record<Split, number>>;
}

export const SPLITS: Split[] = ['train', 'valid', 'test'];

const criteoNumeric = Array.from({ length: 13 }, (_, i) => `I${i + 1}`);
const criteoCategorical = Array.from({ length: 26 }, (_, i) => `C${i + 1}`);

export const CRITEO_X1: DatasetSpec = {
  name: 'criteo_x1',
  folder: 'criteo_x1_7b681156',
  csvColumns: ['label', ...criteoNumeric, ...criteoCategorical],
  label: 'label',
  fields: [
    ...criteoNumeric.map((name): ColumnSpec => ({ name, type: 'numeric', dtype: 'float' })),
    ...criteoCategorical.map((name): ColumnSpec => ({ name, type: 'categorical', dtype: 'float' })),
  ],
  minCategrCount: 1,
  download: {
    url: 'https://huggingface.co/datasets/reczoo/Criteo_x1/resolve/main/Criteo_x1.zip',
    zipName: 'Criteo_x1.zip',
    csvMd5: {
      'train.csv': '30b89c1c7213013b92df52ec44f52dc5',
      'valid.csv': 'f73c71fb3c4f66b6ebdfa032646bea72',
      'test.csv': '2c48b26e84c04a69b948082edae46f8c',
    },
  },
  expectedRows: { train: 33003326, valid: 8250124, test: 4587167 },
};

const avazuRawCategorical = [
  'C1', 'banner_pos', 'site_id', 'site_domain', 'site_category', 'app_id', 'app_domain', 'app_category',
  'device_id', 'device_ip', 'device_model', 'device_type', 'device_conn_type',
  'C14', 'C15', 'C16', 'C17', 'C18', 'C19', 'C20', 'C21',
];

export const AVAZU_X4: DatasetSpec = {
  name: 'avazu_x4',
  folder: 'avazu_x4_3bbbc4c9',
  csvColumns: ['id', 'click', 'hour', ...avazuRawCategorical],
  label: 'click',
  fields: [
    { name: 'hour', type: 'categorical', dtype: 'str', derive: 'hour' },
    ...avazuRawCategorical.map((name): ColumnSpec => ({ name, type: 'categorical', dtype: 'str' })),
    { name: 'weekday', type: 'categorical', dtype: 'str', source: 'hour', derive: 'weekday' },
    { name: 'weekend', type: 'categorical', dtype: 'str', source: 'hour', derive: 'weekend' },
  ],
  minCategrCount: 2,
  download: {
    url: 'https://huggingface.co/datasets/reczoo/Avazu_x4/resolve/main/Avazu_x4.zip',
    zipName: 'Avazu_x4.zip',
    zipBytes: 1306331539,
    zipSha256: '4ba8bf46eada70abbe068e4e5bfb3b3d879e6fbd2f2fcf51760cd1388b789b65',
  },
  expectedRows: { train: 32343172, valid: 4042897, test: 4042898 },
};

export type RealDatasetName = 'criteo_x1' | 'avazu_x4';
export type SyntheticDatasetName = 'synthetic-criteo' | 'synthetic-avazu';
export type DatasetName = RealDatasetName | SyntheticDatasetName;
export const DATASET_NAMES: DatasetName[] = ['criteo_x1', 'avazu_x4', 'synthetic-criteo', 'synthetic-avazu'];

export function isSynthetic(name: DatasetName): name is SyntheticDatasetName {
  return name === 'synthetic-criteo' || name === 'synthetic-avazu';
}

/** The spec a dataset is encoded with; synthetic sets share the real layout, with their own folder. */
export function datasetSpec(name: DatasetName, rows?: number, seed?: number): DatasetSpec {
  switch (name) {
    case 'criteo_x1':
      return CRITEO_X1;
    case 'avazu_x4':
      return AVAZU_X4;
    case 'synthetic-criteo':
    case 'synthetic-avazu': {
      const base = name === 'synthetic-criteo' ? CRITEO_X1 : AVAZU_X4;
      const r = rows ?? DEFAULT_SYNTHETIC_ROWS;
      const s = seed ?? 0;
      const tag = name === 'synthetic-criteo' ? 'criteo' : 'avazu';
      return { ...base, name, folder: `synthetic_${tag}_${r}_${s}`, download: undefined, expectedRows: undefined };
    }
  }
}

export const DEFAULT_SYNTHETIC_ROWS = 200_000;
