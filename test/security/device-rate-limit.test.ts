// One device cannot flood ingest: beyond REPORT_BURST_PER_DEVICE and REPORTS_PER_DEVICE_PER_MINUTE it gets 429 + Retry-After, which the real agent honours.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { drainSpool } from '../../agent/ship/sender';
import { Spool } from '../../agent/ship/spool';
import { Transport } from '../../agent/ship/transport';
import { writeDeviceKey } from '../../agent/state/device-key';
import { RecordedAdapter } from '../../agent/windows/recorded-adapter';
import { ManualClock } from '../../server/clock';
import { memoryLog } from '../agent/support/memory-log';
import { assertEnvelope, enroll, postReport, startTestServer, syntheticReport, type TestServer } from '../server/harness';

/** A burst of 5, then one report a minute. */
const LIMIT = 5;

describe('per-device report rate limit', () => {
  const clock = new ManualClock('2024-11-21T12:00:00Z');
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock, config: { reportBurstPerDevice: LIMIT, reportsPerDevicePerMinute: 1 } });
  });
  after(() => server.close());

  test('a key sending faster than the limit gets 429 rate_limited with Retry-After; nothing of it is stored; other devices are not slowed', async () => {
    const flooder = await enroll(server, 'flood-01');
    const neighbour = await enroll(server, 'quiet-02');
    for (let n = 1; n <= LIMIT; n++) await postReport(server, flooder, syntheticReport('flood-01', n)).expect(202);
    const extra = syntheticReport('flood-01', LIMIT + 1);
    const res = await postReport(server, flooder, extra).expect(429);
    assertEnvelope(res.body, 'rate_limited');
    assert.equal(res.headers['retry-after'], '60', 'one report a minute after the burst');
    assert.equal(await server.storage.reports.has(extra.reportId), false);
    await postReport(server, neighbour, syntheticReport('quiet-02', 1)).expect(202);
    clock.advance(30_000);
    assert.equal((await postReport(server, flooder, extra).expect(429)).headers['retry-after'], '30');
    clock.advance(30_000);
    await postReport(server, flooder, extra).expect(202);
    await postReport(server, flooder, syntheticReport('flood-01', LIMIT + 2)).expect(429);
  });

  test('the agent honours it: the spool stops at the 429, waits Retry-After, and delivers the rest in order afterwards', async () => {
    const key = await enroll(server, 'agent-03');
    const stateDir = mkdtempSync(join(tmpdir(), 'patchlens-ratelimit-'));
    const adapter = new RecordedAdapter('linux');
    await writeDeviceKey(stateDir, { server: server.url, deviceId: 'agent-03', hostname: 'AGENT-03', deviceKey: key, enrolledAt: new Date().toISOString() }, adapter);
    const { log } = memoryLog();
    const spool = new Spool(stateDir, 20 * 1024 * 1024, log);
    for (let n = 1; n <= LIMIT + 2; n++) spool.put(syntheticReport('agent-03', n), n);
    const deps = {
      spool,
      transport: new Transport({ server: server.url, allowHttp: false, extraCaPem: [], proxy: null, timeoutMs: 5_000 }),
      stateDir,
      adapter,
      log,
      now: () => new Date(clock.now()),
      secret: null,
      deviceId: 'agent-03',
      hostname: 'AGENT-03',
    };
    const first = await drainSpool(deps);
    assert.equal(first.acknowledged.length, LIMIT);
    assert.equal(first.remaining, 2);
    assert.equal(first.stopped?.reason, 'retry');
    assert.equal(first.stopped?.reason === 'retry' ? first.stopped.retryAfterMs : null, 60_000, "the server's Retry-After, not a guess");
    clock.advance(2 * 60_000);
    const second = await drainSpool(deps);
    assert.equal(second.stopped, null);
    assert.equal(second.remaining, 0);
    assert.equal((await server.storage.devices.getRow('agent-03'))?.lastSequence, LIMIT + 2);
  });
});
