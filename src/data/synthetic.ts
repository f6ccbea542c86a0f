// Synthetic CSVs in exactly the layout of the Criteo x1 / Avazu x4 releases, for tests, benchmarks and quick
// runs. Categorical values follow Zipf-like laws over cardinalities from 3 to 2·10^5; clicks come from a hidden
// logistic model: bias + first-order effects per categorical value + low-rank (rank 4) pairwise interactions over
// a fixed random set of field pairs (fields of ≤ 2·10^4 values) + numeric effects + Gaussian noise. The component scales are fixed relative to each other
// (measured on a calibration sample), so interaction models can beat LR; the bias is solved so that the click
// rate matches the real data (Criteo ≈ 0.26, Avazu ≈ 0.17).
import { closeSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { tmpNameFor, writeFully } from '../util/fs.js';

export type SyntheticKind = 'criteo' | 'avazu';

interface LatentCat {
  card: number;
  zipf: number;
  /** Whether the hidden model gives this variable first-order / pairwise effects. */
  effects: boolean;
}

interface Layout {
  header: string;
  cats: LatentCat[];
  numCount: number;
  clickRate: number;
  splits: [number, number, number];
  /** One CSV line (without newline) from latent ranks, numeric values, label, and a per-row rng for ids. */
  format(ranks: Int32Array, nums: Float64Array, label: number, rng: Rng): string;
}

const RANK = 4;
const SCALE_FIRST = 0.8;
const SCALE_PAIRS = 1.2;
const SCALE_NUM = 0.35;
const NOISE = 0.3;
const PAIR_MAX_CARD = 20_000;

function logSpaced(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(lo * (hi / lo) ** (i / (n - 1))));
}

function criteoLayout(rng: Rng): Layout {
  const cards = rng.shuffle(logSpaced(26, 3, 200_000));
  const cats = cards.map((card): LatentCat => ({ card, zipf: 1.05 + 0.25 * rng.uniform(), effects: true }));
  // integer codes as in the release: a random bijection rank → code per field
  const codes = cards.map((card) => rng.shuffle(Int32Array.from({ length: card }, (_, i) => i + 1)));
  const header = ['label', ...Array.from({ length: 13 }, (_, i) => `I${i + 1}`), ...Array.from({ length: 26 }, (_, i) => `C${i + 1}`)].join(',');
  return {
    header,
    cats,
    numCount: 13,
    clickRate: 0.26,
    splits: [0.7, 0.2, 0.1],
    format(ranks, nums, label) {
      let s = String(label);
      for (let j = 0; j < 13; j++) s += ',' + fmtUnit(nums[j]);
      for (let j = 0; j < 26; j++) s += ',' + codes[j][ranks[j]];
      return s;
    },
  };
}

/** A value in [0, 1] printed like the release's pre-scaled numeric fields (up to 6 decimals). */
function fmtUnit(x: number): string {
  if (x <= 0) return '0';
  if (x >= 1) return '1';
  return String(Number(x.toFixed(6)));
}

function hex8(code: number, salt: number): string {
  // odd multiplier mod 2^32 then xor: a bijection, so distinct codes give distinct ids
  return ((Math.imul(code + 1, 0x9e3779b1) ^ salt) >>> 0).toString(16).padStart(8, '0');
}

function avazuLayout(rng: Rng): Layout {
  // latent variables: 0 hour-of-day, 1 day (Oct 21..30 2014), then the 21 categorical columns in file order
  const hexCols: Record<string, number> = {
    site_id: 4000, site_domain: 5000, site_category: 25, app_id: 6000, app_domain: 400, app_category: 30,
    device_id: 100_000, device_ip: 200_000, device_model: 7000,
  };
  const intCols: Record<string, number[] | number> = {
    C1: [1005, 1002, 1010, 1012, 1007, 1001, 1008],
    banner_pos: [0, 1, 7, 2, 4, 5, 3],
    device_type: [1, 0, 4, 5, 2],
    device_conn_type: [0, 2, 3, 5],
    C14: 2500, C15: [320, 300, 216, 728, 120, 1024, 480, 768], C16: [50, 250, 36, 480, 90, 20, 768, 320, 1024],
    C17: 430, C18: [0, 3, 2, 1], C19: 68, C20: 170, C21: 60,
  };
  const order = ['C1', 'banner_pos', 'site_id', 'site_domain', 'site_category', 'app_id', 'app_domain', 'app_category',
    'device_id', 'device_ip', 'device_model', 'device_type', 'device_conn_type',
    'C14', 'C15', 'C16', 'C17', 'C18', 'C19', 'C20', 'C21'];
  const cats: LatentCat[] = [{ card: 24, zipf: 0.3, effects: true }, { card: 10, zipf: 0, effects: true }];
  const fmt: ((r: number) => string)[] = [];
  order.forEach((name, i) => {
    const salt = rng.nextU32() | 0;
    if (name in hexCols) {
      cats.push({ card: hexCols[name], zipf: 1.1 + 0.2 * rng.uniform(), effects: true });
      fmt.push((r) => hex8(r, salt));
    } else {
      const spec = intCols[name];
      if (Array.isArray(spec)) {
        cats.push({ card: spec.length, zipf: 1.5, effects: true });
        fmt.push((r) => String(spec[r]));
      } else {
        const base = name === 'C20' ? 100_000 : name === 'C14' ? 15_000 : 20 + i;
        cats.push({ card: spec, zipf: 1.1, effects: true });
        fmt.push((r) => (name === 'C20' && r === 0 ? '-1' : String(base + r * 3)));
      }
    }
  });
  const header = ['id', 'click', 'hour', ...order].join(',');
  return {
    header,
    cats,
    numCount: 0,
    clickRate: 0.17,
    splits: [0.8, 0.1, 0.1],
    format(ranks, _nums, label, r) {
      const id = `${1 + r.int(9)}${String(r.int(1e9)).padStart(9, '0')}${String(r.int(1e9)).padStart(9, '0')}`;
      const hh = String(ranks[0]).padStart(2, '0');
      let s = `${id},${label},1410${21 + ranks[1]}${hh}`;
      for (let j = 0; j < fmt.length; j++) s += ',' + fmt[j](ranks[j + 2]);
      return s;
    },
  };
}

