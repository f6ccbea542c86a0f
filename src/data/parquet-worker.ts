// Worker-thread entry: writes one split's parquet file so it overlaps with the encoding of the next split.
import { parentPort, workerData } from 'node:worker_threads';
import { writeSplitParquet, type ParquetCodec } from './parquet.js';
import type { Split } from './types.js';

const job = workerData as { dir: string; split: Split; out: string; codec: ParquetCodec };
try {
  let last = 0;
  const r = writeSplitParquet(job.dir, job.split, job.out, (done, total) => {
    if (done - last >= 1 << 19 || done === total) {
      last = done;
      parentPort!.postMessage({ type: 'progress', done, total });
    }
  }, job.codec);
  parentPort!.postMessage({ type: 'done', rows: r.rows });
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message, name: (e as Error).name });
}
