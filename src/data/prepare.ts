// `ge4rec prepare` as a library: fetch (or generate) the CSVs, verify them, encode them with FuxiCTR's semantics
// into the training cache, and write feature_map.json, feature_vocab.json and <split>.parquet.
// Each step writes a marker <dataset>/.done/<step>.json LAST, so a re-run skips finished steps and an interrupted
// step is redone. A marker names the files it vouches for (relative to the dataset folder, or absolute for the
// user's --source files); a marker whose files are gone is dropped and its step redone. --force builds the whole
// dataset in <folder>.new/ and swaps it in only when every step has finished, so a failed --force leaves the old
// dataset whole.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { writeJsonAtomic } from '../util/fs.js';
import { UserError } from '../util/errors.js';
import { checkName, inside } from '../util/safe-path.js';
import { isAlive, recoverSwap, swapDir } from '../util/swap.js';
import { extractEntries, verifyDigest } from './archive.js';
import { SPLITS, type DatasetSpec } from './datasets.js';
import { allDatasets, findDataset, isSynthetic, isUserDataset, readUserDescriptor, resolveDataset, userDescriptorJson, USER_DATASET_FILE, type DatasetDescriptor } from './catalog.js';
import { readDatasetConfig } from './dataset-config.js';
import { gatherInputs, needsGather } from './parquet-input.js';
import { downloadFile } from './download.js';
import { DatasetEncoder, type BadRowPolicy, type BadRowReport } from './encode.js';
import { writeFeatureMap, writeFeatureVocab } from './feature-map.js';
import { writeSplitParquetAsync, type ParquetCodec } from './parquet.js';
import { openSplit, type OpenSplitOptions } from './split-source.js';
import { generateSynthetic } from './synthetic.js';
import type { FieldInfo, Split, SplitSource } from './types.js';

export type ProgressFn = (phase: string, done: number, total: number) => void;

