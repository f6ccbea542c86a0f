// Paths built from input (config values, flags, dataset specs) must never leave their folder. Every name that
// becomes one path component goes through `checkName`, and every output path is resolved and checked against its
// root with `inside` before anything is created, written or deleted there.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';

/** Letters, digits, '.', '_', '-', '+'; not starting with '.' or '-'; at most 128 characters. */
const NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,127}$/;

/**
 * `value` as one path component, or a UserError naming `what` (the key, flag or field it came from). Separators,
 * '..', a leading dot or dash, control characters and empty names are refused.
 */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new UserError(
      `${what}: ${JSON.stringify(value)} cannot be used as a folder or file name ` +
        "(letters, digits, '.', '_', '-' and '+' only, not starting with '.' or '-', at most 128 characters)",
    );
  }
  return value;
}

/**
 * `path` resolved, after checking that it is `root` itself or lies under it; else a UserError naming both. Both are
 * absolute or relative to the working directory (a path built as join(root, ...) stays right when root is relative).
 */
export function inside(root: string, path: string, what = 'path'): string {
  const r = resolve(root);
  const p = resolve(path);
  const rel = relative(r, p);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return p;
  throw new UserError(`${what}: ${p} lies outside ${r}; refusing to write there`);
}

/**
 * Checks that folder `dir` exists or can be created, and creates it. Node's recursive mkdir loops forever under
 * /proc and reports ENOTDIR without the path, so the nearest existing ancestor is checked first: it must be a
 * writable folder outside /proc and /sys. `flag` names the flag or key the folder came from.
 */
export function ensureOutputDir(dir: string, flag: string): string {
  const abs = resolve(dir);
  if (/^\/(proc|sys)(\/|$)/.test(abs)) throw new UserError(`${flag} ${abs}: cannot create a folder under /proc or /sys`);
  let at = abs;
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory()) {
    throw new UserError(`${flag} ${abs}: ${at} is a file, not a folder`);
  }
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new UserError(`${flag} ${abs}: cannot create this folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}
