// Streams Batches from the columnar cache (cache.ts).
//
// Memory and shuffling:
// * shuffle = false (valid/test): columns are read sequentially in windows of ~WINDOW_ROWS rows; nothing else is held.
// * shuffle = true and the split fits the memory budget (default: half of the machine's RAM, or
//   GE4REC_DATA_MEMORY_MB): every column is loaded once into one typed array per column (Criteo x1 train:
//   33 M rows × 40 columns × 4 B ≈ 5.3 GB), kept for later epochs, and each epoch walks a full random
//   permutation of all rows, FuxiCTR's shuffle=True semantics. The permutation (Int32Array, 4 B/row) is the
//   only other per-row allocation; batches are gathered from the columns.
// * shuffle = true and the split does not fit: block-wise shuffle. Rows are cut into blocks of BLOCK_ROWS; each
//   epoch permutes the block order, loads as many blocks as fit the budget into a window, and permutes all
//   rows inside the window. Every row is still seen exactly once per epoch, but rows in far-apart blocks never
//   meet in one window; this is an approximation of a full permutation that is used only when needed.
// The order depends only on (seed, epoch), so a resumed run sees the same batches.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { Rng } from '../util/rng.js';
import { cacheDir, readCacheMeta, readFull, type CacheMeta } from './cache.js';
import type { Batch, BatchOptions, FieldInfo, Split, SplitSource } from './types.js';

const WINDOW_ROWS = 1 << 18;
export const BLOCK_ROWS = 1 << 20;

export interface OpenSplitOptions {
  /** Bytes the shuffled reader may hold; defaults to GE4REC_DATA_MEMORY_MB or half of total memory. */
  memoryBudgetBytes?: number;
  /** Rows per block in block-wise shuffling (tests use small blocks). */
  blockRows?: number;
}

export function defaultMemoryBudget(): number {
  const env = Number(process.env.GE4REC_DATA_MEMORY_MB);
  if (Number.isFinite(env) && env > 0) return env * 1024 * 1024;
  return Math.floor(totalmem() / 2);
}

/** The order of rows for one epoch's shuffle is a function of (seed, epoch) only. */
export function epochRng(seed: number, epoch: number): Rng {
  return new Rng(seed).fork(epoch);
}

interface Columns {
  cat: Int32Array[];
  num: Float32Array[];
  label: Float32Array;
}

class CachedSplit implements SplitSource {
  readonly rows: number;
  readonly fields: FieldInfo[];
  private readonly dir: string;
  private readonly catNames: string[];
  private readonly numNames: string[];
  private loaded: Columns | null = null;
  private readonly budget: number;
  private readonly blockRows: number;

  constructor(
    readonly meta: CacheMeta,
    datasetDir: string,
    opts: OpenSplitOptions,
  ) {
    this.rows = meta.rows;
    this.fields = meta.fields;
    this.dir = cacheDir(datasetDir, meta.split);
    this.catNames = meta.fields.filter((f) => f.type === 'categorical').map((f) => f.name);
    this.numNames = meta.fields.filter((f) => f.type === 'numeric').map((f) => f.name);
    this.budget = opts.memoryBudgetBytes ?? defaultMemoryBudget();
    this.blockRows = opts.blockRows ?? BLOCK_ROWS;
  }

  get bytesPerRow(): number {
    return 4 * (this.catNames.length + this.numNames.length + 1);
  }

  /** Whether a shuffled epoch uses a full permutation (the split and its permutation fit the budget). */
  get fullShuffle(): boolean {
    return (this.bytesPerRow + 4) * this.rows <= this.budget;
  }

  async *batches(opts: BatchOptions): AsyncIterable<Batch> {
    if (!(opts.batchSize > 0)) throw new Error(`batchSize must be positive, got ${opts.batchSize}`);
    const asm = new BatchAssembler(this.catNames.length, this.numNames.length, opts.batchSize);
    if (!opts.shuffle) {
      for (let start = 0; start < this.rows; start += WINDOW_ROWS) {
        const n = Math.min(WINDOW_ROWS, this.rows - start);
        const cols = this.readRows(start, n);
        yield* asm.push(cols, 0, n);
      }
    } else if (this.fullShuffle) {
      const cols = this.loadAll();
      const perm = identity(this.rows);
      epochRng(opts.seed, opts.epoch).shuffle(perm);
      yield* asm.push(cols, 0, perm.length, perm);
    } else {
      const rng = epochRng(opts.seed, opts.epoch);
      const nBlocks = Math.ceil(this.rows / this.blockRows);
      const blockOrder = rng.shuffle(identity(nBlocks));
      const perWindow = Math.max(1, Math.floor(this.budget / ((this.bytesPerRow + 4) * this.blockRows)));
      for (let w = 0; w < nBlocks; w += perWindow) {
        const blocks = Array.from(blockOrder.subarray(w, Math.min(nBlocks, w + perWindow)));
        const parts = blocks.map((b) => this.readRows(b * this.blockRows, Math.min(this.blockRows, this.rows - b * this.blockRows)));
        const cols = concatColumns(parts);
        const perm = rng.shuffle(identity(cols.label.length));
        yield* asm.push(cols, 0, perm.length, perm);
      }
    }
    const last = asm.drain();
    if (last) yield last;
  }

