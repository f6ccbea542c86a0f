// End to end on real runs: `reproduce` trains FM DIS and GEN for one epoch on a tiny synthetic Criteo, then
// `analyze` reopens both (src/train/run-loader.ts, the real engine) and writes every output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Analyze from '../../src/commands/analyze.js';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { checkPngMatchesSvg } from './png-check.js';
import { captureStdout } from '../cli/capture.js';

test('reproduce FM (both paradigms, 1 epoch, 20k synthetic rows) then analyze writes all files', { timeout: 240_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-analyze-e2e-'));
  const results = join(root, 'results');
  const printed = captureStdout();
  try {
    await Reproduce.run(
      ['--dataset', 'synthetic-criteo', '--rows', '20000', '--model', 'FM', '--paradigm', 'both', '--max-epochs', '1',
        '--results-dir', results, '--data-dir', join(root, 'data'), '--json'],
      PACKAGE_ROOT,
    );
    printed.clear();
    const res = await Analyze.run(
      ['--dataset', 'synthetic-criteo', '--model', 'FM', '--results-dir', results, '--batch', '2000', '--seeds', '2', '--json'],
      PACKAGE_ROOT,
    );
    const out = join(results, 'synthetic-criteo', 'FM', 'analysis');
    assert.equal(res.outDir, out);
    for (const f of ['analysis.md', 'analysis.json', 'spectrum.csv', 'spectrum-summary.csv', 'correlation-summary.csv',
      'correlation-dis.csv', 'correlation-gen.csv', 'table-spectra.csv', 'table-spectra-summary.csv']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    for (const b of ['spectrum', 'correlation', 'table-spectra']) checkPngMatchesSvg(join(out, `${b}.png`), join(out, `${b}.svg`));
    const json = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    const [dis, gen] = json.runs;
    assert.deepEqual([dis.label, gen.label], ['DIS', 'GEN']);
    // Criteo layout: 39 fields × D = 10.
    assert.equal(dis.fields, 39);
    assert.equal(dis.fieldDim, 10);
    assert.equal(dis.spectra.length, 2);
    assert.equal(dis.spectra[0].normalized.length, 390);
    assert.equal(dis.spectra[0].normalized[0], 1);
    // DIS records the raw embeddings on both sides; GEN's left side is the encoder output.
    assert.ok(Math.abs(dis.correlation.meanDiagonal - 1) < 1e-3, `DIS diagonal ${dis.correlation.meanDiagonal}`);
    assert.ok(gen.correlation.meanAbsDiagonal < 0.9, `GEN diagonal ${gen.correlation.meanAbsDiagonal}`);
    assert.equal(dis.tables.length, 26);
    assert.deepEqual(JSON.parse(printed.text()).files, res.files);
  } finally {
    printed.restore();
    rmSync(root, { recursive: true, force: true });
  }
});
