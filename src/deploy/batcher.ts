// Concurrent requests' rows scored together: each request's encoded batch waits in a queue, and the queue goes to
// onnxruntime as ONE call when it holds `maxBatch` rows or its oldest request has waited `maxWaitMs`, whichever
// comes first. One call runs at a time; requests arriving meanwhile form the next call. A request larger than
// `maxBatch` is scored alone, in one call.
import type { Batch } from '../data/types.js';

interface Pending {
  batch: Batch;
  resolve: (p: Float32Array) => void;
  reject: (e: unknown) => void;
}

export interface BatcherStats {
  calls: number;
  rows: number;
  requests: number;
  largestCall: number;
}

export class Batcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  readonly stats: BatcherStats = { calls: 0, rows: 0, requests: 0, largestCall: 0 };

  constructor(
    private readonly score: (b: Batch) => Promise<Float32Array>,
    readonly maxBatch: number,
    readonly maxWaitMs: number,
    private readonly numCat: number,
    private readonly numNum: number,
  ) {}

  submit(batch: Batch): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.queuedRows += batch.size;
      this.stats.requests++;
      if (this.queuedRows >= this.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
    });
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.busy || this.queue.length === 0) return;
    // take requests while they fit (at least one)
    let rows = 0;
    let k = 0;
    while (k < this.queue.length && (k === 0 || rows + this.queue[k].batch.size <= this.maxBatch)) rows += this.queue[k++].batch.size;
    const group = this.queue.splice(0, k);
    this.queuedRows -= rows;
    this.busy = true;
    void this.run(group, rows).finally(() => {
      this.busy = false;
      // whatever queued during the call has waited long enough
      if (this.queue.length) this.kick();
    });
  }

  private async run(group: Pending[], rows: number): Promise<void> {
    const b = group.length === 1 ? group[0].batch : concat(group.map((g) => g.batch), rows, this.numCat, this.numNum);
    try {
      const p = await this.score(b);
      this.stats.calls++;
      this.stats.rows += rows;
      this.stats.largestCall = Math.max(this.stats.largestCall, rows);
      let at = 0;
      for (const g of group) {
        g.resolve(p.subarray(at, at + g.batch.size));
        at += g.batch.size;
      }
    } catch (e) {
      for (const g of group) g.reject(e);
    }
  }

  /** Rejects what is still queued (server shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const g of this.queue.splice(0)) g.reject(new Error('server closing'));
    this.queuedRows = 0;
  }
}

function concat(bs: Batch[], rows: number, numCat: number, numNum: number): Batch {
  const cat = new Int32Array(rows * numCat);
  const num = new Float32Array(rows * numNum);
  const label = new Float32Array(rows);
  let at = 0;
  for (const b of bs) {
    cat.set(b.cat, at * numCat);
    num.set(b.num, at * numNum);
    label.set(b.label, at);
    at += b.size;
  }
  return { size: rows, cat, num, label };
}
