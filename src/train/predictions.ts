// A run's test-split predictions, test_predictions.parquet beside metrics.json: one row per test row in split
// order, `label` and `prob` (float64, as FuxiCTR collects them). Table 1's AUC/Logloss can be recomputed from it,
// and the DIS and GEN runs of one seed compared row by row (a paired test of their AUC difference).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { FlatParquetWriter } from '../data/parquet-file.js';
import { PAGE_CODECS } from '../data/parquet.js';
import { tmpNameFor } from '../util/fs.js';
import { UserError } from '../util/errors.js';

export const TEST_PREDICTIONS = 'test_predictions.parquet';

export function writePredictionsParquet(path: string, labels: Float64Array, preds: Float64Array): void {
  if (labels.length !== preds.length) throw new Error(`predictions: ${labels.length} labels, ${preds.length} predictions`);
  const tmp = tmpNameFor(path);
  const w = new FlatParquetWriter(tmp, [{ name: 'label', type: 'DOUBLE' }, { name: 'prob', type: 'DOUBLE' }], PAGE_CODECS.snappy); // snappy: hyparquet reads it without a codec plugin
  try {
    const group = 1 << 20;
    for (let s = 0; s < labels.length; s += group) w.writeRowGroup([labels.subarray(s, s + group), preds.subarray(s, s + group)]);
    w.finish();
    renameSync(tmp, path);
  } catch (e) {
    w.abort();
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads a run's test_predictions.parquet back. */
export async function readTestPredictions(runDir: string): Promise<{ labels: Float64Array; preds: Float64Array }> {
  const path = join(runDir, TEST_PREDICTIONS);
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: await asyncBufferFromFile(path), columns: ['label', 'prob'] })) as Record<string, unknown>[];
  } catch (e) {
    throw new UserError(`${path}: cannot be read (${(e as Error).message})`);
  }
  return { labels: Float64Array.from(rows, (r) => Number(r.label)), preds: Float64Array.from(rows, (r) => Number(r.prob)) };
}
