// FuxiCTR v2.3.1's Tokenizer semantics (facts §4.8): counted on train only, tokens sorted by (−count, token),
// tokens with count ≥ min_categr_count and ≠ na_value ("") get 1..N, 0 is __PAD__, N+1 is __OOV__.
//
// Tokens are numbers for FuxiCTR 'float' columns (Criteo C1..C26 are declared dtype float, so polars parses
// "3", "3.0" and "3e0" all to the float 3.0: they are ONE token, and ties sort numerically, as Python sorts
// floats) and strings for 'str' columns (ties sort by code point; we hold tokens as latin1 strings of the raw
// UTF-8 bytes, whose order is the same as the code-point order of the decoded text).

export type Token = number | string;

export interface Vocabulary {
  /** Provisional id (order of first appearance in train) → final index (1..N, or N+1 = OOV). */
  remap: Int32Array;
  /** N, the number of kept tokens. */
  size: number;
  oov: number;
  /** vocab_size = N + 2. */
  vocabSize: number;
  /** Kept tokens in index order (tokens[i] has index i + 1). */
  tokens: Token[];
}

/**
 * Assigns provisional ids in order of first appearance and counts them. Non-negative integer tokens below 2^31
 * (Criteo's integer codes parsed as floats) go through an open-addressing Int32 table, which is several times
 * faster than a Map keyed by doubles; all other tokens use a Map. Both share one id space.
 */
export class TokenCounter {
  private readonly ids = new Map<Token, number>();
  private readonly keys: Token[] = [];
  private counts = new Int32Array(1024);
  private slotKey = new Int32Array(1024).fill(-1);
  private slotId = new Int32Array(1024);
  private intCount = 0;

  get distinct(): number {
    return this.keys.length;
  }

  private newId(token: Token): number {
    const id = this.keys.length;
    this.keys.push(token);
    if (id >= this.counts.length) {
      const bigger = new Int32Array(this.counts.length * 2);
      bigger.set(this.counts);
      this.counts = bigger;
    }
    return id;
  }

  private intSlot(v: number): number {
    const mask = this.slotKey.length - 1;
    let h = Math.imul(v, 0x9e3779b1) >>> 0;
    for (;;) {
      const i = h & mask;
      const k = this.slotKey[i];
      if (k === v || k === -1) return i;
      h = i + 1;
    }
  }

  private growInts(): void {
    const oldK = this.slotKey;
    const oldI = this.slotId;
    this.slotKey = new Int32Array(oldK.length * 2).fill(-1);
    this.slotId = new Int32Array(oldK.length * 2);
    for (let i = 0; i < oldK.length; i++) {
      if (oldK[i] === -1) continue;
      const j = this.intSlot(oldK[i]);
      this.slotKey[j] = oldK[i];
      this.slotId[j] = oldI[i];
    }
  }

  private static isSmallInt(t: Token): t is number {
    return typeof t === 'number' && (t | 0) === t && t >= 0 && !Object.is(t, -0);
  }

  /** Counts one occurrence; returns the token's provisional id. */
  observe(token: Token): number {
    let id: number | undefined;
    if (TokenCounter.isSmallInt(token)) {
      let i = this.intSlot(token);
      if (this.slotKey[i] === -1) {
        if ((this.intCount + 1) * 2 > this.slotKey.length) {
          this.growInts();
          i = this.intSlot(token);
        }
        id = this.newId(token);
        this.slotKey[i] = token;
        this.slotId[i] = id;
        this.intCount++;
      } else id = this.slotId[i];
    } else {
      id = this.ids.get(token);
      if (id === undefined) {
        id = this.newId(token);
        this.ids.set(token, id);
      }
    }
    this.counts[id]++;
    return id;
  }

  /** observe() for number tokens (the hot path for Criteo's float-typed categoricals). */
  observeNumber(v: number): number {
    if ((v | 0) !== v || v < 0 || Object.is(v, -0)) return this.observe(v);
    let i = this.intSlot(v);
    let id: number;
    if (this.slotKey[i] === -1) {
      if ((this.intCount + 1) * 2 > this.slotKey.length) {
        this.growInts();
        i = this.intSlot(v);
      }
      id = this.newId(v);
      this.slotKey[i] = v;
      this.slotId[i] = id;
      this.intCount++;
    } else id = this.slotId[i];
    this.counts[id]++;
    return id;
  }

  /** Provisional id of a token seen in train, or -1. */
  lookup(token: Token): number {
    if (TokenCounter.isSmallInt(token)) {
      const i = this.intSlot(token);
      return this.slotKey[i] === -1 ? -1 : this.slotId[i];
    }
    const id = this.ids.get(token);
    return id === undefined ? -1 : id;
  }

  count(token: Token): number {
    const id = this.lookup(token);
    return id < 0 ? 0 : this.counts[id];
  }

  build(minCount: number, naValue: Token = ''): Vocabulary {
    const n = this.keys.length;
    const keys = this.keys;
    const counts = this.counts;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      const d = counts[b] - counts[a];
      if (d !== 0) return d;
      const ka = keys[a];
      const kb = keys[b];
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const tokens: Token[] = [];
    const remap = new Int32Array(n);
    for (const id of order) {
      if (counts[id] < minCount) break; // sorted by descending count
      if (keys[id] === naValue) continue;
      tokens.push(keys[id]);
      remap[id] = tokens.length;
    }
    const oov = tokens.length + 1;
    for (let id = 0; id < n; id++) if (remap[id] === 0) remap[id] = oov;
    return { remap, size: tokens.length, oov, vocabSize: tokens.length + 2, tokens };
  }
}

/** Python's repr of a float, as json.dumps writes float dict keys in FuxiCTR's feature_vocab.json. */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return (Object.is(v, -0) ? '-0' : v.toFixed(0)) + '.0';
  const a = Math.abs(v);
  // Python switches to exponent form below 1e-4 and from 1e16; JS below 1e-6 and from 1e21
  if (a < 1e-4 || a >= 1e16) {
    const [m, ex] = v.toExponential().split('e');
    const exp = Number(ex);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}
