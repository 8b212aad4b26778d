// The agent against the real PatchLens server (SQLite in a temp dir, 127.0.0.1): enroll, deliver, dedupe by reportId, revocation and re-enrollment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEnrollCommand } from '../../agent/commands/enroll';
import { runOnceCommand } from '../../agent/commands/once';
import { readDeviceKey } from '../../agent/state/device-key';
import { reportSchema } from '../../protocol/report';
import { apiToken, startTestServer } from '../server/harness';
import { RECORDED_MACHINE_GUID, windowsEnvironment } from './support/windows-environment';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/logs/${name}`, import.meta.url));

interface ReportSend {
  reportId: string;
  status: number;
  duplicate: boolean;
  /** The server answered, but the agent never got the answer: the connection was cut instead. */
  lost: boolean;
}

/**
 * A pass-through HTTP proxy in front of `target` that records every report sent. `loseNextAck()`
 * makes it cut the agent's connection once the server has answered the next report with 202, as a
 * network drop between the server's commit and the agent reading the acknowledgement would.
 */
async function ackLosingProxy(target: string): Promise<{ url: string; sends: ReportSend[]; loseNextAck(): void; server: Server }> {
  const { port } = new URL(target);
  const sends: ReportSend[] = [];
  let loseNext = false;
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const reply: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => reply.push(chunk));
      answer.on('end', () => {
        const status = answer.statusCode ?? 0;
        const isReport = req.url === '/api/v1/reports';
        const lost = isReport && loseNext && status === 202;
        if (isReport) {
          const { reportId } = JSON.parse(Buffer.concat(body).toString()) as { reportId: string };
          const { duplicate } = JSON.parse(Buffer.concat(reply).toString() || '{}') as { duplicate?: boolean };
          sends.push({ reportId, status, duplicate: duplicate === true, lost });
        }
        if (lost) {
          loseNext = false;
          req.socket.destroy();
          return;
        }
        res.writeHead(status, answer.headers);
        res.end(Buffer.concat(reply));
      });
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, sends, server, loseNextAck: () => (loseNext = true) };
}

test('enroll and two cycles against the real server: both reports stored, the newest restating every failure', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'agent test', ip: null }, { name: 'agents' });
  const work = mkdtempSync(join(tmpdir(), 'patchlens-real-'));
  const logs = join(work, 'CBS');
  mkdirSync(logs);
  writeFileSync(join(logs, 'CBS.log'), fixture('win7-kb3172605-0x80070308.log'));
  const env = windowsEnvironment();
  const common = ['--server', server.url, '--state-dir', join(work, 'state'), '--logs', logs];

  assert.equal(await runEnrollCommand([...common, '--secret', secret], env), 0);
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered/);
  appendFileSync(join(logs, 'CBS.log'), fixture('server2022-ssu-0x80073712.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered/);

  const token = await apiToken(server, 'viewer');
  const history = await server.http.get(`/api/v1/devices/${RECORDED_MACHINE_GUID}/reports`).set('Authorization', `Bearer ${token}`).expect(200);
  const items = history.body.items as { reportId: string }[];
  assert.equal(items.length, 2);
  const newest = await server.http.get(`/api/v1/reports/${items[0]?.reportId}`).set('Authorization', `Bearer ${token}`).expect(200);
  const report = reportSchema.parse(JSON.parse(newest.text));
  assert.equal(report.device.osBuild, '19045.4894');
  assert.deepEqual(report.failures.map((failure) => failure.hresult).sort(), ['0x80070308', '0x80073712']);
  assert.ok(report.hotfixes.some((hotfix) => hotfix.kb === 'KB5043064'));
});

test('a lost acknowledgement: the agent sends the report again, the server knows its reportId and stores it once', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const proxy = await ackLosingProxy(server.url);
  t.after(() => proxy.server.close());
  const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'agent test', ip: null }, { name: 'agents' });
  const work = mkdtempSync(join(tmpdir(), 'patchlens-dedupe-'));
  const logs = join(work, 'CBS');
  mkdirSync(logs);
  writeFileSync(join(logs, 'CBS.log'), fixture('win7-kb3172605-0x80070308.log'));
  const env = windowsEnvironment();
  const common = ['--server', proxy.url, '--state-dir', join(work, 'state'), '--logs', logs, '--secret', secret];
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered/);

  // The server commits the second report and answers 202; the agent sees the connection drop instead.
  proxy.loseNextAck();
  appendFileSync(join(logs, 'CBS.log'), fixture('server2022-ssu-0x80073712.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /spooled, 1 waiting/, 'without the acknowledgement the report must stay in the spool');
  const lostId = proxy.sends.at(-1)!.reportId;

  // The next cycle sends it again, first, before its own report.
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered \(2 sent, 0 waiting\)/);
  assert.deepEqual(
    proxy.sends.map(({ reportId, status, duplicate, lost }) => ({ again: reportId === lostId, status, duplicate, lost })),
    [
      { again: false, status: 202, duplicate: false, lost: false },
      { again: true, status: 202, duplicate: false, lost: true },
      { again: true, status: 200, duplicate: true, lost: false },
      { again: false, status: 202, duplicate: false, lost: false },
    ],
  );
  const stored = server.storage.db.prepare('SELECT COUNT(*) FROM reports WHERE report_id = ?').pluck();
  for (const { reportId } of proxy.sends) assert.equal(stored.get(reportId), 1, `${reportId} stored ${String(stored.get(reportId))} times`);
  const token = await apiToken(server, 'viewer');
  const history = await server.http.get(`/api/v1/devices/${RECORDED_MACHINE_GUID}/reports`).set('Authorization', `Bearer ${token}`).expect(200);
  assert.equal((history.body.items as unknown[]).length, 3, 'three reports made, three stored');
});

test('revoked key: the agent keeps spooling and names the admin action; once approved it delivers everything in order; the fleet secret alone takes nothing over', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'agent test', ip: null }, { name: 'agents' });
  const work = mkdtempSync(join(tmpdir(), 'patchlens-reenroll-'));
  const logs = join(work, 'CBS');
  mkdirSync(logs);
  writeFileSync(join(logs, 'CBS.log'), fixture('win7-kb3172605-0x80070308.log'));
  const env = windowsEnvironment();
  // Zero-touch: the configured secret enrolls the device on its first cycle.
  const common = ['--server', server.url, '--state-dir', join(work, 'state'), '--logs', logs, '--secret', secret];
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered/);

  // Another host with the same secret claims this device id: it is told to wait and gets no key.
  const attacker = windowsEnvironment();
  const attackerState = join(work, 'attacker');
  assert.equal(await runEnrollCommand(['--server', server.url, '--state-dir', attackerState, '--secret', secret], attacker), 0);
  assert.match(attacker.lines.at(-1) ?? '', new RegExp(`is waiting: device ${RECORDED_MACHINE_GUID} is already enrolled`));
  assert.equal(readDeviceKey(attackerState), null);
  appendFileSync(join(logs, 'CBS.log'), fixture('server2022-ssu-0x80073712.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered/, 'the real device still reports with its key');

  // An admin revokes the device's key: the agent asks to enroll again and waits, spooling.
  await server.patchlens.ctx.admin.revokeDeviceKeys({ name: 'admin', ip: null }, RECORDED_MACHINE_GUID);
  appendFileSync(join(logs, 'CBS.log'), fixture('win10-1809-fod-0x800f0950.log'));
  assert.equal(await runOnceCommand(common, env), 0);
  const waiting = env.lines.at(-1) ?? '';
  assert.match(waiting, new RegExp(`spooled, 1 waiting: device ${RECORDED_MACHINE_GUID} is already enrolled, so its re-enrollment \\(request (\\d+)\\) waits for an admin`));
  const requestId = Number(/request (\d+)/.exec(waiting)?.[1]);
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /spooled, 2 waiting: .*waits for an admin/);
  const open = await server.storage.enrollmentRequests.listOpen(Date.now());
  assert.equal(open.length, 2, 'the attacker\'s request and one from the real agent, which polls instead of asking again');
  const agentLog = readFileSync(join(work, 'state', 'logs', 'agent.log'), 'utf8');
  assert.match(agentLog, new RegExp(`enrollment approve ${requestId}`));

  await server.patchlens.ctx.admin.approveEnrollmentRequest({ name: 'admin', ip: null }, requestId);
  assert.equal(await runOnceCommand(common, env), 0);
  assert.match(env.lines.at(-1) ?? '', /delivered \(3 sent, 0 waiting\)/);
  const token = await apiToken(server, 'viewer');
  const history = await server.http.get(`/api/v1/devices/${RECORDED_MACHINE_GUID}/reports`).set('Authorization', `Bearer ${token}`).expect(200);
  const items = history.body.items as { sequence: number; outcome: string }[];
  assert.deepEqual(items.map((item) => item.sequence), [4, 3, 2, 1, 0]);
  assert.ok(items.every((item) => item.outcome !== 'superseded'), 'the first report under the new key is current');
  const state = await server.storage.devices.get(RECORDED_MACHINE_GUID);
  assert.equal(state?.device.lastSequence, 4);
  assert.deepEqual(state?.failures.map((failure) => failure.hresult).sort(), ['0x80070308', '0x80073712', '0x800f0950']);

  // The attacker's request was rejected by the approval: it never gets a key.
  assert.equal(await runOnceCommand(['--server', server.url, '--state-dir', attackerState, '--logs', logs], attacker), 0);
  assert.match(attacker.lines.at(-1) ?? '', /an admin rejected the re-enrollment/);
  assert.equal(readDeviceKey(attackerState), null);
});
