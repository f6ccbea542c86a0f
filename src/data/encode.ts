// CSV → encoded columnar cache with FuxiCTR v2.3.1's feature processing (facts §4.8, §4.9, §5.3).
//
// One pass per split. On train, every categorical token gets a provisional id (first appearance) that is written
// to the cache while its count is taken; once train is read, the vocabulary is built (vocab.ts) and the train
// columns are rewritten through the provisional→final map. Valid/test are then encoded directly (unseen → OOV).
//
// Missing values follow FuxiCTR's fill_na: "" for 'str' columns (the na_value, so → OOV) and 0 for 'float'
// columns, so an empty Criteo categorical becomes the ordinary token 0.0 (FuxiCTR declares C1..C26 float) and an
// empty numeric becomes 0. A literal "nan" in a float column is treated the same way as empty.
import { basename } from 'node:path';
import { UserError } from '../util/errors.js';
import { CacheWriter, type CacheMeta } from './cache.js';
import { isNanLiteral, parseNumber, scanCsv, type LineFields } from './csv.js';
import type { ColumnSpec, DatasetSpec } from './datasets.js';
import type { FieldInfo, Split } from './types.js';
import { TokenCounter, type Token, type Vocabulary } from './vocab.js';

export type BadRowPolicy = 'fail' | 'skip';

export interface BadRowReport {
  count: number;
  /** The first few, as "file:line: problem". */
  examples: string[];
}

export interface EncodeProgress {
  split: Split;
  bytes: number;
  totalBytes: number;
}

export interface SplitEncodeResult {
  rows: number;
  bad: BadRowReport;
  meta: CacheMeta;
}

type CatKind = 'float' | 'int' | 'str' | 'hour' | 'weekday' | 'weekend';

interface Plan {
  nCols: number;
  /** -1: no label column (predict on unlabelled rows; the label written is NaN). */
  labelCol: number;
  numCols: number[];
  catCols: number[];
  catKinds: CatKind[];
  catNames: string[];
  numNames: string[];
  /** fill_na of each numeric and categorical column: the value an empty cell takes. */
  numFill: number[];
  catFill: (number | string)[];
  /** CSV columns holding a YYMMDDHH timestamp that derived fields read (Avazu's hour). */
  hourCols: number[];
}

function makePlan(spec: DatasetSpec, header: string[], file: string, labelOptional = false): Plan {
  const idx = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0 && labelOptional && name === spec.label) return -1;
    if (i < 0) throw new UserError(`${file}:1: column "${name}" missing from the header (found: ${header.join(',')})`);
    return i;
  };
  const cats = spec.fields.filter((f) => f.type === 'categorical');
  const nums = spec.fields.filter((f) => f.type === 'numeric');
  const catKinds = cats.map((f): CatKind => f.derive ?? f.dtype);
  return {
    nCols: header.length,
    labelCol: idx(spec.label),
    numCols: nums.map((f) => idx(f.source ?? f.name)),
    catCols: cats.map((f) => idx(f.source ?? f.name)),
    catKinds,
    catNames: cats.map((f) => f.name),
    numNames: nums.map((f) => f.name),
    numFill: nums.map((f) => (typeof f.fillNa === 'number' ? f.fillNa : 0)),
    catFill: cats.map((f) => fillValue(f)),
    hourCols: [...new Set(cats.filter((f) => f.derive).map((f) => idx(f.source ?? f.name)))],
  };
}

/** A cell's text for a message: quoted, at most 40 characters (a 1 MB digit string is shown by its length). */
function quoteValue(buf: Buffer, s: number, e: number): string {
  const n = e - s;
  const text = buf.toString('utf8', s, Math.min(e, s + 40));
  return n > 40 ? `"${text}…" (${n} characters)` : `"${text}"`;
}

/** A column's fill_na as the encoder holds tokens: a latin1 string of the UTF-8 bytes for str, a number otherwise. */
export function fillValue(f: ColumnSpec): number | string {
  if (f.dtype === 'str') return Buffer.from(String(f.fillNa ?? ''), 'utf8').toString('latin1');
  return f.fillNa === undefined ? 0 : Number(f.fillNa);
}

const SMALL_INT_STR = Array.from({ length: 24 }, (_, i) => String(i));

/** Hour of day, weekday (%w: 0 = Sunday) and weekend flag from a YYMMDDHH field, or null if malformed. */
export function avazuTime(buf: Buffer, s: number, e: number): { hour: number; weekday: number; weekend: number } | null {
  if (e - s !== 8) return null;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  const yy = Math.floor(v / 1e6);
  const mm = Math.floor(v / 1e4) % 100;
  const dd = Math.floor(v / 100) % 100;
  const hh = v % 100;
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31 || hh > 23) return null;
  const date = new Date(Date.UTC(2000 + yy, mm - 1, dd));
  if (date.getUTCDate() !== dd) return null;
  const weekday = date.getUTCDay();
  return { hour: hh, weekday, weekend: weekday === 0 || weekday === 6 ? 1 : 0 };
}