export interface PrepareOptions {
  dataset: string;
  dataDir: string;
  /** A FuxiCTR dataset_config.yaml declaring `dataset` (a dataset of yours); relative paths against `cwd`, then the YAML's folder. */
  config?: string;
  cwd?: string;
  /** A folder holding the release zip or the extracted train/valid/test CSVs. */
  source?: string;
  /** Base URL replacing the release's folder URL (the zip name is appended); also GE4REC_MIRROR. */
  mirror?: string;
  rows?: number;
  seed?: number;
  force?: boolean;
  onBadRow?: BadRowPolicy;
  /** Compression of the parquet files (default gzip). */
  parquetCodec?: ParquetCodec;
  onProgress?: ProgressFn;
  log?: (msg: string) => void;
  /** Overrides for tests: expected digests (null = do not check) and download retry timing. */
  checksums?: {
    zipSha256?: string | null;
    csvMd5?: Partial<Record<string, string>> | null;
    zipBytes?: number | null;
    /** Rows per split of the release (default: none when `checksums` is given, else the release's facts). */
    expectedRows?: Partial<Record<Split, number>> | null;
  };
  retries?: number;
  retryBaseMs?: number;
  /** Download timeouts (defaults in download.ts: 30 s to connect, 60 s without a byte). */
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

export interface StepRecord {
  step: string;
  status: 'done' | 'skipped';
  seconds: number;
}

export interface PrepareSummary {
  dataset: string;
  dir: string;
  steps: StepRecord[];
  rows: Record<Split, number>;
  badRows: Record<Split, BadRowReport>;
  fields: FieldInfo[];
  featureMap: string;
  parquet: Record<Split, string>;
  cache: string;
  seconds: number;
}

interface EncodeMarker {
  rows: Record<Split, number>;
  badRows: Record<Split, BadRowReport>;
  fields: FieldInfo[];
}

function markerPath(dir: string, step: string): string {
  return join(dir, '.done', `${step}.json`);
}

/** The files a step's marker vouches for: `files` (relative to the dataset folder, or absolute) must all exist. */
interface Vouched {
  files?: string[];
}

/** A step's result, or null when it has not finished or the files its marker vouches for are gone. */
function readMarker<T>(dir: string, step: string): T | null {
  const p = markerPath(dir, step);
  if (!existsSync(p)) return null;
  let m: T & Vouched;
  try {
    m = JSON.parse(readFileSync(p, 'utf8')) as T & Vouched;
  } catch {
    return null;
  }
  if (m && Array.isArray(m.files) && !m.files.every((f) => existsSync(resolve(dir, f)))) {
    rmSync(p, { force: true });
    return null;
  }
  return m;
}

/** A path inside the dataset folder as the marker records it (relative, so the folder can be renamed). */
const relTo = (dir: string, path: string) => (path.startsWith(dir + sep) ? relative(dir, path) : path);

/** Deletes `.tmp-<pid>-…` files and folders left by a prepare process that no longer runs (killed mid-step). */
function removeStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

export function datasetDirFor(dataset: string, dataDir: string, rows?: number, seed?: number): string {
  return join(resolve(dataDir), checkName(resolveDataset(dataset, dataDir).spec(rows, seed).folder, `folder of dataset ${dataset}`));
}

export async function prepareDataset(opts: PrepareOptions): Promise<PrepareSummary> {
  const t0 = Date.now();
  let desc: DatasetDescriptor;
  if (opts.config) {
    const builtIn = findDataset(opts.dataset) ?? allDatasets().find((d) => !d.synthetic && d.spec().folder === opts.dataset);
    if (builtIn && !isUserDataset(builtIn))
      throw new UserError(`--dataset ${opts.dataset} is the built-in ${builtIn.name} (or its folder); give the dataset of your --config another id (FuxiCTR's dataset_id)`);
    if (opts.source) throw new UserError('--source is for the built-in releases; a --config dataset names its files in train_data/valid_data/test_data');
    // every key and path is checked before anything is written
    desc = readDatasetConfig(opts.config, opts.dataset, opts.cwd);
  } else {
    desc = resolveDataset(opts.dataset, opts.dataDir);
  }
  const spec = desc.spec(opts.rows, opts.seed);
  const finalDir = inside(opts.dataDir, join(resolve(opts.dataDir), checkName(spec.folder, 'dataset folder')), '--data-dir');
  recoverSwap(finalDir);
  const existed = existsSync(finalDir);
  try {
    return await prepareInto(desc, spec, finalDir, opts, t0);
  } catch (e) {
    // a dataset of yours that failed on its first prepare leaves no folder behind (nothing half-written)
    if (!existed && desc.files) rmSync(finalDir, { recursive: true, force: true });
    throw e;
  }
}

async function prepareInto(desc: DatasetDescriptor, spec: DatasetSpec, finalDir: string, opts: PrepareOptions, t0: number): Promise<PrepareSummary> {
  // a changed declaration (another YAML, other files or fields) makes every step of a dataset of yours stale
  if (desc.files && !opts.force) {
    const prev = readUserDescriptor(finalDir);
    if (prev && JSON.stringify(prev) !== JSON.stringify(userDescriptorJson(desc))) rmSync(join(finalDir, '.done'), { recursive: true, force: true });
  }
  // --force: everything is rebuilt beside the old dataset and swapped in at the end.
  const dir = opts.force ? `${finalDir}.new` : finalDir;
  if (opts.force) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // a downloaded release zip is kept (hard-linked, no copy) and verified again instead of fetched again
    const zipName = spec.download?.zipName;
    if (zipName && existsSync(join(finalDir, zipName))) linkSync(join(finalDir, zipName), join(dir, zipName));
  }
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  removeStaleTemps(join(dir, 'cache'));
  const steps: StepRecord[] = [];
  const progress = opts.onProgress ?? (() => {});
  const log = opts.log ?? (() => {});

