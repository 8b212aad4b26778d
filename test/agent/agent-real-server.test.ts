// The agent against the real PatchLens server (SQLite in a temp dir, 127.0.0.1): enroll, deliver, dedupe by reportId.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEnrollCommand } from '../../agent/commands/enroll';
import { runOnceCommand } from '../../agent/commands/once';
import { reportSchema } from '../../protocol/report';
import { apiToken, startTestServer } from '../server/harness';
import { RECORDED_MACHINE_GUID, windowsEnvironment } from './support/windows-environment';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/logs/${name}`, import.meta.url));

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