/** Inverse-CDF sampler for P(rank = r) ∝ (r + 1)^−s. */
class ZipfSampler {
  private readonly cdf: Float64Array;
  constructor(card: number, s: number) {
    this.cdf = new Float64Array(card);
    let acc = 0;
    for (let r = 0; r < card; r++) {
      acc += (r + 1) ** -s;
      this.cdf[r] = acc;
    }
    for (let r = 0; r < card; r++) this.cdf[r] /= acc;
  }
  sample(u: number): number {
    const c = this.cdf;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface HiddenModel {
  first: Float32Array[];
  factors: Float32Array[];
  pairs: [number, number][];
  numW: Float64Array;
}

function hiddenModel(layout: Layout, rng: Rng): HiddenModel {
  const m = layout.cats.length;
  const first = layout.cats.map((c) => {
    const a = new Float32Array(c.card);
    if (c.effects) rng.fillNormal(a, 1);
    return a;
  });
  const factors = layout.cats.map((c) => {
    const a = new Float32Array(c.card * RANK);
    rng.fillNormal(a, 1 / Math.sqrt(RANK));
    return a;
  });
  // interactions among fields of up to PAIR_MAX_CARD values, so that 10^5-row data sets can learn them
  const pool = layout.cats.map((c, i) => (c.card <= PAIR_MAX_CARD ? i : -1)).filter((i) => i >= 0);
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  const nPairs = Math.min(Math.round(m * 0.9), (pool.length * (pool.length - 1)) / 2);
  while (pairs.length < nPairs) {
    const a = pool[rng.int(pool.length)];
    const b = pool[rng.int(pool.length)];
    if (a === b || seen.has(`${Math.min(a, b)}:${Math.max(a, b)}`)) continue;
    seen.add(`${Math.min(a, b)}:${Math.max(a, b)}`);
    pairs.push([a, b]);
  }
  const numW = new Float64Array(layout.numCount);
  for (let j = 0; j < numW.length; j++) numW[j] = rng.normal() * 4;
  return { first, factors, pairs, numW };
}

/** Per-row raw components of the hidden logit. */
function components(h: HiddenModel, ranks: Int32Array, nums: Float64Array, out: Float64Array): void {
  let f1 = 0;
  for (let j = 0; j < ranks.length; j++) f1 += h.first[j][ranks[j]];
  let f2 = 0;
  for (const [a, b] of h.pairs) {
    const ua = h.factors[a];
    const ub = h.factors[b];
    const oa = ranks[a] * RANK;
    const ob = ranks[b] * RANK;
    for (let k = 0; k < RANK; k++) f2 += ua[oa + k] * ub[ob + k];
  }
  let f3 = 0;
  for (let j = 0; j < nums.length; j++) f3 += h.numW[j] * (nums[j] - 0.1);
  out[0] = f1;
  out[1] = f2;
  out[2] = f3;
}

class RowSampler {
  private readonly samplers: ZipfSampler[];
  constructor(private readonly layout: Layout) {
    this.samplers = layout.cats.map((c) => new ZipfSampler(c.card, c.zipf));
  }
  sample(rng: Rng, ranks: Int32Array, nums: Float64Array): void {
    for (let j = 0; j < ranks.length; j++) ranks[j] = this.samplers[j].sample(rng.uniform());
    for (let j = 0; j < nums.length; j++) {
      // count-like values scaled into [0, 1]: many zeros, a heavy tail
      const u = rng.uniform();
      nums[j] = u < 0.3 ? 0 : Math.min(1, Math.exp(rng.normal() * 1.2 - 3));
    }
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export interface SyntheticResult {
  files: { train: string; valid: string; test: string };
  rows: { train: number; valid: number; test: number };
  clickRate: number;
  /** AUC on valid of the hidden model's own logits: the ceiling any model can reach. */
  oracleValidAuc: number;
}

/** ROC AUC with ties counted half (rank-sum formula). */
export function rocAuc(scores: Float64Array, labels: Uint8Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]]) {
      pos++;
      rankSum += avg;
    }
    i = j + 1;
  }
  const neg = n - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : 0.5;
}