  async function step<T>(name: string, run: () => Promise<T> | T): Promise<T> {
    const prev = readMarker<T>(dir, name);
    if (prev !== null) {
      steps.push({ step: name, status: 'skipped', seconds: 0 });
      return prev;
    }
    const s = Date.now();
    log(`${spec.name}: ${name}...`);
    const result = (await run()) ?? ({} as T);
    writeJsonAtomic(markerPath(dir, name), result);
    steps.push({ step: name, status: 'done', seconds: (Date.now() - s) / 1000 });
    return result;
  }

  // 1. the CSVs
  let csv: Record<Split, string>;
  if (desc.synthetic) {
    const kind = desc.synthetic;
    csv = await step('generate', () => {
      const r = generateSynthetic(kind, opts.rows ?? 200_000, opts.seed ?? 0, dir, (d, t) => progress('generate', d, t));
      log(`${spec.name}: click rate ${r.clickRate.toFixed(3)}, hidden-model AUC on valid ${r.oracleValidAuc.toFixed(4)}`);
      const files = SPLITS.map((sp) => relTo(dir, r.files[sp]));
      return { ...(Object.fromEntries(SPLITS.map((sp, i) => [sp, files[i]])) as Record<Split, string>), files };
    });
    for (const sp of SPLITS) csv[sp] = resolve(dir, csv[sp]);
  } else if (desc.files) {
    const files = desc.files;
    if (needsGather(files, desc.format ?? 'csv')) {
      const conv = await step('convert', async () => {
        const out = await gatherInputs(files, desc.format ?? 'csv', dir, spec, (d, t) => progress('convert', d, t));
        const rel = SPLITS.map((sp) => relTo(dir, out[sp]));
        return { ...(Object.fromEntries(SPLITS.map((sp, i) => [sp, rel[i]])) as Record<Split, string>), files: rel };
      });
      csv = {} as Record<Split, string>;
      for (const sp of SPLITS) csv[sp] = resolve(dir, conv[sp]);
    } else csv = files;
  } else {
    csv = await realCsvs(spec, dir, opts, step, progress);
  }
  for (const s of SPLITS) if (!existsSync(csv[s])) throw new UserError(`${csv[s]} is missing`, 'run prepare again with --force');

  // 2. encode all splits (the vocabulary fitted on train is needed by valid/test, so this is one step), and
  // 3. parquet per split, each on a worker thread started as soon as its split is encoded (overlapping the rest)
  const parquet = {} as Record<Split, string>;
  for (const s of SPLITS) parquet[s] = join(dir, `${s}.parquet`);
  const pqDone = {} as Record<Split, number>;
  const pqTotal = {} as Record<Split, number>;
  const pending: Promise<void>[] = [];
  const startParquet = (s: Split): void => {
    const name = `parquet-${s}`;
    if (readMarker(dir, name) !== null) {
      steps.push({ step: name, status: 'skipped', seconds: 0 });
      return;
    }
    const t = Date.now();
    const p = writeSplitParquetAsync(dir, s, parquet[s], (d, tot) => {
      pqDone[s] = d;
      pqTotal[s] = tot;
      const sum = (r: Record<Split, number>) => SPLITS.reduce((a, k) => a + (r[k] ?? 0), 0);
      progress('parquet', sum(pqDone), sum(pqTotal));
    }, opts.parquetCodec).then(() => {
      writeJsonAtomic(markerPath(dir, name), { path: relTo(dir, parquet[s]), files: [relTo(dir, parquet[s])] });
      steps.push({ step: name, status: 'done', seconds: (Date.now() - t) / 1000 });
    });
    p.catch(() => undefined); // awaited below; avoid an unhandled rejection while encoding continues
    pending.push(p);
  };
  let started = false;
  // The release facts (rows per split) hold for the release files; tests that override the checksums use fixtures.
  const expectedRows = opts.checksums ? opts.checksums.expectedRows ?? undefined : spec.expectedRows;
  const enc = await step<EncodeMarker>('encode', () => {
    // a re-encode invalidates parquet files written from an older cache
    for (const s of SPLITS) rmSync(markerPath(dir, `parquet-${s}`), { force: true });
    started = true;
    const encoder = new DatasetEncoder(spec, dir, opts.onBadRow ?? 'fail');
    const rows = {} as Record<Split, number>;
    const badRows = {} as Record<Split, BadRowReport>;
    for (const s of SPLITS) {
      const r = encoder.encodeSplit(s, csv[s], (p) => progress(`encode ${s}`, p.bytes, p.totalBytes));
      checkSplitRows(s, csv[s], r.rows, r.bad.count, expectedRows?.[s]);
      rows[s] = r.rows;
      badRows[s] = r.bad;
      if (r.bad.count) log(`${spec.name}: ${r.bad.count} malformed row(s) skipped in ${csv[s]}, e.g. ${r.bad.examples[0]}`);
      startParquet(s);
    }
    const fields = encoder.fields();
    writeFeatureVocab(dir, spec, encoder.vocabs!);
    writeFeatureMap(dir, spec, fields);
    if (desc.files) writeJsonAtomic(join(dir, USER_DATASET_FILE), userDescriptorJson(desc));
    return { rows, badRows, fields, files: ['feature_map.json', 'feature_vocab.json', ...SPLITS.map((sp) => join('cache', sp, 'meta.json'))] };
  });
  if (!started) for (const s of SPLITS) startParquet(s);
  await Promise.all(pending);
  if (opts.force) swapDir(dir, finalDir);

