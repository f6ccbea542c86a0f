// The project's test command: type-check, build the CLI, then run every test file with node's test runner.
// Usage: node scripts/run-tests.mjs [substring filter on test paths]
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
run('npx', ['tsc', '-p', 'tsconfig.test.json']);
run('npx', ['tsc', '-p', 'tsconfig.json']);
const files = walk('test').filter((f) => f.includes(filter)).sort();
if (files.length === 0) { console.error(`no test files match "${filter}"`); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
