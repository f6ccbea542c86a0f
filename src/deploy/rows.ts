// Raw rows that do not come from a CSV file (JSON objects for `serve`, parquet rows for `predict`) are laid out as
// the CSV reader lays out a line: the values' text in one buffer, addressed by offsets. The dataset encoder then
// encodes them with the very code that encoded the training data.
import type { LineFields } from '../data/csv.js';
import type { Batch } from '../data/types.js';
import type { RowSink } from '../data/encode.js';

/** One row's values, in `columns` order, as a LineFields. A value that has no text form is a problem (a string). */
export class ValueLine {
  private buf = Buffer.allocUnsafe(1 << 12);
  readonly fields: LineFields;

  constructor(readonly columns: readonly string[]) {
    const n = columns.length;
    this.fields = { buf: this.buf, start: new Int32Array(n), end: new Int32Array(n), count: n, line: 0 };
  }

  /** Lays out `values` (values[i] belongs to columns[i]); returns the problem of the first unusable value. */
  set(values: readonly unknown[], line: number): string | null {
    const f = this.fields;
    f.line = line;
    let at = 0;
    for (let i = 0; i < this.columns.length; i++) {
      const v = values[i];
      let text: string;
      if (v === null || v === undefined) text = '';
      else if (typeof v === 'string') text = v;
      else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') text = String(v);
      else return `${this.columns[i]}: expected a number or a string, got ${Array.isArray(v) ? 'an array' : typeof v}`;
      const need = at + Buffer.byteLength(text, 'utf8');
      if (need > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
        this.buf.copy(bigger, 0, 0, at);
        this.buf = bigger;
        f.buf = bigger;
      }
      f.start[i] = at;
      at += this.buf.write(text, at, 'utf8');
      f.end[i] = at;
    }
    return null;
  }
}

/** Encoded rows collected column-wise (the encoder's RowSink), handed out row-major as model batches. */
export class BatchSink implements RowSink {
  n = 0;
  readonly label: Float32Array;
  readonly num: Float32Array[];
  readonly cat: Int32Array[];

  constructor(
    readonly capacity: number,
    readonly numCat: number,
    readonly numNum: number,
  ) {
    this.label = new Float32Array(capacity);
    this.num = Array.from({ length: numNum }, () => new Float32Array(capacity));
    this.cat = Array.from({ length: numCat }, () => new Int32Array(capacity));
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  commitRow(): void {
    if (this.n >= this.capacity) throw new Error('BatchSink: full');
    this.n++;
  }

  /** The rows collected so far as a batch (copied), and the sink emptied. */
  take(): Batch {
    const B = this.n;
    const Fc = this.numCat;
    const Fn = this.numNum;
    const cat = new Int32Array(B * Fc);
    for (let j = 0; j < Fc; j++) {
      const col = this.cat[j];
      for (let i = 0; i < B; i++) cat[i * Fc + j] = col[i];
    }
    const num = new Float32Array(B * Fn);
    for (let j = 0; j < Fn; j++) {
      const col = this.num[j];
      for (let i = 0; i < B; i++) num[i * Fn + j] = col[i];
    }
    const label = this.label.slice(0, B);
    this.n = 0;
    return { size: B, cat, num, label };
  }
}
