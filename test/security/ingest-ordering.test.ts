// Ingest ordering does not trust a device's sequence or generatedAt: far-future and implausible reports are refused, a new key starts a new epoch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../server/clock';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from '../../server/security/secrets';
import { assertEnvelope, enroll, postReport, startTestServer, syntheticReport, type TestServer } from '../server/harness';

const HOUR = 3_600_000;
const details = (body: { error: { details?: { path: string }[] } }) => (body.error.details ?? []).map((detail) => detail.path);

describe('ingest ordering against a hostile device', () => {
  const clock = new ManualClock('2024-11-21T12:00:00Z');
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock });
  });
  after(() => server.close());

  /** A fresh key for the device, as approving its re-enrollment hands out (the old one is revoked). */
  async function newKeyFor(deviceId: string): Promise<string> {
    const key = generateCredential(CREDENTIAL_PREFIX.deviceKey);
    await server.storage.credentials.issueDeviceKey({ deviceId, hostname: deviceId.toUpperCase(), keyHash: hashCredential(key), secretId: null, now: clock.now() });
    return key;
  }

  test('a report generated more than 24 h ahead of the server clock is refused with 400 and stored nowhere', async () => {
    const key = await enroll(server, 'future-01');
    const ahead = syntheticReport('future-01', 1, { generatedAt: new Date(clock.now() + 25 * HOUR).toISOString() });
    const res = await postReport(server, key, ahead).expect(400);
    assertEnvelope(res.body, 'invalid_report');
    assert.deepEqual(details(res.body), ['generatedAt']);
    assert.equal(await server.storage.reports.has(ahead.reportId), false);
    assert.equal(await server.storage.devices.getRow('future-01'), null);
    // A clock a few hours fast is a drifting clock, not an attack.
    await postReport(server, key, syntheticReport('future-01', 2, { generatedAt: new Date(clock.now() + 23 * HOUR).toISOString() })).expect(202);
  });

  test('a sequence jump to 2^53 - 1 is refused and does not freeze the device: the next real report still applies', async () => {
    const key = await enroll(server, 'jump-02');
    await postReport(server, key, syntheticReport('jump-02', 5)).expect(202);
    const forged = syntheticReport('jump-02', 6, { sequence: Number.MAX_SAFE_INTEGER });
    const res = await postReport(server, key, forged).expect(400);
    assertEnvelope(res.body, 'invalid_report');
    assert.deepEqual(details(res.body), ['sequence']);
    assert.equal(await server.storage.reports.has(forged.reportId), false);
    const next = await postReport(server, key, syntheticReport('jump-02', 6)).expect(202);
    assert.equal(next.body.outcome, 'applied');
    assert.equal((await server.storage.devices.getRow('jump-02'))?.lastSequence, 6);
  });

  test('plausible: 10,000 ahead plus one per second since the last accepted report', async () => {
    const key = await enroll(server, 'jump-03');
    await postReport(server, key, syntheticReport('jump-03', 1)).expect(202);
    clock.advance(HOUR);
    await postReport(server, key, syntheticReport('jump-03', 2, { sequence: 1 + 10_000 + 3_600 + 1 })).expect(400);
    assert.equal((await postReport(server, key, syntheticReport('jump-03', 4, { sequence: 1 + 10_000 + 3_600 })).expect(202)).body.outcome, 'applied');
  });

  test('a new key starts a new sequence epoch: a sequence forged with a stolen key no longer holds the state', async () => {
    const stolen = await enroll(server, 'victim-04');
    await postReport(server, stolen, syntheticReport('victim-04', 3)).expect(202);
    // The thief pushes the sequence as far as it is still plausible, and the time a day ahead.
    const forged = syntheticReport('victim-04', 4, { sequence: 3 + 10_000, generatedAt: new Date(clock.now() + 23 * HOUR).toISOString() });
    assert.equal((await postReport(server, stolen, forged).expect(202)).body.outcome, 'applied');

    // The admin approves the real device's re-enrollment: it starts over with a fresh agent state.
    const fresh = await newKeyFor('victim-04');
    await postReport(server, stolen, syntheticReport('victim-04', 5)).expect(401);
    const real = syntheticReport('victim-04', 1, { hotfixes: [{ kb: 'KB5044273', installedOn: '2024-11-21' }] });
    const res = await postReport(server, fresh, real).expect(202);
    assert.equal(res.body.outcome, 'applied', 'the first report under the new key is current whatever the old epoch said');
    const state = await server.storage.devices.get('victim-04');
    assert.equal(state?.device.lastSequence, 1);
    assert.deepEqual(state?.hotfixes.map((hotfix) => hotfix.kb), ['KB5044273']);
    // Within the new epoch ordering works as before.
    assert.equal((await postReport(server, fresh, syntheticReport('victim-04', 2)).expect(202)).body.outcome, 'applied');
    assert.equal((await postReport(server, fresh, syntheticReport('victim-04', 1)).expect(202)).body.outcome, 'superseded');
  });
});
