// Worker command lines: the supervisor's interpreter-only flag is never passed on; the worker flags are, minus any this Node does not know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentLauncher, runFirstWorker, SUPERVISOR_NODE_FLAGS, WORKER_NODE_FLAGS } from './worker-process';

test('a bundled supervisor starts workers with the worker flags and without its own', () => {
  const launcher = currentLauncher([...SUPERVISOR_NODE_FLAGS], '/opt/patchlens/patchlens-agent.mjs');
  assert.deepEqual(launcher.prefix, [...WORKER_NODE_FLAGS, '/opt/patchlens/patchlens-agent.mjs']);
});

test('a source checkout keeps its loader; a worker flag given explicitly is not doubled', () => {
  const launcher = currentLauncher([...SUPERVISOR_NODE_FLAGS, '--import', 'tsx', '--max-semi-space-size=2'], 'agent/cli.ts');
  const others = WORKER_NODE_FLAGS.filter((flag) => !flag.startsWith('--max-semi-space-size='));
  assert.deepEqual(launcher.prefix, [...others, '--import', 'tsx', '--max-semi-space-size=2', 'agent/cli.ts']);
});

test('a worker flag this Node does not know is dropped for good and the worker still starts; other flags are kept', async () => {
  const script = join(mkdtempSync(join(tmpdir(), 'patchlens-worker-')), 'worker.mjs');
  writeFileSync(script, "process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), execArgv: process.execArgv }) + '\\n');\n");
  const unknown = '--no-such-v8-setting-anywhere';
  const droppable = [...WORKER_NODE_FLAGS, unknown];
  const launcher = { node: process.execPath, prefix: ['--max-semi-space-size=1', unknown, script] };
  const { answer, dropped } = await runFirstWorker(launcher, 'config', ['--logs', 'x'], 30_000, true, droppable);
  assert.deepEqual(dropped, [unknown]);
  assert.equal(answer.code, 0);
  assert.deepEqual(answer.json, { argv: ['worker', 'config', '--logs', 'x'], execArgv: ['--max-semi-space-size=1'] });
  assert.deepEqual(launcher.prefix, ['--max-semi-space-size=1', script], 'later workers start without it');

  const foreign = { node: process.execPath, prefix: ['--another-unknown-flag', script] };
  const refused = await runFirstWorker(foreign, 'config', [], 30_000, true, droppable);
  assert.deepEqual(refused.dropped, [], 'a flag the agent did not add is never removed');
  assert.equal(refused.answer.code, 9);
});
