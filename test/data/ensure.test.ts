import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureDataset } from '../../src/data/prepare.js';
import { tempDir } from './helpers.js';

test('ensureDataset: an unprepared real dataset names the prepare command to run', async () => {
  const { dir, cleanup } = tempDir('ensure-real');
  try {
    await assert.rejects(ensureDataset('avazu_x4', { dataDir: dir }), (e: Error & { hint?: string }) => {
      assert.equal(e.name, 'UserError');
      assert.match(e.message, /avazu_x4 is not prepared/);
      assert.ok(e.hint?.includes(`ge4rec prepare --dataset avazu_x4 --data-dir ${dir}`), e.hint);
      return true;
    });
  } finally {
    cleanup();
  }
});

test('ensureDataset: a synthetic dataset is prepared on demand and streams batches', async () => {
  const { dir, cleanup } = tempDir('ensure-syn');
  try {
    const d = await ensureDataset('synthetic-avazu', { dataDir: dir, rows: 400, seed: 2 });
    assert.match(d.dir, /synthetic_avazu_400_2$/);
    assert.equal(d.fields.length, 24);
    assert.ok(d.fields.every((f) => f.type === 'categorical' && f.vocabSize! >= 2));
    assert.deepEqual([d.splits.train.rows, d.splits.valid.rows, d.splits.test.rows], [320, 40, 40]);
    let seen = 0;
    for await (const b of d.splits.valid.batches({ batchSize: 16, shuffle: false, seed: 0, epoch: 0 })) {
      for (let i = 0; i < b.cat.length; i++) {
        const f = d.fields[i % 24];
        assert.ok(b.cat[i] >= 1 && b.cat[i] < f.vocabSize!, `index ${b.cat[i]} out of range for ${f.name}`);
      }
      seen += b.size;
    }
    assert.equal(seen, 40);
  } finally {
    cleanup();
  }
});
