// Fake engines and split sources for the trainer tests: deterministic, tiny, no ONNX.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineLike, EngineStats, RecordedTensor } from '../../src/engine/api.js';
import type { Batch, BatchOptions, FieldInfo, SplitSource } from '../../src/data/types.js';
import { Rng } from '../../src/util/rng.js';

export const FIELDS: FieldInfo[] = [
  { name: 'c1', type: 'categorical', vocabSize: 5 },
  { name: 'n1', type: 'numeric' },
];

/** In-memory split: row i has cat = i % 5 (+0), num = x[i], label y[i]; shuffles with Rng(seed * 1000 + epoch). */
export class MemorySplit implements SplitSource {
  readonly fields = FIELDS;
  constructor(
    readonly x: number[],
    readonly y: number[],
  ) {}
  get rows(): number {
    return this.y.length;
  }
  async *batches(o: BatchOptions): AsyncIterable<Batch> {
    const order = Array.from({ length: this.rows }, (_, i) => i);
    if (o.shuffle) new Rng(o.seed * 1000 + o.epoch).shuffle(order);
    for (let s = 0; s < order.length; s += o.batchSize) {
      const idx = order.slice(s, s + o.batchSize);
      yield {
        size: idx.length,
        cat: Int32Array.from(idx, (i) => i % 5),
        num: Float32Array.from(idx, (i) => this.x[i]),
        label: Float32Array.from(idx, (i) => this.y[i]),
      };
    }
  }
}

export function randomSplit(n: number, seed: number): MemorySplit {
  const r = new Rng(seed);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = r.normal();
    x.push(v);
    y.push(r.uniform() < 1 / (1 + Math.exp(-2 * v)) ? 1 : 0);
  }
  return new MemorySplit(x, y);
}

abstract class BaseFake implements EngineLike {
  learningRate = 0;
  async record(): Promise<Record<string, RecordedTensor>> {
    return {};
  }
  embeddingTable(): { data: Float32Array; rows: number; dim: number } {
    return { data: new Float32Array(5), rows: 5, dim: 1 };
  }
  exportOnnx(path: string): void {
    writeFileSync(path, 'fake-onnx');
  }
  stats(): EngineStats {
    return { steps: 0, graphMs: 0, gatherMs: 0, updateMs: 0, denseParams: 0, embeddingParams: 0 };
  }
  async dispose(): Promise<void> {}
  abstract trainStep(b: Batch): Promise<{ loss: number }>;
  abstract predict(b: Batch): Promise<Float32Array>;
  abstract saveCheckpoint(dir: string): void;
  abstract loadCheckpoint(dir: string): void;
  abstract snapshot(): unknown;
  abstract restore(s: unknown): void;
}

/**
 * Validation scores are scripted per epoch: the "weights" are the number of epochs trained, and predict on the
 * validation split (1 positive, 10 negatives) gives exactly AUC = script[weights − 1].
 */
export class ScriptedEngine extends BaseFake {
  epochsTrained = 0;
  stepsThisEpoch = 0;
  lrPerEpoch: number[] = [];
  restores: number[] = [];
  snapshots: number[] = [];
  constructor(
    readonly script: number[],
    readonly stepsPerEpoch: number,
  ) {
    super();
  }
  async trainStep(): Promise<{ loss: number }> {
    if (this.stepsThisEpoch === 0) this.lrPerEpoch.push(this.learningRate);
    if (++this.stepsThisEpoch === this.stepsPerEpoch) {
      this.stepsThisEpoch = 0;
      this.epochsTrained++;
    }
    return { loss: 0.5 };
  }
  async predict(b: Batch): Promise<Float32Array> {
    const auc = this.script[this.epochsTrained - 1];
    const below = Math.round(auc * 10);
    // Positive row scores just above `below` of the 10 negatives (scored 0..9).
    return Float32Array.from(b.label, (y, i) => (y === 1 ? below - 0.5 : Number(b.num[i])));
  }
  saveCheckpoint(): void {}
  loadCheckpoint(): void {}
  snapshot(): unknown {
    this.snapshots.push(this.epochsTrained);
    return this.epochsTrained;
  }
  restore(s: unknown): void {
    this.restores.push(s as number);
    this.epochsTrained = s as number;
  }
}

/** Validation split for ScriptedEngine: negatives carry their score 0..9 in `num`, one positive. */
export function scriptedValidSplit(): MemorySplit {
  return new MemorySplit([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
}

/** Logistic regression on (num, cat one-hot) with SGD, a seeded "dropout" RNG and a checkpoint on disk. */
export class TinyLogisticEngine extends BaseFake {
  w = new Float64Array(6);
  rng: Rng;
  steps = 0;
  constructor(seed: number) {
    super();
    this.rng = new Rng(seed);
  }
  private logit(b: Batch, i: number): number {
    return this.w[0] * b.num[i] + this.w[1 + b.cat[i]];
  }
  async trainStep(b: Batch): Promise<{ loss: number }> {
    const g = new Float64Array(6);
    let loss = 0;
    for (let i = 0; i < b.size; i++) {
      const keep = this.rng.uniform() < 0.9 ? 1 : 0; // stands for a dropout mask that must survive resume
      const p = 1 / (1 + Math.exp(-this.logit(b, i)));
      loss += -(b.label[i] * Math.log(p) + (1 - b.label[i]) * Math.log(1 - p));
      const d = (p - b.label[i]) * keep;
      g[0] += d * b.num[i];
      g[1 + b.cat[i]] += d;
    }
    for (let k = 0; k < 6; k++) this.w[k] -= (this.learningRate * 300 * g[k]) / b.size;
    this.steps++;
    return { loss: loss / b.size };
  }
  async predict(b: Batch): Promise<Float32Array> {
    return Float32Array.from({ length: b.size }, (_, i) => 1 / (1 + Math.exp(-this.logit(b, i))));
  }
  saveCheckpoint(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ckpt.json'), JSON.stringify({ w: [...this.w], rng: this.rng.getState(), steps: this.steps, lr: this.learningRate }));
  }
  loadCheckpoint(dir: string): void {
    const c = JSON.parse(readFileSync(join(dir, 'ckpt.json'), 'utf8'));
    this.w = Float64Array.from(c.w);
    this.rng.setState(c.rng);
    this.steps = c.steps;
    this.learningRate = c.lr;
  }
  snapshot(): unknown {
    return Float64Array.from(this.w);
  }
  restore(s: unknown): void {
    this.w = Float64Array.from(s as Float64Array);
  }
}
