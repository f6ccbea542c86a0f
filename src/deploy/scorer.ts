// The exported model in an onnxruntime session: encoded batches in, probabilities out.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { Batch } from '../data/types.js';
import { createSession, releaseSession, type SessionOptions } from '../engine/session.js';
import { UserError } from '../util/errors.js';
import type { ModelCard } from './model-card.js';

export class Scorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly bytes: Uint8Array,
    private readonly opts: SessionOptions,
    readonly numCat: number,
    readonly numNum: number,
  ) {}

  static async open(modelPath: string, card: ModelCard, opts: SessionOptions): Promise<Scorer> {
    const bytes = readFileSync(modelPath);
    const session = await createSession(bytes, opts);
    const numCat = card.fields.filter((f) => f.input === 'cat').length;
    const numNum = card.fields.length - numCat;
    const want = [...(numCat ? ['cat'] : []), ...(numNum ? ['num'] : [])];
    if ([...session.inputNames].sort().join() !== want.join()) {
      await releaseSession(bytes, opts);
      throw new UserError(`${modelPath}: inputs ${session.inputNames.join(', ')} do not match its metadata (${want.join(', ')})`);
    }
    return new Scorer(session, bytes, opts, numCat, numNum);
  }

  async score(b: Batch): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {};
    if (this.numCat) feeds.cat = new ort.Tensor('int64', toInt64(b.cat), [b.size, this.numCat]);
    if (this.numNum) feeds.num = new ort.Tensor('float32', b.num, [b.size, this.numNum]);
    const out = await this.session.run(feeds);
    const p = out.prob;
    const data = p.data as Float32Array;
    const res = data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>);
    p.dispose();
    return res;
  }

  async close(): Promise<void> {
    await releaseSession(this.bytes, this.opts);
  }
}

/** int32 → int64 by writing both little-endian halves (sign-extended): no BigInt per value. */
export function toInt64(a: Int32Array): BigInt64Array {
  const out = new BigInt64Array(a.length);
  const w = new Int32Array(out.buffer);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    w[2 * i] = v;
    w[2 * i + 1] = v >> 31;
  }
  return out;
}