  return {
    dataset: opts.dataset,
    dir: finalDir,
    steps,
    rows: enc.rows,
    badRows: enc.badRows,
    fields: enc.fields,
    featureMap: join(finalDir, 'feature_map.json'),
    parquet: Object.fromEntries(SPLITS.map((sp) => [sp, join(finalDir, `${sp}.parquet`)])) as Record<Split, string>,
    cache: join(finalDir, 'cache'),
    seconds: (Date.now() - t0) / 1000,
  };
}

/** An empty split is an error; so is a release split whose row count is not the release's. */
function checkSplitRows(split: Split, file: string, rows: number, bad: number, expected: number | undefined): void {
  if (rows === 0) {
    throw new UserError(
      `${file}: the ${split} split has no rows${bad ? ` (${bad} malformed row(s) skipped)` : ''}`,
      'every split needs rows: check the file (a header-only CSV?)',
    );
  }
  if (expected !== undefined && rows + bad !== expected) {
    throw new UserError(
      `${file}: the ${split} split has ${rows + bad} rows, but the release's ${split} split has ${expected}`,
      'the file is not the release (truncated or edited?): use the release files, or prepare it as your own dataset',
    );
  }
}

type StepFn = <T>(name: string, run: () => Promise<T> | T) => Promise<T>;