/** Where encoded rows go: the cache writer (prepare) or a batch (predict, serve). Fill row `n`, then commitRow(). */
export interface RowSink {
  n: number;
  readonly label: Float32Array;
  readonly num: Float32Array[];
  readonly cat: Int32Array[];
  commitRow(): void;
}

/** Encodes one raw line into the sink; a malformed line goes to `badRow` (which throws or counts it). */
export type LineEncoder = (f: LineFields, sink: RowSink) => void;

/** Shared state across the splits of one dataset: the token counters fitted on train. */
export class DatasetEncoder {
  readonly counters: TokenCounter[];
  vocabs: Vocabulary[] | null = null;
  private readonly catFieldsSpec;

  constructor(
    readonly spec: DatasetSpec,
    private readonly datasetDir: string,
    private readonly onBadRow: BadRowPolicy,
  ) {
    this.catFieldsSpec = spec.fields.filter((f) => f.type === 'categorical');
    this.counters = this.catFieldsSpec.map(() => new TokenCounter());
  }

  /**
   * An encoder holding a saved vocabulary (tokens in index order per categorical field, as feature_vocab.json lists
   * them): it encodes new rows exactly as valid/test were encoded after fitting on train.
   */
  static restore(spec: DatasetSpec, tokens: Token[][]): DatasetEncoder {
    const enc = new DatasetEncoder(spec, '', 'fail');
    if (tokens.length !== enc.counters.length) throw new Error(`restore: ${tokens.length} vocabularies for ${enc.counters.length} categorical fields`);
    enc.vocabs = tokens.map((ts, j) => {
      const c = enc.counters[j];
      ts.forEach((t, i) => {
        if (c.observe(t) !== i) throw new UserError(`vocabulary of ${enc.catFieldsSpec[j].name}: token ${String(t)} appears twice`);
      });
      const remap = Int32Array.from({ length: ts.length }, (_, i) => i + 1);
      return { remap, size: ts.length, oov: ts.length + 1, vocabSize: ts.length + 2, tokens: ts };
    });
    return enc;
  }

  fields(): FieldInfo[] {
    return this.spec.fields.map((f): FieldInfo => {
      if (f.type === 'numeric') return { name: f.name, type: 'numeric' };
      const ci = this.catFieldsSpec.indexOf(f);
      const vs = this.vocabs ? this.vocabs[ci].vocabSize : undefined;
      return { name: f.name, type: 'categorical', vocabSize: vs };
    });
  }

  /** Encodes one split's CSV into cache/<split>. Train must come first. */
  encodeSplit(split: Split, csvPath: string, onProgress?: (p: EncodeProgress) => void): SplitEncodeResult {
    const fitting = split === 'train';
    if (!fitting && !this.vocabs) throw new Error('encode train before valid/test');
    const file = basename(csvPath);
    const bad: BadRowReport = { count: 0, examples: [] };
    let writer: CacheWriter | null = null;
    let encodeLine: LineEncoder | null = null;
    const badRow = (f: LineFields, problem: string): void => {
      const msg = `${file}:${f.line}: ${problem}`;
      if (this.onBadRow === 'fail') {
        throw new UserError(`Malformed row at ${msg}`, 'Fix the file, or pass --on-bad-row skip to drop such rows.');
      }
      bad.count++;
      if (bad.examples.length < 10) bad.examples.push(msg);
    };

    try {
      scanCsv(
        csvPath,
        Math.max(this.spec.csvColumns.length, 256),
        (header) => {
          encodeLine = this.lineEncoder(header, file, badRow, { fitting });
          writer = new CacheWriter(this.datasetDir, split, this.fields(), this.spec.label);
        },
        (f) => encodeLine!(f, writer!),
        onProgress ? (bytes, totalBytes) => onProgress({ split, bytes, totalBytes }) : undefined,
      );
      if (!writer) throw new UserError(`${file}: empty file (no header line)`);
      const w: CacheWriter = writer;
      if (fitting) {
        // FuxiCTR's Tokenizer: min_freq per feature (or the dataset's), na_value = the column's fill_na (default "")
        this.vocabs = this.counters.map((c, j) => {
          const f = this.catFieldsSpec[j];
          const na = f.fillNa === undefined ? '' : fillValue(f);
          return c.build(f.minCategrCount ?? this.spec.minCategrCount, na);
        });
        // vocab sizes are known now: record them in the cache's field list
        const meta = w.finish(this.vocabs.map((v) => v.remap), this.fields());
        return { rows: meta.rows, bad, meta };
      }
      const meta = w.finish();
      return { rows: meta.rows, bad, meta };
    } catch (e) {
      (writer as CacheWriter | null)?.abort();
      throw e;
    }
  }

