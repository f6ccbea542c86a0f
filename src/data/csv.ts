// Byte-level CSV reading for the hot loop of `prepare`: lines are found in large Buffers and fields are
// addressed by offsets, so no per-row strings or arrays are created. The Criteo/Avazu releases are plain
// comma-separated files without quoting; a quote character is treated as an ordinary byte.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const NL = 10;
const CR = 13;
const COMMA = 44;

/** Field offsets of the current line: field i spans bytes [start[i], end[i]) of `buf`. */
export interface LineFields {
  buf: Buffer;
  start: Int32Array;
  end: Int32Array;
  /** Number of fields found (may exceed the capacity of start/end; only the first `capacity` are recorded). */
  count: number;
  /** 1-based line number in the file (the header is line 1). */
  line: number;
}

/**
 * Calls `onLine` for every line after the header. `onHeader` gets the header's column names.
 * `onProgress` gets the number of bytes consumed so far.
 */
export function scanCsv(
  path: string,
  capacity: number,
  onHeader: (columns: string[]) => void,
  onLine: (f: LineFields) => void,
  onProgress?: (bytes: number, total: number) => void,
  chunkBytes = 8 << 20,
): void {
  const s = new CsvScanner(path, capacity, onHeader, onLine, onProgress, chunkBytes);
  try {
    while (s.step());
  } finally {
    s.close();
  }
}

/**
 * scanCsv one buffer at a time: each step() reads one chunk and calls `onLine` for its complete lines, and returns
 * false once the file is done, so a caller can do asynchronous work (score a batch) between chunks.
 */
export class CsvScanner {
  private readonly fd: number;
  private readonly total: number;
  private buf: Buffer;
  private have = 0; // bytes in buf
  private consumed = 0; // file bytes before buf[0]
  private eof = false;
  private headerDone = false;
  private done = false;
  private readonly fields: LineFields;

  constructor(
    path: string,
    capacity: number,
    private readonly onHeader: (columns: string[]) => void,
    private readonly onLine: (f: LineFields) => void,
    private readonly onProgress?: (bytes: number, total: number) => void,
    chunkBytes = 8 << 20,
  ) {
    this.fd = openSync(path, 'r');
    this.total = fstatSync(this.fd).size;
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.fields = { buf: this.buf, start: new Int32Array(capacity), end: new Int32Array(capacity), count: 0, line: 0 };
  }

  /** Bytes of the file consumed so far, and its size. */
  get progress(): { bytes: number; total: number } {
    return { bytes: this.consumed, total: this.total };
  }

  step(): boolean {
    if (this.done) return false;
    const fields = this.fields;
    let buf = this.buf;
    if (!this.eof) {
      const n = readSync(this.fd, buf, this.have, buf.length - this.have, this.consumed + this.have);
      if (n === 0) this.eof = true;
      this.have += n;
    }
    const have = this.have;
    const eof = this.eof;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(NL, pos);
      let lineEnd: number;
      let next: number;
      if (nl >= 0 && nl < have) {
        lineEnd = nl;
        next = nl + 1;
      } else if (eof && pos < have) {
        lineEnd = have; // last line without a trailing newline
        next = have;
      } else break;
      if (lineEnd > pos && buf[lineEnd - 1] === CR) lineEnd--;
      fields.line++;
      if (!this.headerDone) {
        this.headerDone = true;
        this.onHeader(buf.toString('utf8', pos, lineEnd).replace(/^\uFEFF/, '').split(',').map((s) => s.trim()));
      } else if (lineEnd > pos) {
        splitLine(buf, pos, lineEnd, fields);
        this.onLine(fields);
      }
      pos = next;
      if (pos >= have) break;
    }
    if (eof && pos >= have) return this.finish();
    // keep the partial line at the front; grow the buffer if one line does not fit
    buf.copy(buf, 0, pos, have);
    this.have -= pos;
    this.consumed += pos;
    if (this.have === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, this.have);
      buf = bigger;
      this.buf = buf;
      fields.buf = buf;
    }
    this.onProgress?.(this.consumed, this.total);
    if (eof && this.have === 0) return this.finish();
    return true;
  }

  private finish(): false {
    this.done = true;
    this.consumed = this.total;
    this.onProgress?.(this.total, this.total);
    return false;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function splitLine(buf: Buffer, s: number, e: number, f: LineFields): void {
  const cap = f.start.length;
  let n = 0;
  let fs = s;
  for (let i = s; i < e; i++) {
    if (buf[i] === COMMA) {
      if (n < cap) {
        f.start[n] = fs;
        f.end[n] = i;
      }
      n++;
      fs = i + 1;
    }
  }
  if (n < cap) {
    f.start[n] = fs;
    f.end[n] = e;
  }
  f.count = n + 1;
  f.buf = buf;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parses a decimal number from bytes. Returns NaN if the text is not a number. Plain decimals with at most
 * 15 significant digits take a fast path whose result is exact (integer mantissa / exact power of ten is a
 * single correctly rounded division); anything else (exponents, long mantissas, "nan", "inf") goes through
 * Number(), the same correctly rounded conversion. Empty text must be handled by the caller.
 */
export function parseNumber(buf: Buffer, s: number, e: number): number {
  let i = s;
  let neg = false;
  const c0 = buf[i];
  if (c0 === 45 /* - */) {
    neg = true;
    i++;
  } else if (c0 === 43 /* + */) i++;
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      if (dot) frac++;
    } else if (c === 46 /* . */ && !dot) dot = true;
    else return slowNumber(buf, s, e);
  }
  if (digits === 0) return slowNumber(buf, s, e);
  if (digits > 15) return slowNumber(buf, s, e);
  const v = frac === 0 ? mant : mant / POW10[frac];
  return neg ? -v : v;
}

function slowNumber(buf: Buffer, s: number, e: number): number {
  const t = buf.toString('latin1', s, e).trim();
  return t === '' ? NaN : Number(t);
}

/** polars reads "nan"/"NaN" as a float NaN, which FuxiCTR then treats like a missing value (filled with 0). */
export function isNanLiteral(buf: Buffer, s: number, e: number): boolean {
  return /^\s*[+-]?nan\s*$/i.test(buf.toString('latin1', s, e));
}
