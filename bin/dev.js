#!/usr/bin/env -S node --import tsx
// Development entry: runs the TypeScript commands in src/ without a build: `node --import tsx bin/dev.js <command> ...`.
// (the oclif development mode cannot register tsx under ESM here, so this dispatches to the command classes directly.)
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../src/commands/', import.meta.url));
const ids = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const [id, ...argv] = process.argv.slice(2);
if (!id || id === '--help' || !ids.includes(id)) {
  console.log(`usage: bin/dev.js <${ids.join('|')}> [flags]`);
  process.exit(id && id !== '--help' ? 2 : 0);
}
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(`help lives in the built CLI: npm run build && ./bin/run.js ${id} --help`);
  process.exit(0);
}
if (argv.includes('cuda') || argv.includes('--device=cuda')) {
  const { relaunchForCuda } = await import('../src/cuda/relaunch.ts');
  const status = await relaunchForCuda(argv);
  if (status !== undefined) process.exit(status);
}
const { default: Cmd } = await import(new URL(`../src/commands/${id}.ts`, import.meta.url).href);
try {
  await Cmd.run(argv, fileURLToPath(new URL('..', import.meta.url)));
} catch (e) {
  const { handle } = await import('@oclif/core');
  await handle(e);
}
