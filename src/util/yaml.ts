// YAML files read the way FuxiCTR's PyYAML reads them, with errors that name the file and line.
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError } from './errors.js';

/**
 * The top-level mapping of a YAML file. `merge`: YAML 1.1 `<<` keys, as PyYAML reads them (the paper's configs build
 * every experiment id on an anchor). `missing` is the message when the file does not exist; `what` names the
 * mapping's keys in the error for a file that is not a mapping ("dataset ids", "experiment ids").
 */
export function readYamlMapping(file: string, missing: string, what: string): Record<string, unknown> {
  if (!existsSync(file)) throw new UserError(missing);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'), { merge: true });
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const line = e.linePos?.[0]?.line;
      throw new UserError(`${file}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
    }
    throw e;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${file}: expected a mapping of ${what}`);
  return doc as Record<string, unknown>;
}
