// Spool + sender against a real loopback contract server: outages, back-pressure, revoked keys and re-enrollment, corrupt files, lost acks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from './spool';
import { drainSpool, enrollDevice, type SenderDeps } from './sender';
import { Transport } from './transport';
import { RecordedAdapter } from '../windows/recorded-adapter';
import { readDeviceKey } from '../state/device-key';
import { readPendingEnrollment } from '../state/pending-enrollment';
import { startContractServer } from '../../test/agent/support/contract-server';
import { memoryLog } from '../../test/agent/support/memory-log';
import { caseOneReport } from '../../test/agent/support/reports';

const DEVICE = 'dev-0042';
const now = () => new Date('2024-11-21T14:00:00Z');

function setup(server: string, secret: string | null = null, limit = 20 * 1024 * 1024) {
  const stateDir = mkdtempSync(join(tmpdir(), 'patchlens-sender-'));
  const memory = memoryLog();
  const spool = new Spool(stateDir, limit, memory.log);
  const deps: SenderDeps = {
    spool,
    transport: new Transport({ server, allowHttp: false, extraCaPem: [], proxy: null, timeoutMs: 5_000 }),
    stateDir,
    adapter: new RecordedAdapter('linux'),
    log: memory.log,
    now,
    secret,
    deviceId: DEVICE,
    hostname: 'PC-0042',
  };
  return { stateDir, spool, deps, memory };
}

test('server down then up: nothing lost, order preserved, spool emptied only after acknowledgement', async () => {
  const server = await startContractServer();
  const { spool, deps } = setup(server.url, server.secret);
  await enrollDevice(deps, server.secret);
  await server.close();
  for (let sequence = 0; sequence < 3; sequence++) spool.put(caseOneReport(DEVICE, sequence), sequence);

  const down = await drainSpool(deps);
  assert.equal(down.stopped?.reason, 'retry');
  assert.equal(down.remaining, 3);

  const back = await startContractServer({ secret: server.secret });
  // Same port is not guaranteed; point the transport at the new server and re-enroll there.
  const deps2 = { ...deps, transport: new Transport({ server: back.url, allowHttp: false, extraCaPem: [], proxy: null }) };
  await enrollDevice(deps2, back.secret);
  const up = await drainSpool(deps2);
  assert.equal(up.stopped, null);
  assert.deepEqual(back.stored.map((report) => report.sequence), [0, 1, 2]);
  assert.equal(spool.entries().length, 0);
  await back.close();
});

test('429 with Retry-After: the wait is the server\'s, and the report stays until accepted', async () => {
  const server = await startContractServer();
  const { spool, deps } = setup(server.url, server.secret);
  spool.put(caseOneReport(DEVICE, 0), 0);
  server.script.push({ status: 429, retryAfter: '7' });
  const first = await drainSpool(deps);
  assert.deepEqual(first.stopped && first.stopped.reason === 'retry' ? first.stopped.retryAfterMs : null, 7000);
  assert.equal(first.remaining, 1);
  server.script.push({ status: 503, retryAfter: new Date(now().getTime() + 30_000).toUTCString() });
  const second = await drainSpool(deps);
  assert.deepEqual(second.stopped && second.stopped.reason === 'retry' ? second.stopped.retryAfterMs : null, 30_000);
  const third = await drainSpool(deps);
  assert.equal(third.stopped, null);
  assert.equal(server.stored.length, 1);
  await server.close();
});

test('401 revoked key: a clear instruction without a secret; with one the agent asks again, waits for an admin, and delivers once approved', async () => {
  const server = await startContractServer();
  const without = setup(server.url, null);
  await enrollDevice(without.deps, server.secret);
  server.revoke(DEVICE);
  without.spool.put(caseOneReport(DEVICE, 0), 0);
  const refused = await drainSpool(without.deps);
  assert.equal(refused.stopped?.reason, 'unauthorized');
  assert.match(refused.stopped?.detail ?? '', /refused the key of device dev-0042 .*Run 'agent enroll --secret SECRET'.*an admin must then approve/);
  assert.equal(refused.remaining, 1);
  assert.ok(without.memory.messages(50).some((message) => /refused the key of device dev-0042/.test(message)));

  const withSecret = { ...without.deps, secret: server.secret };
  const oldKey = readDeviceKey(without.stateDir)?.deviceKey;
  const waiting = await drainSpool(withSecret);
  assert.equal(waiting.stopped?.reason, 'pending-approval');
  assert.match(waiting.stopped?.detail ?? '', /device dev-0042 is already enrolled, so its re-enrollment \(request 1\) waits for an admin: .*'npm run admin -- enrollment approve 1'/);
  assert.equal(waiting.stopped?.reason === 'pending-approval' ? waiting.stopped.retryAfterMs : null, 60_000, "the server's poll interval");
  assert.equal(waiting.remaining, 1, 'the report stays spooled');
  assert.equal(readDeviceKey(without.stateDir), null, 'the refused key is dropped');
  const still = await drainSpool(withSecret);
  assert.equal(still.stopped?.reason, 'pending-approval');
  assert.equal(server.requests.size, 1, 'a waiting agent polls; it does not ask again');

  server.approve(DEVICE);
  const healed = await drainSpool(withSecret);
  assert.equal(healed.stopped, null);
  assert.equal(server.stored.length, 1);
  assert.notEqual(readDeviceKey(without.stateDir)?.deviceKey, oldKey);
  assert.equal(readPendingEnrollment(without.stateDir), null);
  assert.ok(without.memory.messages(30).some((message) => /approved the re-enrollment/.test(message)));
  await server.close();
});

