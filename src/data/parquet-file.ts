// A minimal parquet writer for what prepare writes: a flat schema of REQUIRED INT32/FLOAT/DOUBLE columns, PLAIN
// encoding, v1 data pages, one codec for the file, no statistics. Pages are the column's typed-array bytes as they
// are in memory (parquet's PLAIN is little-endian, like every platform Node runs on), so a page costs one
// compressor call and two writes; the general-purpose writer spent as long converting values one by one as
// compressing them.
import { closeSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { CompactWriter } from './thrift-compact.js';

export type FlatType = 'INT32' | 'FLOAT' | 'DOUBLE';
export type FlatArray = Int32Array | Float32Array | Float64Array;

export interface FlatColumn {
  name: string;
  type: FlatType;
}

/** Parquet's CompressionCodec id and the function producing it (absent for UNCOMPRESSED). */
export interface PageCodec {
  id: number;
  compress?: (page: Uint8Array) => Uint8Array;
}

// parquet.thrift enum values
const TYPE_ID: Record<FlatType, number> = { INT32: 1, FLOAT: 4, DOUBLE: 5 };
const REQUIRED = 0;
const PLAIN = 0;
const RLE = 3;
const DATA_PAGE = 0;

/** Values per data page: 1 MiB of 4-byte values, the page size pyarrow and parquet-mr default to. */
export const PAGE_VALUES = 1 << 18;

interface ChunkMeta {
  type: FlatType;
  name: string;
  values: number;
  uncompressed: number;
  compressed: number;
  offset: number;
}

interface RowGroupMeta {
  rows: number;
  chunks: ChunkMeta[];
}

export class FlatParquetWriter {
  private readonly fd: number;
  private offset = 0;
  private rows = 0;
  private readonly groups: RowGroupMeta[] = [];

  constructor(
    path: string,
    private readonly columns: readonly FlatColumn[],
    private readonly codec: PageCodec,
    private readonly createdBy = 'ge4rec',
  ) {
    if (endianness() !== 'LE') throw new Error('parquet writing needs a little-endian platform');
    this.fd = openSync(path, 'w');
    this.write(Buffer.from('PAR1', 'latin1'));
  }

  private write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.offset += b.length;
  }

  /** One row group; data[i] holds the values of columns[i], all of the same length. Empty groups are skipped. */
  writeRowGroup(data: readonly FlatArray[]): void {
    if (data.length !== this.columns.length) throw new Error(`parquet: ${data.length} columns given, schema has ${this.columns.length}`);
    const n = data[0]?.length ?? 0;
    if (n === 0 && data.every((d) => d.length === 0)) return;
    const chunks: ChunkMeta[] = [];
    this.columns.forEach((c, i) => {
      const d = data[i];
      if (d.length !== n) throw new Error(`parquet: column ${c.name} has ${d.length} values, expected ${n}`);
      if ((c.type === 'INT32') !== (d instanceof Int32Array) || (c.type === 'DOUBLE') !== (d instanceof Float64Array)) {
        throw new Error(`parquet: column ${c.name} (${c.type}) given a ${d.constructor.name}`);
      }
      chunks.push(this.writeChunk(c, d));
    });
    this.groups.push({ rows: n, chunks });
    this.rows += n;
  }

  private writeChunk(c: FlatColumn, d: FlatArray): ChunkMeta {
    const meta: ChunkMeta = { type: c.type, name: c.name, values: d.length, uncompressed: 0, compressed: 0, offset: this.offset };
    for (let s = 0; s < d.length; s += PAGE_VALUES) {
      const part = d.subarray(s, Math.min(d.length, s + PAGE_VALUES));
      const raw = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      const body = this.codec.compress ? this.codec.compress(raw) : raw;
      const header = new CompactWriter()
        .i32(1, DATA_PAGE)
        .i32(2, raw.length)
        .i32(3, body.length)
        .struct(5, (h) => h.i32(1, part.length).i32(2, PLAIN).i32(3, RLE).i32(4, RLE))
        .finish();
      this.write(header);
      this.write(body);
      meta.uncompressed += header.length + raw.length;
      meta.compressed += header.length + body.length;
    }
    return meta;
  }

  /** Writes the footer and closes the file. */
  finish(): void {
    const w = new CompactWriter()
      .i32(1, 1)
      .structList(2, [null, ...this.columns], (e, c) => {
        if (c === null) e.string(4, 'schema').i32(5, this.columns.length);
        else e.i32(1, TYPE_ID[c.type]).i32(3, REQUIRED).string(4, c.name);
      })
      .i64(3, this.rows)
      .structList(4, this.groups, (g, rg) => {
        g.structList(1, rg.chunks, (cc, ch) => {
          cc.i64(2, ch.offset).struct(3, (m) =>
            m
              .i32(1, TYPE_ID[ch.type])
              .i32List(2, [PLAIN, RLE])
              .stringList(3, [ch.name])
              .i32(4, this.codec.id)
              .i64(5, ch.values)
              .i64(6, ch.uncompressed)
              .i64(7, ch.compressed)
              .i64(9, ch.offset),
          );
        });
        g.i64(2, rg.chunks.reduce((a, ch) => a + ch.uncompressed, 0)).i64(3, rg.rows);
        if (rg.chunks.length) g.i64(5, rg.chunks[0].offset).i64(6, rg.chunks.reduce((a, ch) => a + ch.compressed, 0));
      })
      .string(6, this.createdBy)
      .finish();
    const tail = Buffer.alloc(8);
    tail.writeUInt32LE(w.length, 0);
    tail.write('PAR1', 4, 'latin1');
    this.write(w);
    this.write(tail);
    closeSync(this.fd);
  }

  /** Closes the file without a footer (the caller removes it). */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