/** Writes train.csv / valid.csv / test.csv into `dir` (each to a temp name, then renamed). */
export function generateSynthetic(kind: SyntheticKind, rows: number, seed: number, dir: string, onProgress?: (done: number, total: number) => void): SyntheticResult {
  if (!(Number.isInteger(rows) && rows >= 10)) throw new Error(`rows must be an integer ≥ 10, got ${rows}`);
  const structRng = new Rng(seed);
  const layout = kind === 'criteo' ? criteoLayout(structRng) : avazuLayout(structRng);
  const model = hiddenModel(layout, structRng);
  const sampler = new RowSampler(layout);
  const ranks = new Int32Array(layout.cats.length);
  const nums = new Float64Array(layout.numCount);
  const comp = new Float64Array(3);

  // calibration: standardise each component, then solve the bias for the target click rate
  const calRows = Math.min(20_000, Math.max(2000, rows));
  const cal = new Float64Array(calRows * 3);
  const calRng = new Rng(seed ^ 0x2545f491);
  for (let i = 0; i < calRows; i++) {
    sampler.sample(calRng, ranks, nums);
    components(model, ranks, nums, comp);
    cal.set(comp, i * 3);
  }
  const mean = [0, 0, 0];
  const sd = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < calRows; i++) mean[c] += cal[i * 3 + c] / calRows;
    for (let i = 0; i < calRows; i++) sd[c] += (cal[i * 3 + c] - mean[c]) ** 2 / calRows;
    sd[c] = Math.sqrt(sd[c]) || 1;
  }
  const scale = [SCALE_FIRST / sd[0], SCALE_PAIRS / sd[1], layout.numCount ? SCALE_NUM / sd[2] : 0];
  const noise = new Float64Array(calRows);
  calRng.fillNormal(noise, NOISE);
  const calLogit = (i: number, b: number): number =>
    b + scale[0] * (cal[i * 3] - mean[0]) + scale[1] * (cal[i * 3 + 1] - mean[1]) + scale[2] * (cal[i * 3 + 2] - mean[2]) + noise[i];
  let lo = -10;
  let hi = 10;
  for (let it = 0; it < 50; it++) {
    const b = (lo + hi) / 2;
    let p = 0;
    for (let i = 0; i < calRows; i++) p += sigmoid(calLogit(i, b));
    if (p / calRows < layout.clickRate) lo = b;
    else hi = b;
  }
  const bias = (lo + hi) / 2;

  mkdirSync(dir, { recursive: true });
  const names = ['train', 'valid', 'test'] as const;
  const counts = [Math.floor(rows * layout.splits[0]), Math.floor(rows * layout.splits[1]), 0];
  counts[2] = rows - counts[0] - counts[1];
  const rng = new Rng(seed ^ 0x68e31da4);
  let clicks = 0;
  let done = 0;
  const result: SyntheticResult = {
    files: { train: join(dir, 'train.csv'), valid: join(dir, 'valid.csv'), test: join(dir, 'test.csv') },
    rows: { train: counts[0], valid: counts[1], test: counts[2] },
    clickRate: 0,
    oracleValidAuc: 0,
  };
  const validZ = new Float64Array(counts[1]);
  const validY = new Uint8Array(counts[1]);
  for (let s = 0; s < 3; s++) {
    const path = result.files[names[s]];
    const tmp = tmpNameFor(path);
    const fd = openSync(tmp, 'w');
    try {
      let lines: string[] = [layout.header];
      for (let i = 0; i < counts[s]; i++) {
        sampler.sample(rng, ranks, nums);
        components(model, ranks, nums, comp);
        const z = bias + scale[0] * (comp[0] - mean[0]) + scale[1] * (comp[1] - mean[1]) + scale[2] * (comp[2] - mean[2]) + NOISE * rng.normal();
        const label = rng.uniform() < sigmoid(z) ? 1 : 0;
        clicks += label;
        if (s === 1) {
          validZ[i] = z;
          validY[i] = label;
        }
        lines.push(layout.format(ranks, nums, label, rng));
        if (lines.length >= 8192) {
          writeFully(fd, lines.join('\n') + '\n', path);
          lines = [];
          done += 8192;
          onProgress?.(done, rows);
        }
      }
      if (lines.length) writeFully(fd, lines.join('\n') + '\n', path);
      closeSync(fd);
      renameSync(tmp, path);
    } catch (e) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw e;
    }
  }
  onProgress?.(rows, rows);
  result.clickRate = clicks / rows;
  result.oracleValidAuc = rocAuc(validZ, validY);
  return result;
}
