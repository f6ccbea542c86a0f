// A fake trained run for the analysis tests: host embedding tables, a validation split, and an engine whose
// record() returns interaction.left / interaction.right like the models do ([B, F·D]; DIS: left = raw,
// GEN: left = gamma · ReLU(A · vec(E)), the main GEN config's encoder).
import type { Batch, BatchOptions, FieldInfo, SplitSource } from '../../src/data/types.js';
import type { RecordedTensor } from '../../src/engine/api.js';
import type { OpenedRun } from '../../src/analysis/pipeline.js';
import { Rng } from '../../src/util/rng.js';

export const FAKE_FIELDS: FieldInfo[] = [
  { name: 'C1', type: 'categorical', vocabSize: 60 },
  { name: 'I1', type: 'numeric' },
  { name: 'C2', type: 'categorical', vocabSize: 25 },
  { name: 'C3', type: 'categorical', vocabSize: 9 },
];
export const FAKE_D = 4;

export function fakeSplit(rows: number, seed: number): SplitSource {
  const rng = new Rng(seed);
  const cats = FAKE_FIELDS.filter((f) => f.type === 'categorical');
  const nCat = cats.length;
  const nNum = FAKE_FIELDS.length - nCat;
  const cat = new Int32Array(rows * nCat);
  const num = new Float32Array(rows * nNum);
  const label = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    cats.forEach((f, j) => (cat[r * nCat + j] = 1 + rng.int((f.vocabSize ?? 3) - 2)));
    for (let j = 0; j < nNum; j++) num[r * nNum + j] = rng.uniform();
    label[r] = rng.uniform() < 0.3 ? 1 : 0;
  }
  return {
    rows,
    fields: FAKE_FIELDS,
    async *batches(o: BatchOptions): AsyncIterable<Batch> {
      const order = Int32Array.from({ length: rows }, (_, i) => i);
      if (o.shuffle) new Rng(o.seed * 1000 + o.epoch).shuffle(order);
      for (let s = 0; s < rows; s += o.batchSize) {
        const idx = order.subarray(s, Math.min(rows, s + o.batchSize));
        const b: Batch = { size: idx.length, cat: new Int32Array(idx.length * nCat), num: new Float32Array(idx.length * nNum), label: new Float32Array(idx.length) };
        idx.forEach((src, i) => {
          b.cat.set(cat.subarray(src * nCat, (src + 1) * nCat), i * nCat);
          b.num.set(num.subarray(src * nNum, (src + 1) * nNum), i * nNum);
          b.label[i] = label[src];
        });
        yield b;
      }
    },
  };
}

export interface FakeEngine {
  record(b: Batch): Promise<Record<string, RecordedTensor>>;
  embeddingTable(field: string): { data: Float32Array; rows: number; dim: number };
  dispose(): Promise<void>;
  disposed: boolean;
  recordCalls: number[];
}

/**
 * Every categorical table is rank 1 (row i = u_i · w_f) and the numeric field is x · w_f, so the raw vec(E) spans
 * at most F = 4 of the 16 dimensions: DIS is collapsed by construction, and GEN's ReLU spreads it out.
 */
export function fakeEngine(paradigm: 'dis' | 'gen', seed: number): FakeEngine {
  const rng = new Rng(seed);
  const D = FAKE_D;
  const tables = new Map<string, Float32Array>();
  const numW = new Map<string, Float32Array>();
  for (const f of FAKE_FIELDS) {
    const w = Float32Array.from({ length: D }, () => rng.normal());
    if (f.type === 'numeric') {
      numW.set(f.name, w);
      continue;
    }
    const rows = f.vocabSize!;
    const t = new Float32Array(rows * D);
    for (let i = 1; i < rows; i++) {
      const u = rng.normal();
      for (let d = 0; d < D; d++) t[i * D + d] = u * w[d];
    }
    tables.set(f.name, t);
  }
  const n = FAKE_FIELDS.length * D;
  const A = Float32Array.from({ length: n * n }, () => rng.normal() / Math.sqrt(n));
  const nCat = tables.size;
  const nNum = numW.size;
  const eng: FakeEngine = {
    disposed: false,
    recordCalls: [],
    async record(b: Batch) {
      eng.recordCalls.push(b.size);
      const raw = new Float32Array(b.size * n);
      for (let r = 0; r < b.size; r++) {
        let ci = 0;
        let ni = 0;
        FAKE_FIELDS.forEach((f, fi) => {
          const dst = r * n + fi * D;
          if (f.type === 'categorical') {
            const idx = b.cat[r * nCat + ci++];
            raw.set(tables.get(f.name)!.subarray(idx * D, (idx + 1) * D), dst);
          } else {
            const x = b.num[r * nNum + ni++];
            const w = numW.get(f.name)!;
            for (let d = 0; d < D; d++) raw[dst + d] = x * w[d];
          }
        });
      }
      let left = raw;
      if (paradigm === 'gen') {
        left = new Float32Array(b.size * n);
        for (let r = 0; r < b.size; r++) {
          for (let o = 0; o < n; o++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += A[o * n + i] * raw[r * n + i];
            left[r * n + o] = 6 * Math.max(0, s);
          }
        }
      }
      return {
        'interaction.left': { data: left, shape: [b.size, n] },
        'interaction.right': { data: raw, shape: [b.size, n] },
      };
    },
    embeddingTable(field: string) {
      const t = tables.get(field);
      if (!t) throw new Error(`no table for ${field}`);
      return { data: t, rows: t.length / D, dim: D };
    },
    async dispose() {
      eng.disposed = true;
    },
  };
  return eng;
}

/** A RunOpener over fake runs: the paradigm is read from the run directory's path. */
export function fakeOpener(validRows = 3000): { open: (runDir: string) => Promise<OpenedRun>; engines: FakeEngine[] } {
  const engines: FakeEngine[] = [];
  return {
    engines,
    open: async (runDir: string) => {
      const paradigm = /[\\/]gen[\\/]/.test(runDir) ? 'gen' : 'dis';
      const engine = fakeEngine(paradigm, 17);
      engines.push(engine);
      return { engine, fields: FAKE_FIELDS, splits: { valid: fakeSplit(validRows, 5) } };
    },
  };
}