  private loadAll(): Columns {
    if (!this.loaded) this.loaded = this.readRows(0, this.rows);
    return this.loaded;
  }

  private readRows(start: number, n: number): Columns {
    const read = <T extends Int32Array | Float32Array>(file: string, arr: T): T => {
      const path = join(this.dir, file);
      const fd = openSync(path, 'r');
      try {
        const bytes = new Uint8Array(arr.buffer, arr.byteOffset, n * 4);
        // read in ≤ 1 GiB pieces (a single read call is limited to 2 GiB)
        for (let off = 0; off < bytes.length; off += 1 << 30) {
          const len = Math.min(1 << 30, bytes.length - off);
          const got = readFull(fd, bytes, len, start * 4 + off, off);
          if (got !== len) throw new Error(`${path}: cache file shorter than meta.json says (re-run prepare --force)`);
        }
      } finally {
        closeSync(fd);
      }
      return arr;
    };
    return {
      cat: this.catNames.map((f) => read(this.meta.files[f], new Int32Array(n))),
      num: this.numNames.map((f) => read(this.meta.files[f], new Float32Array(n))),
      label: read(this.meta.files.label, new Float32Array(n)),
    };
  }
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function concatColumns(parts: Columns[]): Columns {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((s, p) => s + p.label.length, 0);
  const cat = parts[0].cat.map(() => new Int32Array(total));
  const num = parts[0].num.map(() => new Float32Array(total));
  const label = new Float32Array(total);
  let off = 0;
  for (const p of parts) {
    p.cat.forEach((c, i) => cat[i].set(c, off));
    p.num.forEach((c, i) => num[i].set(c, off));
    label.set(p.label, off);
    off += p.label.length;
  }
  return { cat, num, label };
}

/** Fills fixed-size batches row by row; every batch but the last of an epoch has exactly batchSize rows. */
class BatchAssembler {
  private cur: Batch;
  private fill = 0;
  constructor(
    private readonly nCat: number,
    private readonly nNum: number,
    private readonly batchSize: number,
  ) {
    this.cur = this.fresh();
  }

  private fresh(): Batch {
    const b = this.batchSize;
    return { size: b, cat: new Int32Array(b * this.nCat), num: new Float32Array(b * this.nNum), label: new Float32Array(b) };
  }

  /** Appends rows from..to−1 (in `idx` order when given, else in file order) and yields each batch that fills. */
  *push(cols: Columns, from: number, to: number, idx?: Int32Array): Generator<Batch> {
    const { nCat, nNum } = this;
    for (let i = from; i < to; i++) {
      const r = idx ? idx[i] : i;
      const b = this.cur;
      const k = this.fill;
      for (let f = 0; f < nCat; f++) b.cat[k * nCat + f] = cols.cat[f][r];
      for (let f = 0; f < nNum; f++) b.num[k * nNum + f] = cols.num[f][r];
      b.label[k] = cols.label[r];
      if (++this.fill === this.batchSize) {
        yield b;
        this.cur = this.fresh();
        this.fill = 0;
      }
    }
  }

  drain(): Batch | null {
    const n = this.fill;
    if (n === 0) return null;
    const b = this.cur;
    this.fill = 0;
    return {
      size: n,
      cat: b.cat.slice(0, n * this.nCat),
      num: b.num.slice(0, n * this.nNum),
      label: b.label.slice(0, n),
    };
  }
}

/** Opens an encoded split of a prepared dataset folder for batch streaming. */
export function openSplit(datasetDir: string, split: Split, opts: OpenSplitOptions = {}): SplitSource & { readonly fullShuffle: boolean } {
  return new CachedSplit(readCacheMeta(datasetDir, split), datasetDir, opts);
}
