// Enrollment and report ingest over HTTP: keys, validation, idempotency, sequence ordering, size limit, overload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEVICE_COUNTERS } from '../../server/storage/counter-keys';
import type { SqliteStorage } from '../../server/storage/sqlite/storage';
import { assertEnvelope, enroll, fixtureReport, postReport, startTestServer, syntheticReport, type TestServer } from './harness';

describe('enrollment', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { enrollPerMinute: 5 } });
  });
  after(() => server.close());

  test('a valid secret gives a device key that only the hash of is stored', async () => {
    const key = await enroll(server, 'enroll-ok');
    assert.match(key, /^pld_[A-Za-z0-9_-]{43}$/);
    const rows = server.storage.db.prepare('SELECT key_hash FROM device_keys WHERE device_id = ?').all('enroll-ok') as { key_hash: string }[];
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.key_hash, key);
    assert.ok(!JSON.stringify(server.storage.db.prepare('SELECT * FROM device_keys').all()).includes(key));
  });

  test('an unknown secret is refused with 401 invalid_secret', async () => {
    const res = await server.http.post('/api/v1/agents/enroll').send({ secret: 'ple_wrong', deviceId: 'x', hostname: 'X' }).expect(401);
    assertEnvelope(res.body, 'invalid_secret');
  });

  test('a revoked secret stops working', async () => {
    const { secret, info } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 't', ip: null }, { name: 'revoked' });
    await server.patchlens.ctx.admin.revokeEnrollmentSecret({ name: 't', ip: null }, info.id);
    const res = await server.http.post('/api/v1/agents/enroll').send({ secret, deviceId: 'y', hostname: 'Y' }).expect(401);
    assertEnvelope(res.body, 'invalid_secret');
  });

  test('a body without deviceId is a 400 naming the field', async () => {
    const res = await server.http.post('/api/v1/agents/enroll').send({ secret: 's', hostname: 'h' }).expect(400);
    assertEnvelope(res.body, 'invalid_request');
    assert.ok((res.body.error.details as { path: string }[]).some((d) => d.path === 'deviceId'));
  });

  test('re-enrolling an enrolled device id keeps its key and waits for an admin (202 pending)', async () => {
    const first = await enroll(server, 'reimaged');
    const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 't', ip: null }, { name: 'again' });
    const again = await server.http.post('/api/v1/agents/enroll').send({ secret, deviceId: 'reimaged', hostname: 'REIMAGED' }).expect(202);
    assert.equal(again.body.status, 'pending');
    assert.equal(again.body.deviceKey, undefined);
    assert.ok(Number(again.headers['retry-after']) >= 1);
    await postReport(server, first, syntheticReport('reimaged', 1)).expect(202);
  });

  test('enrollment is rate-limited per address with 429 and Retry-After', async () => {
    let limited = null;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await server.http.post('/api/v1/agents/enroll').send({ secret: 'ple_x', deviceId: 'r', hostname: 'R' });
      if (res.status === 429) limited = res;
    }
    assert.ok(limited, 'expected a 429 within 10 attempts at 5 per minute');
    assertEnvelope(limited.body, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
  });
});

