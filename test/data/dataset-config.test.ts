// prepare --config dataset_config.yaml --dataset ID: FuxiCTR's FeatureProcessor semantics checked against an
// independent count written here (vocabulary from train only, (−count, token) order, PAD 0 / OOV N+1, fill_na,
// per-feature min_categr_count), csv and parquet inputs giving the same rows, and bad configs failing cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { prepareDataset } from '../../src/data/prepare.js';
import { openSplit } from '../../src/data/split-source.js';
import { unregisterDataset } from '../../src/data/catalog.js';
import type { Batch, SplitSource } from '../../src/data/types.js';
import { tempDir } from './helpers.js';

const HEADER = ['click', 'ad', 'user', 'price', 'age', 'country', 'dropme'];
type Row = [string, string, string, string, string, string, string];

/** Deterministic rows: hex ad ids (some empty), integer users, prices with gaps, ages, countries with 'unk' and gaps. */
function makeRows(n: number, seed: number): Row[] {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  return Array.from({ length: n }, (): Row => {
    const ad = r() < 0.1 ? '' : (0x1f3a + Math.floor(r() ** 2 * 12)).toString(16);
    const user = r() < 0.05 ? '' : String(Math.floor(r() ** 3 * 20));
    const price = r() < 0.2 ? '' : (r() * 10).toFixed(2);
    const age = r() < 0.1 ? '' : String(18 + Math.floor(r() * 50));
    const country = ['de', 'fr', 'it', 'unk', '', 'es'][Math.floor(r() * 6)];
    return [r() < 0.3 ? '1' : '0', ad, user, price, age, country, 'x'];
  });
}

const YAML = (dir: string, format: string, ext: string) => `
my_clicks:
  data_root: ../data/
  data_format: ${format}
  train_data: ${dir}/train.${ext}
  valid_data: ${dir}/valid.${ext}
  test_data: ${dir}/test.${ext}
  min_categr_count: 1
  feature_cols:
    - {name: ad, active: True, dtype: str, type: categorical}
    - {name: user, active: True, dtype: int, type: categorical, min_categr_count: 2}
    - {name: [price], active: True, dtype: float, type: numeric, fill_na: 1.5}
    - {name: age, active: True, dtype: int, type: numeric}
    - {name: country, active: True, dtype: str, type: categorical, fill_na: unk}
    - {name: dropme, active: False, dtype: str, type: categorical}
  label_col: {name: click, dtype: float}
`;

/** The independent FuxiCTR Tokenizer: counts on train, (−count, token) order, min count, na_value excluded. */
function vocab(tokens: (string | number)[], min: number, na: string | number | null): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const m = new Map<string | number, number>();
  for (const [t, c] of sorted) if (c >= min && t !== na) m.set(t, m.size + 1);
  return m;
}

async function allRows(src: SplitSource): Promise<Batch> {
  const parts: Batch[] = [];
  for await (const b of src.batches({ batchSize: 100_000, shuffle: false, seed: 0, epoch: 0 })) parts.push(b);
  return parts[0];
}

