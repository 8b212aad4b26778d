#!/usr/bin/env node
// `npm test`: type check, lint, then every *.test.ts file through node's test runner.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const skipDirs = new Set(['node_modules', 'dist', 'data', 'test-results', '.git', '.bench']);

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) findTests(join(dir, entry.name), out);
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(relative(root, join(dir, entry.name)));
    }
  }
  return out;
}

function run(label, cmd, args) {
  process.stdout.write(`\n> ${label}\n`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`\n${label} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status || 1);
  }
}

const usage = 'usage: node scripts/test.mjs [FILE.test.ts...] [--test-name-pattern REGEX]';
let args;
try {
  args = parseArgs({ args: process.argv.slice(2), options: { 'test-name-pattern': { type: 'string', multiple: true } }, allowPositionals: true });
} catch (error) {
  process.stderr.write(`test: ${error.message.split(/\.\s/)[0]}\n${usage}\n`);
  process.exit(2);
}
const only = args.positionals;
const namePatterns = (args.values['test-name-pattern'] ?? []).map((pattern) => `--test-name-pattern=${pattern}`);
const bin = (name) => join(root, 'node_modules', '.bin', name);
if (only.length === 0) {
  run('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  run('lint', bin('eslint'), ['--max-warnings', '0', '.']);
}
const files = only.length > 0 ? only : findTests(root).sort();
if (files.length === 0) {
  process.stderr.write('no test files found\n');
  process.exit(1);
}
run('tests', process.execPath, [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  '--test-reporter=spec',
  ...namePatterns,
  ...files,
]);
