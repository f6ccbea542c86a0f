// The part of Thrift's compact protocol that a parquet footer and page headers need: structs of i32, i64,
// string, bool, list and nested struct fields. Written by hand (no IDL) because parquet.ts writes only a few
// fixed structures and this keeps the per-page cost to a handful of byte stores.

const T_TRUE = 1;
const T_FALSE = 2;
const T_I32 = 5;
const T_I64 = 6;
const T_BINARY = 8;
const T_LIST = 9;
const T_STRUCT = 12;

export class CompactWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private lastField = 0;
  private readonly fieldStack: number[] = [];

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private byte(b: number): void {
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (file offsets pass 2^32). */
  private varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  private zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastField;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastField = id;
  }

  i32(id: number, v: number): this {
    this.fieldHeader(id, T_I32);
    this.zigzag(v);
    return this;
  }

  i64(id: number, v: number): this {
    this.fieldHeader(id, T_I64);
    this.zigzag(v);
    return this;
  }

  bool(id: number, v: boolean): this {
    this.fieldHeader(id, v ? T_TRUE : T_FALSE);
    return this;
  }

  string(id: number, s: string): this {
    this.fieldHeader(id, T_BINARY);
    this.binary(s);
    return this;
  }

  private binary(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varint(b.length);
    for (const x of b) this.byte(x);
  }

  private listHeader(id: number, size: number, elemType: number): void {
    this.fieldHeader(id, T_LIST);
    if (size < 15) this.byte((size << 4) | elemType);
    else {
      this.byte(0xf0 | elemType);
      this.varint(size);
    }
  }

  i32List(id: number, vs: readonly number[]): this {
    this.listHeader(id, vs.length, T_I32);
    for (const v of vs) this.zigzag(v);
    return this;
  }

  stringList(id: number, vs: readonly string[]): this {
    this.listHeader(id, vs.length, T_BINARY);
    for (const v of vs) this.binary(v);
    return this;
  }

  /** A list of structs, each written by `each` between implicit begin/end. */
  structList<T>(id: number, items: readonly T[], each: (w: this, item: T) => void): this {
    this.listHeader(id, items.length, T_STRUCT);
    for (const it of items) {
      this.begin();
      each(this, it);
      this.end();
    }
    return this;
  }

  /** A nested struct field. */
  struct(id: number, fill: (w: this) => void): this {
    this.fieldHeader(id, T_STRUCT);
    this.begin();
    fill(this);
    this.end();
    return this;
  }

  private begin(): void {
    this.fieldStack.push(this.lastField);
    this.lastField = 0;
  }

  private end(): void {
    this.byte(0); // STOP
    this.lastField = this.fieldStack.pop()!;
  }

  /** Ends the top-level struct. */
  finish(): Uint8Array {
    this.byte(0);
    return this.bytes();
  }
}
