#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (`npm run build` makes them: `npm ci` runs no scripts, .npmrc).
// With `--device cuda` it first makes sure the loader will find the CUDA libraries (src/cuda/relaunch.ts): when they
// are off its path it runs the command again in a child process with LD_LIBRARY_PATH set, and exits with its status.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/commands/', import.meta.url))) {
  console.error('ge4rec is not built: run `npm run build` (after `npm ci`)');
  process.exit(1);
}
const argv = process.argv.slice(2);
// oclif answers an unknown command in text even with --json; the --json contract (one document on stdout, the exit
// status it states) holds for it too.
if (argv.includes('--json') && argv[0] && !argv[0].startsWith('-')) {
  const { readdirSync } = await import('node:fs');
  const known = readdirSync(new URL('../dist/commands/', import.meta.url))
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3));
  if (!known.includes(argv[0])) {
    const error = { message: `command ${argv[0]} not found`, hint: `commands: ${known.join(', ')}`, code: 2, kind: 'usage' };
    console.log(JSON.stringify({ error }, null, 2));
    process.exit(2);
  }
}
if (argv.includes('cuda') || argv.includes('--device=cuda')) {
  const { relaunchForCuda } = await import('../dist/cuda/relaunch.js');
  const status = await relaunchForCuda(argv);
  if (status !== undefined) process.exit(status);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
