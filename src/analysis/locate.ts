// Finding runs on disk. Layout (src/train): results/<dataset>/<model>/<paradigm>/seed-<s>/ with model.onnx and metrics.json.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';

export interface RunRef {
  runDir: string;
  dataset: string;
  model: string;
  paradigm: string;
  seed: number | null;
}

/** Reads dataset/model/paradigm/seed from a run directory's path. */
export function describeRunDir(runDir: string): RunRef {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--run: no such run directory: ${runDir}`);
  const seedPart = basename(dir);
  const m = /^seed-(\d+)$/.exec(seedPart);
  const paradigmDir = m ? dirname(dir) : dir;
  const modelDir = dirname(paradigmDir);
  return {
    runDir: dir,
    seed: m ? Number(m[1]) : null,
    paradigm: basename(paradigmDir),
    model: basename(modelDir),
    dataset: basename(dirname(modelDir)),
  };
}

/** results/<dataset>/<model>/analysis for a run laid out as above. */
export function defaultOutDir(ref: RunRef): string {
  const paradigmDir = ref.seed === null ? ref.runDir : dirname(ref.runDir);
  return join(dirname(paradigmDir), 'analysis');
}

/** Display label of a paradigm directory ("dis" -> "DIS"). */
export function paradigmLabel(paradigm: string): string {
  return paradigm.toUpperCase();
}

function isFinishedRun(dir: string): boolean {
  return existsSync(join(dir, 'best')) || existsSync(join(dir, 'metrics.json'));
}

function seedsOf(paradigmDir: string): number[] {
  if (!existsSync(paradigmDir)) return [];
  return readdirSync(paradigmDir)
    .map((n) => /^seed-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && isFinishedRun(join(paradigmDir, m[0])))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/**
 * The DIS and GEN runs of one dataset/model: for the given seed, or else the smallest seed that has both
 * (falling back to the smallest seed of whichever paradigm exists).
 */
export function findModelRuns(resultsDir: string, dataset: string, model: string, seed?: number): RunRef[] {
  const modelDir = join(resolve(resultsDir), dataset, model);
  if (!existsSync(modelDir)) {
    throw new UserError(`no runs for ${model} on ${dataset}: ${modelDir} does not exist`, `run \`ge4rec reproduce --dataset ${dataset} --model ${model} --paradigm both\` first`);
  }
  const dis = seedsOf(join(modelDir, 'dis'));
  const gen = seedsOf(join(modelDir, 'gen'));
  let chosen: number | undefined = seed;
  if (chosen === undefined) chosen = dis.find((s) => gen.includes(s)) ?? Math.min(...dis, ...gen);
  if (chosen === undefined || !Number.isFinite(chosen)) {
    throw new UserError(`no finished runs (with best/ or metrics.json) under ${modelDir}/{dis,gen}/seed-*`);
  }
  const refs: RunRef[] = [];
  for (const [paradigm, seeds] of [['dis', dis], ['gen', gen]] as const) {
    if (seeds.includes(chosen)) {
      refs.push({ runDir: join(modelDir, paradigm, `seed-${chosen}`), dataset, model, paradigm, seed: chosen });
    }
  }
  if (refs.length === 0) {
    throw new UserError(`--seed ${chosen}: no finished run of ${model} on ${dataset} with that seed (DIS seeds: ${dis.join(', ') || 'none'}; GEN seeds: ${gen.join(', ') || 'none'})`);
  }
  return refs;
}
