// The model catalog: one line per model. Every model list, lookup and switch in ge4rec (--model, Table 1's rows,
// experiments/<Model>.yaml, FLOPs, paper numbers) derives from it. Adding a model: a file in src/models/ exporting
// `descriptor`, its experiments/<Model>.yaml, and one line here (or registerModel() at run time).
import { UserError } from '../util/errors.js';
import type { ModelDescriptor } from './descriptor.js';
import { descriptor as fm } from './fm.js';
import { descriptor as fmfm } from './fmfm.js';
import { descriptor as crossnetv2 } from './crossnetv2.js';
import { descriptor as deepfm } from './deepfm.js';
import { descriptor as xdeepfm } from './xdeepfm.js';
import { descriptor as ipnn } from './ipnn.js';
import { descriptor as dcnv2 } from './dcnv2.js';
import { descriptor as fwfm } from './fwfm.js';

const CATALOG: ModelDescriptor[] = [fm, fmfm, crossnetv2, deepfm, xdeepfm, ipnn, dcnv2, fwfm];

/** Adds a model (tests, plug-ins). A name or alias already taken is an error. */
export function registerModel(d: ModelDescriptor): void {
  for (const n of [d.name, ...(d.aliases ?? [])])
    if (findModel(n)) throw new Error(`model name '${n}' is already registered`);
  CATALOG.push(d);
}

/** Removes a model registered with registerModel (tests). */
export function unregisterModel(name: string): void {
  const i = CATALOG.findIndex((d) => d.name === name);
  if (i >= 0) CATALOG.splice(i, 1);
}

/** Every model, catalog order. */
export function allModels(): readonly ModelDescriptor[] {
  return CATALOG;
}

export function modelNames(): string[] {
  return CATALOG.map((d) => d.name);
}

/** Table 1's models in the paper's row order. */
export function table1Models(): string[] {
  return CATALOG.filter((d) => d.table1Order !== null)
    .sort((a, b) => a.table1Order! - b.table1Order!)
    .map((d) => d.name);
}

/** A model by name or alias, case-insensitive; undefined if none. */
export function findModel(name: string): ModelDescriptor | undefined {
  const l = name.toLowerCase();
  return (
    CATALOG.find((d) => d.name === name) ??
    CATALOG.find((d) => d.name.toLowerCase() === l || (d.aliases ?? []).some((a) => a.toLowerCase() === l))
  );
}

/** A model by name or alias; a UserError listing the known ones otherwise. `what` names the flag or key. */
export function getDescriptor(name: string, what = 'model'): ModelDescriptor {
  const d = findModel(name);
  if (!d) throw new UserError(`${what}: unknown model '${name}' (expected one of ${modelNames().join(', ')})`);
  return d;
}