function writeInputs(dir: string, splits: Record<string, Row[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [s, rows] of Object.entries(splits)) {
    writeFileSync(join(dir, `${s}.csv`), [HEADER.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
    // parquet with typed columns, missing values as nulls
    const col = (i: number, conv: (v: string) => unknown, type: string) => ({ name: HEADER[i], data: rows.map((r) => (r[i] === '' ? null : conv(r[i]))), type });
    const buf = parquetWriteBuffer({
      columnData: [
        col(0, Number, 'DOUBLE'), col(1, String, 'STRING'), col(2, Number, 'INT32'), col(3, Number, 'DOUBLE'), col(4, Number, 'INT32'), col(5, String, 'STRING'), col(6, String, 'STRING'),
      ] as never,
    });
    writeFileSync(join(dir, `${s}.parquet`), Buffer.from(buf));
  }
}

test('dataset_config.yaml: vocabularies and encoded rows equal an independent count, csv and parquet alike', { timeout: 120_000 }, async () => {
  const t = tempDir('dscfg');
  const rows = { train: makeRows(3000, 1), valid: makeRows(500, 2), test: makeRows(500, 3) };
  writeInputs(join(t.dir, 'in'), rows);
  try {
    const tr = rows.train;
    const vAd = vocab(tr.map((r) => r[1]), 1, '');
    const vUser = vocab(tr.map((r) => (r[2] === '' ? 0 : Number(r[2]))), 2, null);
    const vCountry = vocab(tr.map((r) => (r[5] === '' ? 'unk' : r[5])), 1, 'unk');
    const encoded: Record<string, Batch> = {};
    for (const [format, ext] of [['csv', 'csv'], ['parquet', 'parquet']]) {
      const yaml = join(t.dir, `${format}.yaml`);
      writeFileSync(yaml, YAML(join(t.dir, 'in'), format, ext));
      const dataDir = join(t.dir, `data-${format}`);
      const sum = await prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir });
      unregisterDataset('my_clicks');
      assert.deepEqual(sum.fields.map((f) => [f.name, f.type, f.vocabSize ?? null]), [
        ['ad', 'categorical', vAd.size + 2],
        ['user', 'categorical', vUser.size + 2],
        ['price', 'numeric', null],
        ['age', 'numeric', null],
        ['country', 'categorical', vCountry.size + 2],
      ]);
      const dir = join(dataDir, 'my_clicks');
      for (const s of ['train', 'test'] as const) {
        const b = await allRows(openSplit(dir, s));
        const src = rows[s];
        assert.equal(b.size, src.length);
        src.forEach((r, i) => {
          assert.equal(b.label[i], Number(r[0]));
          const oov = (v: Map<string | number, number>) => v.size + 1;
          assert.equal(b.cat[i * 3], vAd.get(r[1]) ?? oov(vAd), `${format} ${s} row ${i} ad ${r[1]}`);
          assert.equal(b.cat[i * 3 + 1], vUser.get(r[2] === '' ? 0 : Number(r[2])) ?? oov(vUser), `${format} ${s} row ${i} user`);
          assert.equal(b.cat[i * 3 + 2], vCountry.get(r[5] === '' ? 'unk' : r[5]) ?? oov(vCountry), `${format} ${s} row ${i} country`);
          assert.equal(b.num[i * 2], Math.fround(r[3] === '' ? 1.5 : Number(r[3])));
          assert.equal(b.num[i * 2 + 1], r[4] === '' ? 0 : Number(r[4]));
        });
        encoded[`${format}/${s}`] = b;
      }
      const fv = JSON.parse(readFileSync(join(dir, 'feature_vocab.json'), 'utf8'));
      assert.equal(fv.user['__OOV__'], vUser.size + 1);
      assert.equal(Object.keys(fv.user).filter((k) => !k.startsWith('__')).every((k) => /^\d+$/.test(k)), true, 'int tokens print as integers');
      assert.ok(existsSync(join(dir, 'dataset.json')));
    }
    for (const s of ['train', 'test']) assert.deepEqual(encoded[`parquet/${s}`], encoded[`csv/${s}`], `${s}: parquet and csv inputs encode alike`);

    // a folder as train_data (FuxiCTR: its *.csv files in name order) gives the same rows as the one file
    const folder = join(t.dir, 'train-parts');
    mkdirSync(folder);
    const lines = readFileSync(join(t.dir, 'in', 'train.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(folder, 'part-1.csv'), [lines[0], ...lines.slice(1, 1201)].join('\n') + '\n');
    writeFileSync(join(folder, 'part-2.csv'), [lines[0], ...lines.slice(1201)].join('\n')); // no final newline
    writeFileSync(join(folder, 'notes.txt'), 'not data');
    const yaml = join(t.dir, 'folder.yaml');
    writeFileSync(yaml, YAML(join(t.dir, 'in'), 'csv', 'csv').replace(`${join(t.dir, 'in')}/train.csv`, folder));
    const fdir = (await prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir: join(t.dir, 'data-folder') })).dir;
    unregisterDataset('my_clicks');
    assert.deepEqual(await allRows(openSplit(fdir, 'train')), encoded['csv/train']);
    writeFileSync(join(folder, 'part-3.csv'), 'click,ad\n1,x\n');
    await assert.rejects(prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir: join(t.dir, 'data-folder2') }), /part-3\.csv:1: header "click,ad" differs from the folder's first file/);
  } finally {
    unregisterDataset('my_clicks');
    t.cleanup();
  }
});

