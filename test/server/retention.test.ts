// Retention: report bodies are pruned after the body retention, report rows after the history retention, expired sessions go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../server/clock';
import { runRetention } from '../../server/ingest/retention';
import { enroll, login, postReport, startTestServer, syntheticReport } from './harness';

test('old bodies, old report rows and expired sessions are removed; newer ones stay', async () => {
  const clock = new ManualClock('2024-11-01T00:00:00Z');
  const server = await startTestServer({ clock, config: { reportBodyRetentionMs: '30d', reportRetentionMs: '400d', sessionTtlMs: '12h' } });
  try {
    const key = await enroll(server, 'kept');
    const old = syntheticReport('kept', 1, { generatedAt: new Date(clock.now()).toISOString() });
    await postReport(server, key, old).expect(202);
    await login(server);
    clock.advance(31 * 86_400_000);
    const recent = syntheticReport('kept', 2, { generatedAt: new Date(clock.now()).toISOString() });
    await postReport(server, key, recent).expect(202);

    const first = await runRetention(server.patchlens.ctx);
    assert.deepEqual(first, { bodies: 1, reports: 0, sessions: 1, throttle: 0 });
    assert.equal(await server.storage.reports.body(old.reportId), null);
    assert.equal(await server.storage.reports.has(old.reportId), true);
    assert.ok(await server.storage.reports.body(recent.reportId));

    clock.advance(370 * 86_400_000);
    const second = await runRetention(server.patchlens.ctx);
    assert.equal(second.reports, 1);
    assert.equal(await server.storage.reports.has(old.reportId), false);
    assert.equal(await server.storage.reports.has(recent.reportId), true);
    // The device's current state is not history: it stays.
    assert.ok(await server.storage.devices.get('kept'));
  } finally {
    await server.close();
  }
});