describe('report ingest', () => {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ config: { reportBodyLimitBytes: 64 * 1024 } });
    key = await enroll(server, 'bank-ws-0412');
  });
  after(() => server.close());

  test('the case 1 report is accepted with 202 and its state is stored', async () => {
    const report = fixtureReport('case1-device-a');
    const res = await postReport(server, key, report).expect(202);
    assert.deepEqual(res.body, { reportId: report.reportId, duplicate: false, outcome: 'applied' });
    const state = await server.storage.devices.get('bank-ws-0412');
    assert.ok(state);
    assert.equal(state.device.osBuild, '19045.4780');
    assert.deepEqual(state.failures, report.failures);
    assert.deepEqual(state.corruption, report.corruption);
    assert.equal(state.packages.find((p) => p.kb === 'KB5043064')?.state, 'Failed');
    assert.equal(await server.storage.counters.get(DEVICE_COUNTERS.total), 1);
  });

  test('the same reportId again answers 200 duplicate and stores nothing new', async () => {
    const report = fixtureReport('case1-device-a');
    const before = await server.storage.reports.count();
    const res = await postReport(server, key, report).expect(200);
    assert.deepEqual(res.body, { reportId: report.reportId, duplicate: true });
    assert.equal(await server.storage.reports.count(), before);
  });

  test('a new report with the same content is "unchanged": no body kept, sections not rewritten', async () => {
    const report = { ...fixtureReport('case1-device-a'), reportId: 'case1-repeat-0001', sequence: 2, generatedAt: '2024-11-21T07:12:00Z' };
    const res = await postReport(server, key, report).expect(202);
    assert.equal(res.body.outcome, 'unchanged');
    assert.equal(await server.storage.reports.body('case1-repeat-0001'), null);
    const row = await server.storage.devices.getRow('bank-ws-0412');
    assert.equal(row?.lastSequence, 2);
  });

  test('a renamed device with otherwise unchanged sections gets its new hostname and OS build stored', async () => {
    const renamed = fixtureReport('case1-device-a');
    const report = { ...renamed, reportId: 'case1-renamed-0002b', sequence: 2, generatedAt: '2024-11-21T07:30:00Z', device: { ...renamed.device, hostname: 'BANK-WS-0412-NEW', osBuild: '19045.4894' } };
    assert.equal((await postReport(server, key, report).expect(202)).body.outcome, 'unchanged');
    const row = await server.storage.devices.getRow('bank-ws-0412');
    assert.equal(row?.hostname, 'BANK-WS-0412-NEW');
    assert.equal(row?.osBuild, '19045.4894');
    assert.equal(row?.osRevision, 4894);
  });

  test('an older sequence is accepted as superseded and does not overwrite newer state', async () => {
    const newer = { ...fixtureReport('case1-device-a'), reportId: 'case1-newer-0003', sequence: 3, generatedAt: '2024-11-21T08:00:00Z', failures: [] };
    assert.equal((await postReport(server, key, newer).expect(202)).body.outcome, 'applied');
    const older = { ...fixtureReport('case1-device-a'), reportId: 'case1-older-0001b', sequence: 1, generatedAt: '2024-11-21T09:00:00Z' };
    const res = await postReport(server, key, older).expect(202);
    assert.deepEqual(res.body, { reportId: 'case1-older-0001b', duplicate: false, outcome: 'superseded' });
    const state = await server.storage.devices.get('bank-ws-0412');
    assert.deepEqual(state?.failures, []);
    assert.equal(state?.device.lastSequence, 3);
    assert.equal(await server.storage.reports.has('case1-older-0001b'), true);
  });

  test('a forged or missing device key is 401 invalid_device_key', async () => {
    const report = syntheticReport('bank-ws-0412', 10);
    assertEnvelope((await postReport(server, 'pld_forged', report).expect(401)).body, 'invalid_device_key');
    const res = await server.http.post('/api/v1/reports').set('Content-Type', 'application/json').send(JSON.stringify(report)).expect(401);
    assertEnvelope(res.body, 'invalid_device_key');
    assert.equal(await server.storage.reports.has(report.reportId), false);
  });

  test('a report claiming another device id is 403 device_mismatch and nothing is stored', async () => {
    const report = syntheticReport('someone-else', 1);
    const res = await postReport(server, key, report).expect(403);
    assertEnvelope(res.body, 'device_mismatch');
    assert.equal(await server.storage.reports.has(report.reportId), false);
    assert.equal(await server.storage.devices.getRow('someone-else'), null);
  });

  test('an invalid report is 400 invalid_report with the failing paths', async () => {
    const report = syntheticReport('bank-ws-0412', 11);
    (report.packages[0] as { lastResult: string | null }).lastResult = '0x8007000D';
    const res = await postReport(server, key, report).expect(400);
    assertEnvelope(res.body, 'invalid_report');
    assert.ok((res.body.error.details as { path: string }[]).some((d) => d.path === 'packages.0.lastResult'));
  });

  test('a missing required array is rejected, not defaulted', async () => {
    const { scans: _scans, ...withoutScans } = syntheticReport('bank-ws-0412', 12);
    const res = await postReport(server, key, withoutScans).expect(400);
    assert.ok((res.body.error.details as { path: string }[]).some((d) => d.path === 'scans'));
  });

  test('broken JSON is 400 invalid_json; another schemaVersion is 400 unsupported_schema_version', async () => {
    const broken = await server.http.post('/api/v1/reports').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/json').send('{"schemaVersion":1,');
    assert.equal(broken.status, 400);
    assertEnvelope(broken.body, 'invalid_json');
    const v2 = await postReport(server, key, { ...syntheticReport('bank-ws-0412', 13), schemaVersion: 2 }).expect(400);
    assertEnvelope(v2.body, 'unsupported_schema_version');
  });

  test('a body over the limit is 413 payload_too_large; a non-JSON content type is 415', async () => {
    const big = syntheticReport('bank-ws-0412', 14);
    big.parse.files = Array.from({ length: 900 }, (_, i) => ({ name: `C:/Windows/Logs/CBS/CbsPersist_${'x'.repeat(60)}_${i}.log`, bytes: 1, lines: 1 }));
    const res = await postReport(server, key, big).expect(413);
    assertEnvelope(res.body, 'payload_too_large');
    const text = await server.http.post('/api/v1/reports').set('Authorization', `Bearer ${key}`).set('Content-Type', 'text/plain').send('hello').expect(415);
    assertEnvelope(text.body, 'unsupported_media_type');
  });

  test('a revoked device key stops working at once', async () => {
    const revokedKey = await enroll(server, 'to-revoke');
    await postReport(server, revokedKey, syntheticReport('to-revoke', 1)).expect(202);
    await server.patchlens.ctx.admin.revokeDeviceKeys({ name: 't', ip: null }, 'to-revoke');
    assertEnvelope((await postReport(server, revokedKey, syntheticReport('to-revoke', 2)).expect(401)).body, 'invalid_device_key');
  });
});

