import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeRun, DEFAULT_ANALYZE_OPTIONS } from '../../src/analysis/analyze-run.js';
import { defaultOutDir, describeRunDir, findModelRuns } from '../../src/analysis/locate.js';
import { runAnalysis, runLabels } from '../../src/analysis/pipeline.js';
import Analyze from '../../src/commands/analyze.js';
import { captureStdout } from '../cli/capture.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';
import { FAKE_FIELDS, fakeEngine, fakeOpener, fakeSplit } from './fake-run.js';
import { checkPngMatchesSvg } from './png-check.js';
import { covarianceSpectrum } from '../../src/analysis/spectrum.js';
import { interactionCorrelation } from '../../src/analysis/correlation.js';
import { mat } from '../../src/analysis/matrix.js';
import type { Batch } from '../../src/data/types.js';
import type { RecordedTensor } from '../../src/engine/api.js';

function fakeResults(): string {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-analyze-'));
  for (const p of ['dis', 'gen']) {
    for (const s of [3, 4]) {
      const dir = join(root, 'synthetic-criteo', 'FM', p, `seed-${s}`);
      mkdirSync(join(dir, 'best'), { recursive: true });
      writeFileSync(join(dir, 'metrics.json'), '{}');
    }
  }
  rmSync(join(root, 'synthetic-criteo', 'FM', 'gen', 'seed-3'), { recursive: true }); // seed 3 has DIS only
  return root;
}

