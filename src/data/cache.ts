// The columnar training cache: <dataset>/cache/<split>/ holds one raw little-endian file per column
// (cat.<field>.i32, num.<field>.f32, label.f32) plus meta.json. It is written into a temporary folder that is
// renamed into place when complete, so a killed `prepare` never leaves a cache that looks whole.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFully, writeJsonAtomic } from '../util/fs.js';
import { checkName } from '../util/safe-path.js';
import { UserError } from '../util/errors.js';
import type { FieldInfo, Split } from './types.js';

export const CACHE_VERSION = 1;

export interface CacheMeta {
  version: number;
  split: Split;
  rows: number;
  fields: FieldInfo[];
  label: string;
  /** File names relative to the split folder, per field name (and 'label'). */
  files: Record<string, string>;
}

export function cacheDir(datasetDir: string, split: Split): string {
  return join(datasetDir, 'cache', split);
}

const CHUNK_ROWS = 1 << 16;

/** Writes encoded rows column by column, CHUNK_ROWS at a time. */
export class CacheWriter {
  readonly tmpDir: string;
  readonly cat: Int32Array[];
  readonly num: Float32Array[];
  readonly label = new Float32Array(CHUNK_ROWS);
  /** Rows filled in the current chunk. */
  n = 0;
  rows = 0;
  private readonly catFds: number[];
  private readonly numFds: number[];
  private readonly labelFd: number;
  private readonly catFields: FieldInfo[];
  private readonly numFields: FieldInfo[];

  constructor(
    private readonly datasetDir: string,
    private readonly split: Split,
    private fields: FieldInfo[],
    private readonly labelName: string,
  ) {
    for (const f of fields) checkName(f.name, 'feature name');
    this.tmpDir = join(datasetDir, 'cache', `.tmp-${process.pid}-${split}`);
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true });
    this.catFields = fields.filter((f) => f.type === 'categorical');
    this.numFields = fields.filter((f) => f.type === 'numeric');
    this.cat = this.catFields.map(() => new Int32Array(CHUNK_ROWS));
    this.num = this.numFields.map(() => new Float32Array(CHUNK_ROWS));
    this.catFds = this.catFields.map((f) => openSync(join(this.tmpDir, catFile(f.name)), 'w'));
    this.numFds = this.numFields.map((f) => openSync(join(this.tmpDir, numFile(f.name)), 'w'));
    this.labelFd = openSync(join(this.tmpDir, 'label.f32'), 'w');
  }

  /** Call after filling row `n` of every column chunk. */
  commitRow(): void {
    this.n++;
    this.rows++;
    if (this.n === CHUNK_ROWS) this.flush();
  }

  private flush(): void {
    const n = this.n;
    if (n === 0) return;
    const where = (file: string) => join(cacheDir(this.datasetDir, this.split), file);
    for (let i = 0; i < this.cat.length; i++) writeAll(this.catFds[i], this.cat[i], n, where(catFile(this.catFields[i].name)));
    for (let i = 0; i < this.num.length; i++) writeAll(this.numFds[i], this.num[i], n, where(numFile(this.numFields[i].name)));
    writeAll(this.labelFd, this.label, n, where('label.f32'));
    this.n = 0;
  }

  /**
   * Closes the files; with `remaps`, categorical values (provisional ids) are mapped through remaps[i] first.
   * `fields` replaces the field list (vocab sizes are known only after train). Then the folder is renamed to cache/<split> (replacing an older one).
   */
  finish(remaps?: Int32Array[], fields?: FieldInfo[]): CacheMeta {
    if (fields) this.fields = fields;
    this.flush();
    for (const fd of [...this.catFds, ...this.numFds, this.labelFd]) closeSync(fd);
    if (remaps) this.catFields.forEach((f, i) => remapFile(join(this.tmpDir, catFile(f.name)), remaps[i]));
    const files: Record<string, string> = { label: 'label.f32' };
    for (const f of this.catFields) files[f.name] = catFile(f.name);
    for (const f of this.numFields) files[f.name] = numFile(f.name);
    const meta: CacheMeta = {
      version: CACHE_VERSION,
      split: this.split,
      rows: this.rows,
      fields: this.fields,
      label: this.labelName,
      files,
    };
    writeJsonAtomic(join(this.tmpDir, 'meta.json'), meta);
    const dest = cacheDir(this.datasetDir, this.split);
    rmSync(dest, { recursive: true, force: true });
    renameSync(this.tmpDir, dest);
    return meta;
  }

  abort(): void {
    for (const fd of [...this.catFds, ...this.numFds, this.labelFd]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

// Field names become file names: checked before any file is created.
function catFile(name: string): string {
  return `cat.${checkName(name, 'feature name')}.i32`;
}
function numFile(name: string): string {
  return `num.${checkName(name, 'feature name')}.f32`;
}

function writeAll(fd: number, arr: Int32Array | Float32Array, n: number, path: string): void {
  writeFully(fd, new Uint8Array(arr.buffer, arr.byteOffset, n * 4), path);
}

function remapFile(path: string, remap: Int32Array): void {
  const fd = openSync(path, 'r+');
  try {
    const buf = new Int32Array(CHUNK_ROWS * 4);
    const bytes = new Uint8Array(buf.buffer);
    for (let pos = 0; ; ) {
      const got = readFull(fd, bytes, bytes.length, pos);
      if (got === 0) break;
      const n = got >> 2;
      for (let i = 0; i < n; i++) buf[i] = remap[buf[i]];
      writeFully(fd, bytes.subarray(0, got), path, pos);
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads up to `len` bytes at `pos`, looping over short reads; returns the bytes read. */
export function readFull(fd: number, into: Uint8Array, len: number, pos: number, at = 0): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, into, at + got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export function readCacheMeta(datasetDir: string, split: Split): CacheMeta {
  const path = join(cacheDir(datasetDir, split), 'meta.json');
  if (!existsSync(path)) {
    throw new UserError(`No training cache at ${path}: run \`ge4rec prepare\` for this dataset first.`);
  }
  const meta = readJsonFile<CacheMeta>(path, 'prepare the dataset again with --force');
  if (meta.version !== CACHE_VERSION) {
    throw new UserError(`${path}: cache version ${meta.version}, expected ${CACHE_VERSION}; re-run prepare with --force.`);
  }
  return meta;
}