describe('overload', () => {
  test('beyond the queue capacity reports get 429 with Retry-After, and every report acknowledged is stored', async () => {
    // Commits are held back until released, as a stalled disk would; the queue fills up behind them.
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const server = await startTestServer({
      config: { ingestQueueSize: 4, ingestBatchSize: 2 },
      wrapStorage: (storage) =>
        Object.assign(Object.create(storage) as SqliteStorage, {
          reports: Object.assign(Object.create(storage.reports) as SqliteStorage['reports'], {
            ingestBatch: async (...args: Parameters<SqliteStorage['reports']['ingestBatch']>) => {
              await stalled;
              return storage.reports.ingestBatch(...args);
            },
          }),
        }),
    });
    try {
      const keys = await Promise.all(Array.from({ length: 10 }, (_, i) => enroll(server, `load-${i}`)));
      const pending = keys.map((key, i) => postReport(server, key, syntheticReport(`load-${i}`, 1)).then((res) => res));
      // Wait until the queue is full, then some requests must have been turned away.
      while (server.patchlens.ingest.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      const results = await Promise.all(pending);
      const accepted = results.filter((r) => r.status === 202).length;
      const shed = results.filter((r) => r.status === 429).length;
      // The held batch (1–2 reports) plus the 4 queued are accepted; everything else is shed.
      assert.equal(accepted + shed, 10);
      assert.ok(accepted >= 5 && accepted <= 6, `accepted ${accepted}`);
      for (const res of results.filter((r) => r.status === 429)) {
        assertEnvelope(res.body, 'overloaded');
        assert.ok(Number(res.headers['retry-after']) >= 1);
      }
      for (const res of results.filter((r) => r.status === 202)) {
        assert.equal(await server.storage.reports.has(res.body.reportId as string), true);
      }
      assert.equal(await server.storage.reports.count(), accepted);
    } finally {
      release();
      await server.close();
    }
  });
});

describe('batch isolation', () => {
  test('a report whose projection fails gets 500 and leaves no trace, while reports in the same batch are stored', async () => {
    const failing = {
      name: 'fails-for-one-device',
      apply(_tx: unknown, change: { deviceId: string }) {
        if (change.deviceId === 'poison') throw new Error('projection failed');
      },
    };
    const server = await startTestServer({ projections: [failing] });
    try {
      const poisonKey = await enroll(server, 'poison');
      const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => enroll(server, `fine-${i}`)));
      const poison = syntheticReport('poison', 1);
      const results = await Promise.all([
        postReport(server, poisonKey, poison),
        ...keys.map((key, i) => postReport(server, key, syntheticReport(`fine-${i}`, 1))),
      ]);
      assert.equal(results[0]!.status, 500);
      assertEnvelope(results[0]!.body, 'internal');
      assert.deepEqual(results.slice(1).map((r) => r.status), [202, 202, 202, 202, 202]);
      assert.equal(await server.storage.reports.has(poison.reportId), false);
      assert.equal(await server.storage.devices.getRow('poison'), null);
      assert.equal(await server.storage.counters.get(DEVICE_COUNTERS.total), 5);
    } finally {
      await server.close();
    }
  });
});
