// A finished run for the deploy tests: `reproduce` on a small synthetic Criteo-layout dataset, FM DIS, one epoch.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Reproduce from '../../src/commands/reproduce.js';
import { PACKAGE_ROOT } from '../../src/util/paths.js';

export interface RunFixture {
  root: string;
  dataDir: string;
  runDir: string;
}

export async function finishedRun(model = 'FM', paradigm = 'dis', rows = 20000): Promise<RunFixture> {
  const root = mkdtempSync(join(tmpdir(), 'ge4rec-deploy-'));
  const dataDir = join(root, 'data');
  const results = join(root, 'results');
  await Reproduce.run(
    ['--dataset', 'synthetic-criteo', '--rows', String(rows), '--model', model, '--paradigm', paradigm, '--max-epochs', '1',
      '--threads', '1', '--data-dir', dataDir, '--results-dir', results, '--json'],
    PACKAGE_ROOT,
  );
  return { root, dataDir, runDir: join(results, 'synthetic-criteo', model, paradigm, 'seed-2021') };
}