test('bad dataset configs: a clear error naming key and file, and no half-written dataset', async () => {
  const t = tempDir('dsbad');
  const rows = { train: makeRows(50, 1), valid: makeRows(20, 2), test: makeRows(20, 3) };
  writeInputs(join(t.dir, 'in'), rows);
  writeFileSync(join(t.dir, 'in', 'empty.csv'), HEADER.join(',') + '\n');
  const good = YAML(join(t.dir, 'in'), 'csv', 'csv');
  try {
    const cases: [string, string, RegExp][] = [
      ['missing label', good.replace('  label_col: {name: click, dtype: float}\n', ''), /dataset 'my_clicks', key 'label_col' is missing/],
      ['column not in the CSV', good.replace('{name: age,', '{name: agee,'), /train\.csv:1: column "agee" missing from the header/],
      ['unknown type', good.replace('dtype: int, type: numeric}', 'dtype: int, type: numerical}'), /feature_cols\[3\], key 'type': 'numerical' is not supported/],
      ['sequence feature', good.replace('dtype: int, type: numeric}', 'dtype: str, type: sequence, splitter: ^}'), /feature_cols\[3\], key 'splitter': sequence features are not supported/],
      ['empty train split', good.replace(`${join(t.dir, 'in')}/train.csv`, `${join(t.dir, 'in')}/empty.csv`), /empty\.csv: the train split has no rows/],
      ['unknown dataset key', good.replace('  min_categr_count: 1\n', '  min_categr_cont: 1\n'), /key 'min_categr_cont': unknown or unsupported key/],
      ['missing file', good.replace(`${join(t.dir, 'in')}/valid.csv`, 'nowhere/valid.csv'), /valid_data 'nowhere\/valid\.csv' not found: looked in .*nowhere\/valid\.csv \(working directory\) and .*nowhere\/valid\.csv \(beside the YAML\)/],
    ];
    for (const [what, text, re] of cases) {
      const yaml = join(t.dir, 'bad.yaml');
      writeFileSync(yaml, text);
      const dataDir = join(t.dir, 'data');
      await assert.rejects(prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir }), (e: Error) => {
        assert.match(e.message, re, what);
        return true;
      });
      unregisterDataset('my_clicks');
      assert.ok(!existsSync(join(dataDir, 'my_clicks')), `${what}: no dataset folder left`);
    }
    // a release's id or folder name cannot be declared again (it would share the release's data folder)
    const yaml = join(t.dir, 'release.yaml');
    writeFileSync(yaml, good.replace('my_clicks:', 'criteo_x1_7b681156:'));
    await assert.rejects(prepareDataset({ dataset: 'criteo_x1_7b681156', config: yaml, dataDir: join(t.dir, 'data') }), /--dataset criteo_x1_7b681156 is the built-in criteo_x1/);
  } finally {
    unregisterDataset('my_clicks');
    t.cleanup();
  }
});

test('relative data paths: the working directory first, then the YAML folder', async () => {
  const t = tempDir('dsrel');
  const rows = { train: makeRows(60, 1), valid: makeRows(20, 2), test: makeRows(20, 3) };
  writeInputs(join(t.dir, 'cfg', 'in'), rows);
  try {
    const yaml = join(t.dir, 'cfg', 'dataset_config.yaml');
    writeFileSync(yaml, YAML('in', 'csv', 'csv'));
    // cwd has no in/: found beside the YAML
    const sum = await prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir: join(t.dir, 'data'), cwd: t.dir });
    assert.equal(sum.rows.train, 60);
  } finally {
    unregisterDataset('my_clicks');
    t.cleanup();
  }
});

