// Where the package's own files live, independent of the current directory and of src/ vs dist/.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('ge4rec: package root not found');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const EXPERIMENTS_DIR = join(PACKAGE_ROOT, 'experiments');
export const PAPER_RESULTS_JSON = join(PACKAGE_ROOT, 'reference', 'paper-results.json');

/** URL of a sibling module for worker threads, matching how this module was loaded (.ts under tsx, .js in dist). */
export function siblingModuleUrl(metaUrl: string, baseName: string): URL {
  const ext = metaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${baseName}${ext}`, metaUrl);
}
