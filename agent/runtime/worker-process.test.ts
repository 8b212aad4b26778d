// Worker command lines: the supervisor's interpreter-only flag is never passed on; the worker heap flags always are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentLauncher, SUPERVISOR_NODE_FLAGS, WORKER_NODE_FLAGS } from './worker-process';

test('a bundled supervisor starts workers with the worker flags and without its own', () => {
  const launcher = currentLauncher([...SUPERVISOR_NODE_FLAGS], '/opt/patchlens/patchlens-agent.mjs');
  assert.deepEqual(launcher.prefix, [...WORKER_NODE_FLAGS, '/opt/patchlens/patchlens-agent.mjs']);
});

test('a source checkout keeps its loader; a worker flag given explicitly is not doubled', () => {
  const launcher = currentLauncher([...SUPERVISOR_NODE_FLAGS, '--import', 'tsx', '--max-semi-space-size=2'], 'agent/cli.ts');
  const others = WORKER_NODE_FLAGS.filter((flag) => !flag.startsWith('--max-semi-space-size='));
  assert.deepEqual(launcher.prefix, [...others, '--import', 'tsx', '--max-semi-space-size=2', 'agent/cli.ts']);
});
