#!/usr/bin/env node
// Production entry: runs the compiled commands in dist/ (run `npm run build` first; `npm run build` after `npm ci`).
// With `--device cuda` it first makes sure the loader will find the CUDA libraries (src/cuda/relaunch.ts): when they
// are off its path it runs the command again in a child process with LD_LIBRARY_PATH set, and exits with its status.
const argv = process.argv.slice(2);
if (argv.includes('cuda') || argv.includes('--device=cuda')) {
  const { relaunchForCuda } = await import('../dist/cuda/relaunch.js');
  const status = await relaunchForCuda(argv);
  if (status !== undefined) process.exit(status);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
