// install / uninstall: the exact system commands, shown by --dry-run and run through the adapter otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentProgram, installPlan, runInstallCommand, runUninstallCommand, serviceArguments, taskXml, TASK_NAME, type ProgramLocation } from './install';
import { loadConfig } from '../config';
import { RecordedAdapter } from '../windows/recorded-adapter';
import { SUPERVISOR_NODE_FLAGS } from '../runtime/worker-process';
import type { CommandEnvironment } from './common';

const program: ProgramLocation = { node: 'C:\\Program Files\\nodejs\\node.exe', nodeArgs: [], script: 'C:\\Program Files\\PatchLens\\patchlens-agent.mjs' };

function environment(platform: NodeJS.Platform) {
  const lines: string[] = [];
  const adapter = new RecordedAdapter(platform).answer('schtasks', { code: 0, stdout: 'SUCCESS', stderr: '' }).answer('systemctl', { code: 0, stdout: '', stderr: '' });
  const env: CommandEnvironment = { adapter, now: () => new Date(), random: () => 0.5, stdout: (line) => lines.push(line) };
  return { env, lines, adapter };
}

test('Windows: a boot task as SYSTEM without the 72-hour limit, started now; --dry-run prints and runs nothing', async () => {
  const { env, lines, adapter } = environment('win32');
  const state = mkdtempSync(join(tmpdir(), 'patchlens-install-'));
  const code = await runInstallCommand(['--dry-run', '--state-dir', state, '--logs', 'C:\\Windows\\Logs\\CBS'], env, program);
  assert.equal(code, 0);
  assert.equal(adapter.calls.length, 0);
  const text = lines.join('\n');
  assert.match(text, /<UserId>S-1-5-18<\/UserId>/);
  assert.match(text, /<BootTrigger>/);
  assert.match(text, /<ExecutionTimeLimit>PT0S<\/ExecutionTimeLimit>/);
  assert.match(text, /&quot;C:\\Program Files\\PatchLens\\patchlens-agent.mjs&quot; run --state-dir/);
  assert.match(text, /^schtasks \/Create \/TN "PatchLens Agent" \/XML .*patchlens-agent-task\.xml \/F$/m);
  assert.match(text, /^schtasks \/Run \/TN "PatchLens Agent"$/m);
});

test('Windows install and uninstall call schtasks through the adapter', async () => {
  const { env, adapter } = environment('win32');
  const state = mkdtempSync(join(tmpdir(), 'patchlens-install-'));
  assert.equal(await runInstallCommand(['--state-dir', state], env, program), 0);
  assert.deepEqual(adapter.calls.map((call) => call.args[0]), ['/Create', '/Run']);
  assert.equal(await runUninstallCommand(['--state-dir', state], env), 0);
  assert.deepEqual(adapter.calls.slice(2).map((call) => [call.args[0], call.args[2]]), [['/End', TASK_NAME], ['/Delete', TASK_NAME]]);
});

test('a schtasks failure is reported with its own words', async () => {
  const lines: string[] = [];
  const adapter = new RecordedAdapter('win32').answer('schtasks', { code: 1, stdout: '', stderr: 'ERROR: Access is denied.' });
  const env: CommandEnvironment = { adapter, now: () => new Date(), random: () => 0.5, stdout: (line) => lines.push(line) };
  await assert.rejects(runInstallCommand(['--state-dir', mkdtempSync(join(tmpdir(), 'patchlens-install-'))], env, program), /schtasks \/Create .* failed \(exit 1\): ERROR: Access is denied\./);
});

test('Linux: a systemd unit enabled with systemctl', () => {
  const plan = installPlan('linux', { node: '/usr/bin/node', nodeArgs: [], script: '/opt/patchlens/patchlens-agent.mjs' }, ['run', '--config', '/etc/patchlens/agent.json'], '/tmp');
  assert.equal(plan.files[0]?.path, '/etc/systemd/system/patchlens-agent.service');
  assert.match(plan.files[0]?.content ?? '', /^ExecStart=\/usr\/bin\/node \/opt\/patchlens\/patchlens-agent.mjs run --config \/etc\/patchlens\/agent.json$/m);
  assert.deepEqual(plan.commands.map((command) => command.args.join(' ')), ['daemon-reload', 'enable --now patchlens-agent.service']);
});

test('the service runs with the flags given to install, paths made absolute, and without the enrollment secret', () => {
  const argv = ['--state-dir', 'state', '--server', 'https://patchlens.example', '--secret', 'ple_secret', '--spool-limit', '5MB', '--allow-http', '--dry-run'];
  const config = loadConfig({ argv, platform: 'linux', env: {} });
  assert.deepEqual(serviceArguments(config, argv), ['run', '--state-dir', join(process.cwd(), 'state'), '--server', 'https://patchlens.example', '--spool-limit', '5MB', '--allow-http']);
});

test('task XML escapes paths', () => {
  assert.match(taskXml({ node: 'C:\\a&b\\node.exe', nodeArgs: [], script: 'C:\\x.mjs' }, ['run']), /<Command>C:\\a&amp;b\\node.exe<\/Command>/);
});

test('the installed command line starts the supervisor with its memory flags, before the script', async () => {
  const { env, lines } = environment('linux');
  const shipped = { ...currentProgram(), script: '/opt/patchlens/patchlens-agent.mjs' };
  assert.equal(await runInstallCommand(['--dry-run', '--state-dir', mkdtempSync(join(tmpdir(), 'patchlens-install-')), '--logs', '/var/log/cbs'], env, shipped), 0);
  const execStart = lines.join('\n').match(/^ExecStart=(.*)$/m)?.[1] ?? '';
  assert.match(execStart, new RegExp(`^\\S+node\\S* ${SUPERVISOR_NODE_FLAGS.join(' ')} .*/opt/patchlens/patchlens-agent\\.mjs run `));
  assert.match(taskXml(shipped, ['run']), new RegExp(`<Arguments>${SUPERVISOR_NODE_FLAGS.join(' ')} .*patchlens-agent\\.mjs run</Arguments>`));
});