test('reproduce on a prepared dataset of yours: found by id in --data-dir, --hparams picks the release, no paper columns', { timeout: 120_000 }, async () => {
  const { default: Reproduce } = await import('../../src/commands/reproduce.js');
  const { PACKAGE_ROOT } = await import('../../src/util/paths.js');
  const t = tempDir('dsrepro');
  writeInputs(join(t.dir, 'in'), { train: makeRows(2000, 1), valid: makeRows(400, 2), test: makeRows(400, 3) });
  try {
    const yaml = join(t.dir, 'dataset_config.yaml');
    writeFileSync(yaml, YAML(join(t.dir, 'in'), 'csv', 'csv'));
    const dataDir = join(t.dir, 'data');
    await prepareDataset({ dataset: 'my_clicks', config: yaml, dataDir });
    unregisterDataset('my_clicks'); // a later command knows it only from the data folder
    const results = join(t.dir, 'results');
    const args = ['--dataset', 'my_clicks', '--model', 'FM', '--paradigm', 'dis', '--max-epochs', '1', '--data-dir', dataDir, '--results-dir', results, '--json'];
    const out = (await Reproduce.run([...args, '--hparams', 'avazu_x4'], PACKAGE_ROOT)) as { table1: { model: string; paper_auc: number | null }[] };
    assert.deepEqual(out.table1.map((r) => [r.model, r.paper_auc]), [['FM', null]]);
    const cfg = JSON.parse(readFileSync(join(results, 'my_clicks', 'FM', 'dis', 'seed-2019', 'config.json'), 'utf8'));
    assert.equal(cfg.experiment.expid, 'FM_avazu_x4_dis');
    assert.equal(cfg.experiment.embeddingDim, 16);
    assert.doesNotMatch(readFileSync(join(results, 'my_clicks', 'table1.md'), 'utf8'), /Paper/);
    // the finished run scores new rows of the same layout, its dataset known only from the data folder
    unregisterDataset('my_clicks');
    const { default: Predict } = await import('../../src/commands/predict.js');
    const scored = (await Predict.run(['--run', join(results, 'my_clicks', 'FM', 'dis', 'seed-2019'), '--input', join(t.dir, 'in', 'valid.csv'), '--output', join(t.dir, 'scores.csv'), '--json'], PACKAGE_ROOT)) as { rows: number };
    assert.equal(scored.rows, 400);
    await assert.rejects(Reproduce.run(['--dataset', 'synthetic-criteo', '--model', 'FM', '--hparams', 'avazu_x4', '--data-dir', dataDir, '--results-dir', results], PACKAGE_ROOT), /--hparams avazu_x4: synthetic-criteo trains with its own/);
  } finally {
    unregisterDataset('my_clicks');
    t.cleanup();
  }
});

test('--source with CSVs that are not the release: the checksum error says so and leaves the files alone', async () => {
  const { CRITEO_HEADER, criteoRow, writeCsvs } = await import('./helpers.js');
  const t = tempDir('dssrc');
  try {
    const lines = [CRITEO_HEADER, criteoRow(1), criteoRow(0, { C1: 'a9f3' })];
    writeCsvs(join(t.dir, 'mine'), { 'train.csv': lines, 'valid.csv': lines, 'test.csv': lines });
    await assert.rejects(prepareDataset({ dataset: 'criteo_x1', dataDir: join(t.dir, 'data'), source: join(t.dir, 'mine') }), (e: Error & { hint?: string }) => {
      assert.match(e.message, /Checksum mismatch for .*mine\/train\.csv/);
      assert.match(e.hint ?? '', /is not the release file.* ge4rec prepare --config dataset_config\.yaml/);
      assert.doesNotMatch(e.hint ?? '', /anew/);
      return true;
    });
    assert.ok(existsSync(join(t.dir, 'mine', 'train.csv')));
  } finally {
    t.cleanup();
  }
});