test('locating runs: path parts, default output folder, smallest seed with both paradigms', () => {
  const root = fakeResults();
  try {
    const refs = findModelRuns(root, 'synthetic-criteo', 'FM');
    assert.deepEqual(refs.map((r) => [r.paradigm, r.seed]), [['dis', 4], ['gen', 4]]);
    assert.deepEqual(findModelRuns(root, 'synthetic-criteo', 'FM', 3).map((r) => r.paradigm), ['dis']);
    assert.throws(() => findModelRuns(root, 'synthetic-criteo', 'FM', 9), /--seed 9/);
    assert.throws(() => findModelRuns(root, 'synthetic-criteo', 'DCNv2'), /no runs for DCNv2/);
    const d = describeRunDir(refs[1].runDir);
    assert.deepEqual([d.dataset, d.model, d.paradigm, d.seed], ['synthetic-criteo', 'FM', 'gen', 4]);
    assert.equal(defaultOutDir(d), join(root, 'synthetic-criteo', 'FM', 'analysis'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('recording in chunks gives the same numbers as one pass, and batches differ by seed', async () => {
  const run = { engine: fakeEngine('gen', 1), fields: FAKE_FIELDS, valid: fakeSplit(900, 2) };
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, batchRows: 500, seeds: 2, skipTables: true };
  const whole = await analyzeRun(run, { ...opts, chunkRows: 10_000 });
  const chunked = await analyzeRun(run, { ...opts, chunkRows: 77 });
  assert.ok(run.engine.recordCalls.includes(77) && run.engine.recordCalls.includes(500 % 77));
  assert.deepEqual([...chunked.spectra[0].normalized], [...whole.spectra[0].normalized]);
  assert.deepEqual([...chunked.correlation.matrix], [...whole.correlation.matrix]);
  assert.equal(whole.spectra.length, 2);
  assert.equal(whole.spectra[0].rows, 500);
  assert.notDeepEqual([...whole.spectra[0].normalized], [...whole.spectra[1].normalized]);
  assert.equal(whole.fieldDim, 4);
  await assert.rejects(analyzeRun(run, { ...opts, layer: 2 }), /interaction\.left\.2/);
});

test('DIS vs GEN on a fake run pair: all files, and the constructed collapse shows up in the numbers', async () => {
  const root = fakeResults();
  try {
    const { open, engines } = fakeOpener(3000);
    const runs = findModelRuns(root, 'synthetic-criteo', 'FM');
    const outDir = defaultOutDir(runs[0]);
    const res = await runAnalysis(
      { runs, outDir, options: { ...DEFAULT_ANALYZE_OPTIONS, batchRows: 2000, seeds: 2, chunkRows: 700 } },
      open,
    );
    assert.ok(engines.length === 2 && engines.every((e) => e.disposed), 'engines released');
    const want = [
      'analysis.json', 'analysis.md', 'correlation-dis.csv', 'correlation-gen.csv', 'correlation-summary.csv',
      'correlation.png', 'correlation.svg', 'spectrum-summary.csv', 'spectrum.csv', 'spectrum.png', 'spectrum.svg',
      'table-spectra-summary.csv', 'table-spectra.csv', 'table-spectra.png', 'table-spectra.svg',
    ];
    assert.deepEqual(res.files, want);
    for (const f of want) assert.ok(existsSync(join(outDir, f)), f);
    for (const b of ['spectrum', 'correlation', 'table-spectra']) {
      checkPngMatchesSvg(join(outDir, `${b}.png`), join(outDir, `${b}.svg`));
    }

    const json = JSON.parse(readFileSync(join(outDir, 'analysis.json'), 'utf8'));
    assert.equal(json.model, 'FM');
    assert.equal(json.seed, 4);
    const [dis, gen] = json.runs;
    assert.deepEqual([dis.label, gen.label], ['DIS', 'GEN']);
    // DIS: left = right, so the correlation diagonal is 1; the raw embeddings span only F = 4 of 16 dims.
    assert.ok(Math.abs(dis.correlation.meanDiagonal - 1) < 1e-6);
    assert.equal(dis.spectra[0].summary.above1e6, 4);
    assert.ok(gen.spectra[0].summary.above1e6 > 4, `GEN keeps ${gen.spectra[0].summary.above1e6}`);
    assert.equal(dis.spectra.length, 2);
    assert.equal(dis.spectra[0].normalized.length, 16);
    // Tables: 3 categorical fields, by cardinality, each rank 1.
    assert.deepEqual(dis.tables.map((t: { field: string }) => t.field), ['C1', 'C2', 'C3']);
    assert.ok(dis.tables.every((t: { summary: { above1e6: number } }) => t.summary.above1e6 === 1));

    const md = readFileSync(join(outDir, 'analysis.md'), 'utf8');
    assert.match(md, /GEN's interacted embeddings keep 12\.0 singular values above 1e-3 \(mean over batches\) against DIS's 4\.0: less collapse than DIS/);
    assert.match(md, /\| above 1e-6 \| 4\.0 ± 0\.0 \|/);
    const corrCsv = readFileSync(join(outDir, 'correlation-dis.csv'), 'utf8').trim().split('\n');
    assert.equal(corrCsv.length, 16);
    assert.equal(corrCsv[0].split(',').length, 16);
    assert.equal(Number(corrCsv[0].split(',')[0]), 1);
    const spec = readFileSync(join(outDir, 'spectrum.csv'), 'utf8').trim().split('\n');
    assert.equal(spec.length, 1 + 2 * 2 * 16);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the analyze command (oclif) on fake runs: --dataset/--model form and --json', async () => {
  const root = fakeResults();
  const saved = Analyze.opener;
  const { open } = fakeOpener(1500);
  Analyze.opener = () => open;
  const out = join(root, 'out');
  const logs: string[] = [];
  const printed = captureStdout();
  try {
    const res = await Analyze.run(
      ['--dataset', 'synthetic-criteo', '--model', 'FM', '--results-dir', root, '--batch', '1000', '--out', out, '--no-tables', '--json'],
      PACKAGE_ROOT,
    );
    assert.ok(res.files.includes('analysis.md') && !res.files.includes('table-spectra.png'));
    assert.deepEqual(res.runs.map((r) => r.label), ['DIS', 'GEN']);
    assert.equal(res.runs[0].spectrum[0].dim, 16);
    assert.equal(JSON.parse(printed.text()).outDir, out);
    await assert.rejects(Analyze.run(['--batch', '10'], PACKAGE_ROOT), /--run|--dataset/);
    // One run alone, JS backend: a single GEN panel, numbers but no DIS/GEN comparison.
    const genDir = join(root, 'synthetic-criteo', 'FM', 'gen', 'seed-4');
    const single = await Analyze.run(['--run', genDir, '--batch', '800', '--backend', 'js', '--no-tables', '--json'], PACKAGE_ROOT);
    assert.deepEqual(single.runs.map((r) => r.label), ['GEN']);
    assert.equal(single.outDir, join(root, 'synthetic-criteo', 'FM', 'analysis'));
    assert.ok(!single.findings.some((f) => f.startsWith('Dimensional collapse')));
  } finally {
    printed.restore();
    Analyze.opener = saved;
    rmSync(root, { recursive: true, force: true });
  }
});

test('run labels: DIS/GEN, else what tells two runs apart, else a number', () => {
  const r = (paradigm: string, seed: number, model = 'FM', runDir = `/r/${model}/${paradigm}/seed-${seed}`) =>
    ({ runDir, dataset: 'd', model, paradigm, seed });
  assert.deepEqual(runLabels([r('dis', 1), r('gen', 1)]), ['DIS', 'GEN']);
  assert.deepEqual(runLabels([r('gen', 1), r('gen', 2)]), ['GEN seed 1', 'GEN seed 2']);
  assert.deepEqual(runLabels([r('dis', 1, 'FM'), r('dis', 1, 'DeepFM')]), ['FM DIS', 'DeepFM DIS']);
  assert.deepEqual(runLabels([r('gen', 1), r('gen', 1)]), ['GEN #1', 'GEN #2']);
});

test('layered models: the spectrum stacks every layer\'s left side by rows, the correlation uses layer 0; --layer k picks one', async () => {
  // A fake 2-layer model: layer 1's left side is layer 0's squared (so the stack differs from either layer alone).
  const inner = fakeEngine('gen', 3);
  const seen: Batch[] = [];
  const engine = {
    ...inner,
    async record(b: Batch): Promise<Record<string, RecordedTensor>> {
      seen.push(b);
      const r = await inner.record(b);
      const l1 = Float32Array.from(r['interaction.left'].data, (v) => v * v - 1);
      const r1 = Float32Array.from(r['interaction.right'].data, (v) => 2 * v + 1);
      return { ...r, 'interaction.left.1': { data: l1, shape: r['interaction.left'].shape }, 'interaction.right.1': { data: r1, shape: r['interaction.right'].shape } };
    },
  };
  const run = { engine, fields: FAKE_FIELDS, valid: fakeSplit(600, 4) };
  const opts = { ...DEFAULT_ANALYZE_OPTIONS, batchRows: 300, skipTables: true, chunkRows: 128, backend: 'js' as const };
  const all = await analyzeRun(run, opts);
  assert.deepEqual(all.spectrumKeys, ['interaction.left', 'interaction.left.1']);
  assert.equal(all.spectra[0].layers, 2);
  // The same numbers by hand: one record of the whole batch, the two layers stacked.
  const whole = await engine.record(seen.reduce((a, b) => ({
    size: a.size + b.size,
    cat: Int32Array.from([...a.cat, ...b.cat]),
    num: Float32Array.from([...a.num, ...b.num]),
    label: Float32Array.from([...a.label, ...b.label]),
  })));
  const n = whole['interaction.left'].shape[1];
  const l0 = whole['interaction.left'].data;
  const stacked = new Float32Array(2 * l0.length);
  stacked.set(l0, 0);
  stacked.set(whole['interaction.left.1'].data, l0.length);
  const want = await covarianceSpectrum(mat(stacked, 600, n));
  assert.deepEqual([...all.spectra[0].normalized], [...want.normalized]);
  const corr = await interactionCorrelation(mat(l0, 300, n), mat(whole['interaction.right'].data, 300, n), FAKE_FIELDS.length);
  assert.deepEqual([...all.correlation.matrix], [...corr.matrix]);
  // --layer 1: that layer alone, for both.
  const one = await analyzeRun(run, { ...opts, layer: 1 });
  assert.deepEqual(one.spectrumKeys, ['interaction.left.1']);
  const want1 = await covarianceSpectrum(mat(whole['interaction.left.1'].data, 300, n));
  assert.deepEqual([...one.spectra[0].normalized], [...want1.normalized]);
  assert.notDeepEqual([...one.spectra[0].normalized], [...all.spectra[0].normalized]);
  assert.equal(one.leftKey, 'interaction.left.1');
});
