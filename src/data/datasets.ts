// The encoding specs of the built-in datasets: their CSV columns, the fields FuxiCTR builds from them (the paper's
// dataset_config.yaml), download locations and checksums. src/data/catalog.ts makes them catalog entries.
import type { Split } from './types.js';

/** How one raw CSV column is turned into a field. */
export interface ColumnSpec {
  /** Field name in feature_map.json (= the CSV column name, except for derived Avazu fields). */
  name: string;
  type: 'categorical' | 'numeric';
  /** FuxiCTR dtype: 'float' columns are read as float64 (Criteo C1..C26 too), 'int' as integers, 'str' as strings. */
  dtype: 'float' | 'int' | 'str';
  /** FuxiCTR fill_na: the value of an empty cell (default "" for str, 0 for int/float) and the tokenizer's na_value (→ OOV) when given. */
  fillNa?: string | number;
  /** Per-feature min_categr_count (default: the dataset's). */
  minCategrCount?: number;
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

/** Avazu x4 vocabulary sizes (incl. PAD and OOV) in field order, from GE4Rec's plot.ipynb: `ge4rec bench` builds its tables at these sizes. */
export const AVAZU_X4_VOCAB = [26, 9, 9, 4051, 5461, 27, 6545, 400, 33, 820509, 2903322, 7259, 7, 6, 2556, 10, 11, 434, 6, 70, 173, 62, 9, 4];

/** Criteo x1's categorical vocabularies total ~2.09 M rows; `ge4rec bench` spreads them geometrically over the 26 fields. */
export function criteoX1BenchVocab(): number[] {
  const total = 2_090_000;
  const w = Array.from({ length: 26 }, (_, i) => 0.72 ** i);
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.max(4, Math.round((x / s) * total)));
}

export const DEFAULT_SYNTHETIC_ROWS = 200_000;