test('a rejected re-enrollment stops the agent asking by itself; reports stay spooled', async () => {
  const server = await startContractServer();
  const { spool, deps, stateDir } = setup(server.url, server.secret);
  await enrollDevice(deps, server.secret);
  server.revoke(DEVICE);
  spool.put(caseOneReport(DEVICE, 0), 0);
  assert.equal((await drainSpool(deps)).stopped?.reason, 'pending-approval');
  server.reject(DEVICE);
  for (let round = 0; round < 2; round++) {
    const result = await drainSpool(deps);
    assert.equal(result.stopped?.reason, 'unauthorized');
    assert.match(result.stopped?.detail ?? '', /an admin rejected the re-enrollment of device dev-0042/);
    assert.equal(result.remaining, 1);
  }
  assert.equal(server.requests.size, 1);
  assert.equal(readPendingEnrollment(stateDir)?.status, 'rejected');
  await server.close();
});

test('a server that lost the device altogether enrolls it again at once with the secret', async () => {
  const server = await startContractServer();
  const { spool, deps } = setup(server.url, server.secret);
  await enrollDevice(deps, server.secret);
  server.forget(DEVICE);
  spool.put(caseOneReport(DEVICE, 0), 0);
  const healed = await drainSpool(deps);
  assert.equal(healed.stopped, null);
  assert.equal(server.stored.length, 1);
  await server.close();
});

test('a corrupt spool file is skipped with a warning and the rest is shipped', async () => {
  const server = await startContractServer();
  const { spool, deps, memory } = setup(server.url, server.secret);
  spool.put(caseOneReport(DEVICE, 0), 0);
  writeFileSync(join(spool.dir, '000000000001-r-broken.json'), '{"schemaVersion":1,"reportId":"r-bro');
  spool.put(caseOneReport(DEVICE, 2), 2);
  const result = await drainSpool(deps);
  assert.equal(result.stopped, null);
  assert.deepEqual(server.stored.map((report) => report.sequence), [0, 2]);
  assert.ok(memory.messages().some((message) => /skipped/.test(message)));
  assert.deepEqual(readdirSync(join(spool.dir, 'quarantine')), ['000000000001-r-broken.json']);
  await server.close();
});

test('a spool file holding another report than its name says is set aside; the rest is shipped', async () => {
  const server = await startContractServer();
  const { spool, deps, memory } = setup(server.url, server.secret);
  spool.put(caseOneReport(DEVICE, 0), 0);
  writeFileSync(join(spool.dir, '000000000001-r-renamed.json'), JSON.stringify(caseOneReport(DEVICE, 1)));
  const result = await drainSpool(deps);
  assert.equal(result.stopped, null);
  assert.deepEqual(server.stored.map((report) => report.sequence), [0]);
  assert.ok(memory.lines.some((line) => /skipped/.test(line.msg) && /not the report its name says/.test(String(line.reason))));
  assert.deepEqual(readdirSync(join(spool.dir, 'quarantine')), ['000000000001-r-renamed.json']);
  await server.close();
});

test('a spool file damaged in the middle is streamed as it is; the server refuses it, it is set aside, the rest is shipped', async () => {
  const server = await startContractServer();
  const { spool, deps, memory } = setup(server.url, server.secret);
  const whole = JSON.stringify(caseOneReport(DEVICE, 1));
  writeFileSync(join(spool.dir, `000000000001-${caseOneReport(DEVICE, 1).reportId}.json`), whole.replace('"failures":[', '"failures":[}'));
  spool.put(caseOneReport(DEVICE, 2), 2);
  const result = await drainSpool(deps);
  assert.equal(result.stopped, null);
  assert.deepEqual(server.stored.map((report) => report.sequence), [2]);
  assert.ok(memory.messages(50).some((message) => /rejected a report for good/.test(message)));
  assert.equal(readdirSync(join(spool.dir, 'quarantine')).length, 1);
  await server.close();
});

test('a lost acknowledgement is resent and stored exactly once by reportId', async () => {
  const server = await startContractServer();
  const { spool, deps } = setup(server.url, server.secret);
  spool.put(caseOneReport(DEVICE, 0), 0);
  server.script.push({ storeThenDrop: true });
  const lost = await drainSpool(deps);
  assert.equal(lost.stopped?.reason, 'retry');
  const resent = await drainSpool(deps);
  assert.equal(resent.duplicates, 1);
  assert.equal(server.stored.length, 1);
  assert.equal(spool.entries().length, 0);
  await server.close();
});

test('spool full: the oldest superseded reports go, the newest state always stays', () => {
  const { spool, memory } = setup('http://127.0.0.1:9', null);
  const size = Buffer.byteLength(JSON.stringify(caseOneReport(DEVICE, 0)));
  const small = new Spool(join(spool.dir, '..'), size * 3 + 10, memory.log);
  for (let sequence = 0; sequence < 6; sequence++) small.put(caseOneReport(DEVICE, sequence), sequence);
  assert.deepEqual(small.entries().map((entry) => entry.sequence), [3, 4, 5]);
  assert.ok(memory.messages().some((message) => /spool full/.test(message)));
  const tiny = new Spool(mkdtempSync(join(tmpdir(), 'patchlens-tiny-')), 10, memory.log);
  tiny.put(caseOneReport(DEVICE, 0), 0);
  tiny.put(caseOneReport(DEVICE, 1), 1);
  assert.deepEqual(tiny.entries().map((entry) => entry.sequence), [1]);
});