  /**
   * The row encoder of a file with this header: `fitting` counts train tokens and writes provisional ids; otherwise
   * tokens are looked up in the fitted (or restored) vocabulary, unseen ones → OOV. With `labelOptional` a header
   * without the label column is accepted (the label is written as NaN). prepare and predict both encode through it.
   */
  lineEncoder(header: string[], file: string, badRow: (f: LineFields, problem: string) => void, o: { fitting?: boolean; labelOptional?: boolean } = {}): LineEncoder {
    const fitting = o.fitting ?? false;
    if (!fitting && !this.vocabs) throw new Error('encode train before valid/test');
    const nCat = this.counters.length;
    const counters = this.counters;
    const remaps = this.vocabs?.map((v) => v.remap);
    const oovs = this.vocabs?.map((v) => v.oov);
    const p = makePlan(this.spec, header, file, o.labelOptional);
    const rowNum = new Float64Array(this.spec.fields.length);
    const rowCatNum = new Float64Array(nCat);
    const hourInfo: ({ hour: number; weekday: number; weekend: number } | null)[] = [];

    /**
     * A float column's value: empty or a NaN literal is its fill_na (FuxiCTR's; default 0); anything else non-numeric
     * is a bad row (null), and so is a value that is not finite where it is stored: numeric fields are float32 in the
     * cache and the model ("1e50" or a 400-digit string would be Infinity there), categorical float tokens float64.
     */
    const numberField = (f: LineFields, c: number, name: string, float32: boolean, fill: number): number | null => {
      const s = f.start[c];
      const e = f.end[c];
      if (e <= s) return fill;
      const v = parseNumber(f.buf, s, e);
      if (Number.isNaN(v)) {
        if (isNanLiteral(f.buf, s, e)) return fill;
        badRow(f, `${name} ${quoteValue(f.buf, s, e)} is not a number`);
        return null;
      }
      if (!Number.isFinite(float32 ? Math.fround(v) : v)) {
        badRow(f, `${name} ${quoteValue(f.buf, s, e)} is not a finite ${float32 ? 'float32' : 'float64'} number`);
        return null;
      }
      return v;
    };
    const catFill = p.catFill;

    return (f: LineFields, w: RowSink): void => {
      const buf = f.buf;
      if (f.count !== p.nCols) return badRow(f, `expected ${p.nCols} columns, found ${f.count}`);
      // 1. validate everything before touching counters or the cache
      let y = NaN;
      if (p.labelCol >= 0) {
        const ls = f.start[p.labelCol];
        const le = f.end[p.labelCol];
        y = le > ls ? parseNumber(buf, ls, le) : NaN;
        if (y !== 0 && y !== 1) return badRow(f, `label "${buf.toString('utf8', ls, le)}" is not 0 or 1`);
      }
      for (let j = 0; j < p.numCols.length; j++) {
        const v = numberField(f, p.numCols[j], p.numNames[j], true, p.numFill[j]);
        if (v === null) return;
        rowNum[j] = v;
      }
      for (let k = 0; k < p.hourCols.length; k++) {
        const c = p.hourCols[k];
        const t = avazuTime(buf, f.start[c], f.end[c]);
        if (!t) return badRow(f, `hour "${buf.toString('utf8', f.start[c], f.end[c])}" is not a YYMMDDHH timestamp`);
        hourInfo[c] = t;
      }
      for (let j = 0; j < nCat; j++) {
        const kind = p.catKinds[j];
        if (kind !== 'float' && kind !== 'int') continue;
        const v = numberField(f, p.catCols[j], p.catNames[j], false, catFill[j] as number);
        if (v === null) return;
        if (kind === 'int' && !Number.isInteger(v)) {
          const c = p.catCols[j];
          return badRow(f, `${p.catNames[j]} "${buf.toString('utf8', f.start[c], f.end[c])}" is not an integer (dtype int)`);
        }
        rowCatNum[j] = v;
      }
      // 2. encode
      const k = w.n;
      w.label[k] = y;
      for (let j = 0; j < p.numCols.length; j++) w.num[j][k] = rowNum[j];
      for (let j = 0; j < nCat; j++) {
        const c = p.catCols[j];
        let token: number | string;
        switch (p.catKinds[j]) {
          case 'float':
          case 'int':
            if (fitting) {
              w.cat[j][k] = counters[j].observeNumber(rowCatNum[j]);
              continue;
            }
            token = rowCatNum[j];
            break;
          case 'str':
            token = f.end[c] > f.start[c] ? buf.toString('latin1', f.start[c], f.end[c]) : (catFill[j] as string);
            break;
          case 'hour':
            token = SMALL_INT_STR[hourInfo[c]!.hour];
            break;
          case 'weekday':
            token = SMALL_INT_STR[hourInfo[c]!.weekday];
            break;
          case 'weekend':
            token = SMALL_INT_STR[hourInfo[c]!.weekend];
            break;
        }
        if (fitting) {
          w.cat[j][k] = counters[j].observe(token);
        } else {
          const id = counters[j].lookup(token);
          w.cat[j][k] = id < 0 ? oovs![j] : remaps![j][id];
        }
      }
      w.commitRow();
    };
  }
}
