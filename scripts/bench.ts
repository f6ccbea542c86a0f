// `npm run bench [-- engine|prepare|prepare-user|models|analysis|predict|serve ...]`: runs the benchmark scripts one after another and prints
// their figures. Speed and memory goals live here, never in the tests. Each runs in its own process so its peak RSS
// is its own. `npm run bench -- models` is `ge4rec bench` (every model × paradigm at the paper's settings).
import { spawnSync } from 'node:child_process';

const suites: Record<string, string[]> = {
  engine: ['--import', 'tsx', 'test/bench/engine.bench.ts'],
  prepare: ['--import', 'tsx', 'test/bench/prepare.bench.ts'],
  'prepare-user': ['--import', 'tsx', 'test/bench/prepare-user.bench.ts'],
  models: ['--import', 'tsx', 'bin/dev.js', 'bench', '--steps', '3'],
  analysis: ['--import', 'tsx', 'test/analysis/analysis.bench.ts'],
  predict: ['--import', 'tsx', 'test/bench/predict.bench.ts'],
  serve: ['--import', 'tsx', 'test/bench/serve.bench.ts'],
};
const picked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = picked.length ? picked : ['engine', 'prepare', 'models'];
let failed = 0;
for (const name of names) {
  const args = suites[name];
  if (!args) {
    console.error(`unknown benchmark '${name}'; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
