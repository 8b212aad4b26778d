// End to end: enroll, once, outage, re-enrollment after a revoked key, and `run` delivering a new failure quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runEnrollCommand } from '../../agent/commands/enroll';
import { runOnceCommand } from '../../agent/commands/once';
import { startContractServer } from './support/contract-server';
import { RECORDED_MACHINE_GUID, windowsEnvironment } from './support/windows-environment';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/logs', name));

test('enroll, deliver, survive an outage and a revoked key: every report arrives once, in order', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'patchlens-e2e-'));
  const logs = join(work, 'CBS');
  const state = join(work, 'state');
  mkdirSync(logs);
  writeFileSync(join(logs, 'CBS.log'), fixture('win7-kb3172605-0x80070308.log'));
  let server = await startContractServer();
  t.after(() => server.close());
  const port = Number(new URL(server.url).port);
  const env = windowsEnvironment();
  const common = ['--server', server.url, '--state-dir', state, '--logs', logs];

  assert.equal(await runEnrollCommand([...common, '--secret', server.secret], env), 0);
  assert.ok(server.keys.has(RECORDED_MACHINE_GUID), 'enrolled under the MachineGuid');
  assert.equal(env.adapter.calls.filter((call) => call.file === 'icacls').length, 1, 'key file ACL set');

  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /^report r-[0-9a-f-]+ delivered/);
  const first = server.stored[0];
  assert.equal(first?.device.osBuild, '19045.4894');
  assert.equal(first?.device.hostname, 'BANK-PC-0042');
  assert.deepEqual(first?.failures.map((failure) => failure.hresult), ['0x80070308']);
  assert.ok(first?.hotfixes.some((hotfix) => hotfix.kb === 'KB5043064'));
  assert.equal(first?.updateHistory?.[0]?.hresult, '0x8007000d');

  // Outage: the next two reports are spooled, `once` still succeeds.
  await server.close();
  appendFileSync(join(logs, 'CBS.log'), fixture('server2022-ssu-0x80073712.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /spooled, 1 waiting/);
  appendFileSync(join(logs, 'CBS.log'), fixture('win10-1809-fod-0x800f0950.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /spooled, 2 waiting/);

  // Back on the same address, but the server lost its keys: 401 → re-enroll with the secret → deliver all.
  server = await startContractServer({ secret: server.secret, port });
  assert.equal(await runOnceCommand([...common, '--secret', server.secret], env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered \(3 sent, 0 waiting\)/);
  assert.deepEqual(server.stored.map((report) => report.sequence), [1, 2, 3]);
  const newest = server.stored.at(-1);
  assert.deepEqual(newest?.failures.map((failure) => failure.hresult).sort(), ['0x80070308', '0x80073712', '0x800f0950']);
  assert.deepEqual(readdirSync(join(state, 'spool')).filter((name) => name.endsWith('.json')), []);
  const agentLog = readFileSync(join(state, 'logs', 'agent.log'), 'utf8');
  assert.match(agentLog, /re-enrolling with the configured secret/);
});

test('`once` without --logs off Windows exits 2 with one clear line', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'agent/cli.ts'), 'once', '--state-dir', mkdtempSync(join(tmpdir(), 'patchlens-e2e-'))], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (process.platform !== 'win32') {
    assert.equal(code, 2);
    assert.match(stderr, /--logs DIR is required on this system/);
  }
});

test('`run` delivers a new failure written to CBS.log within seconds, and stops cleanly on SIGTERM', async () => {
  const work = mkdtempSync(join(tmpdir(), 'patchlens-run-'));
  const logs = join(work, 'CBS');
  const state = join(work, 'state');
  mkdirSync(logs);
  writeFileSync(join(logs, 'CBS.log'), fixture('win7-kb3172605-0x80070308.log'));
  const server = await startContractServer();
  const config = join(work, 'agent.json');
  // A schedule that never fires in the test: only the start-up cycle and the folder watch deliver.
  writeFileSync(config, JSON.stringify({ server: server.url, enrollmentSecret: server.secret, schedule: '0 0 1 1 *', watchDebounceSeconds: 1, logLevel: 'info' }));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'agent/cli.ts'), 'run', '--config', config, '--state-dir', state, '--logs', logs, '--device-id', 'run-test'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    while (server.stored.length < 1 && Date.now() < deadline) await sleep(50);
    assert.equal(server.stored.length, 1, `start-up report arrived (stderr: ${stderr})`);
    const written = Date.now();
    appendFileSync(join(logs, 'CBS.log'), fixture('win10-1809-fod-0x800f0950.log'));
    while (server.stored.length < 2 && Date.now() < deadline) await sleep(50);
    const latency = Date.now() - written;
    assert.equal(server.stored.length, 2, 'the change was reported');
    assert.ok(latency < 10_000, `reported after ${latency} ms`);
    assert.ok(server.stored[1]?.failures.some((failure) => failure.hresult === '0x800f0950'));
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await server.close();
  }
});