async function realCsvs(spec: DatasetSpec, dir: string, opts: PrepareOptions, step: StepFn, progress: ProgressFn): Promise<Record<Split, string>> {
  const dl = spec.download!;
  const names = SPLITS.map((s) => `${s}.csv`);
  const zipSha = opts.checksums?.zipSha256 === undefined ? dl.zipSha256 : opts.checksums.zipSha256 ?? undefined;
  const zipBytes = opts.checksums?.zipBytes === undefined ? dl.zipBytes : opts.checksums.zipBytes ?? undefined;
  const csvMd5 = opts.checksums?.csvMd5 === undefined ? dl.csvMd5 : opts.checksums.csvMd5 ?? undefined;
  const source = opts.source ? resolve(opts.source) : undefined;
  const sourceHasCsvs = source !== undefined && names.every((n) => existsSync(join(source, n)));

  let csvDir = dir;
  if (sourceHasCsvs) {
    csvDir = source!;
  } else {
    const zipPath = join(dir, dl.zipName);
    const downloaded = await step('download', async () => {
      if (source) {
        const src = join(source, dl.zipName);
        if (!existsSync(src)) {
          throw new UserError(`--source ${source} has neither ${dl.zipName} nor ${names.join(', ')}`);
        }
        if (zipSha) await verifyDigest(src, 'sha256', zipSha, { owner: 'source', onProgress: (b) => progress('sha256', b, zipBytes ?? b) });
        return { zip: src, files: [src] };
      }
      if (existsSync(zipPath) && zipSha) {
        // a finished zip from an earlier run (e.g. with --force): verify instead of fetching again
        await verifyDigest(zipPath, 'sha256', zipSha, { removeOnMismatch: true });
        return { zip: dl.zipName, files: [dl.zipName] };
      }
      const base = (opts.mirror ?? process.env.GE4REC_MIRROR)?.replace(/\/+$/, '');
      const url = base ? `${base}/${dl.zipName}` : dl.url;
      await downloadFile(url, zipPath, {
        expectedBytes: zipBytes,
        retries: opts.retries,
        baseDelayMs: opts.retryBaseMs,
        connectTimeoutMs: opts.connectTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs,
        expectZip: true,
        onProgress: (b, t) => progress('download', b, t),
        log: opts.log,
      });
      if (zipSha) await verifyDigest(zipPath, 'sha256', zipSha, { removeOnMismatch: true, onProgress: (b) => progress('sha256', b, zipBytes ?? b) });
      return { zip: dl.zipName, files: [dl.zipName] };
    });
    const zip = resolve(dir, downloaded.zip);
    await step('extract', async () => {
      await extractEntries(zip, names, dir, (b, t) => progress('extract', b, t), zip === zipPath ? 'download' : 'source');
      return { dir: '.', files: names };
    });
  }
  if (csvMd5) {
    await step('verify', async () => {
      for (const n of names) {
        const expected = csvMd5[n];
        if (!expected) continue;
        // extracted copies that fail are deleted (the extract marker then no longer holds, so the next run extracts
        // again); --source files are left alone
        await verifyDigest(join(csvDir, n), 'md5', expected, { removeOnMismatch: csvDir === dir, owner: csvDir === dir ? 'download' : 'source', onProgress: (b) => progress(`md5 ${n}`, b, 0) });
      }
      return { verified: names, files: names.map((n) => join(csvDir, n)) };
    });
  }
  return { train: join(csvDir, 'train.csv'), valid: join(csvDir, 'valid.csv'), test: join(csvDir, 'test.csv') };
}

export interface EnsureOptions {
  dataDir: string;
  rows?: number;
  seed?: number;
  onProgress?: ProgressFn;
  split?: OpenSplitOptions;
}

/**
 * The prepared dataset with a SplitSource per split. Synthetic datasets are prepared on demand; a real dataset
 * that has not been prepared is a UserError naming the command to run.
 */
export async function ensureDataset(
  name: string,
  opts: EnsureOptions,
): Promise<{ dir: string; fields: FieldInfo[]; splits: Record<Split, SplitSource> }> {
  const dir = datasetDirFor(name, opts.dataDir, opts.rows, opts.seed);
  if (isSynthetic(name)) {
    await prepareDataset({ dataset: name, dataDir: opts.dataDir, rows: opts.rows, seed: opts.seed, onProgress: opts.onProgress });
  }
  // the marker holds only while the files it vouches for (feature map, vocabulary, caches) are there
  const enc = readMarker<EncodeMarker>(dir, 'encode');
  if (!enc) {
    throw new UserError(
      `Dataset ${name} is not prepared in ${dir}.`,
      `Run: ge4rec prepare --dataset ${name} --data-dir ${opts.dataDir}   (add --source DIR if you already have the zip or CSVs)`,
    );
  }
  const splits = {} as Record<Split, SplitSource>;
  for (const s of SPLITS) splits[s] = openSplit(dir, s, opts.split);
  return { dir, fields: enc.fields, splits };
}
