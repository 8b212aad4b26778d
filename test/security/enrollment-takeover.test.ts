// Device takeover with the fleet enrollment secret: a second enrollment of an enrolled id waits for an admin (API and CLI), never replaces the key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runAdmin } from '../../server/admin-cli';
import { ManualClock } from '../../server/clock';
import { apiToken, assertEnvelope, enroll, login, postReport, startTestServer, syntheticReport, type Session, type TestServer } from '../server/harness';

const pickupToken = () => randomBytes(32).toString('base64url');

/** What an attacker with the secret from any host's agent.json sends: an enrolled victim's id. */
function enrollAgain(server: TestServer, secret: string, deviceId: string, token?: string) {
  return server.http.post('/api/v1/agents/enroll').send({ secret, deviceId, hostname: 'ATTACKER-PC', ...(token ? { pickupToken: token } : {}) });
}

const poll = (server: TestServer, token: string) => server.http.post('/api/v1/agents/enroll/poll').send({ pickupToken: token });

async function auditActions(server: TestServer, target: string): Promise<string[]> {
  return (await server.storage.audit.list({ limit: 500 })).filter((entry) => entry.target === target).map((entry) => entry.action);
}

describe('enrollment takeover', () => {
  let server: TestServer;
  let secret: string;
  let admin: Session;
  before(async () => {
    server = await startTestServer();
    secret = (await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 't', ip: null }, { name: 'fleet' })).secret;
    admin = await login(server);
  });
  after(() => server.close());

  const asAdmin = (method: 'get' | 'post', path: string) => server.http[method](path).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf);

  test('the fleet secret does not take over an enrolled device: no key for the attacker, the victim keeps reporting', async () => {
    const victimKey = await enroll(server, 'victim-01');
    await postReport(server, victimKey, syntheticReport('victim-01', 1)).expect(202);
    const attack = await enrollAgain(server, secret, 'victim-01');
    assert.equal(attack.status, 202, `a second enrollment of an enrolled id must wait, got ${attack.status}`);
    assert.equal(attack.body.deviceKey, undefined, 'no key handed out');
    assert.equal(attack.body.status, 'pending');
    await postReport(server, victimKey, syntheticReport('victim-01', 2)).expect(202);
    const keys = await server.storage.credentials.listDeviceKeys('victim-01');
    assert.deepEqual(keys.map((key) => key.revokedAt), [null], 'the victim key stays the only key, not revoked');
  });

  test('an id whose keys an admin revoked is still enrolled: enrolling it again waits too', async () => {
    await enroll(server, 'victim-02');
    await server.patchlens.ctx.admin.revokeDeviceKeys({ name: 't', ip: null }, 'victim-02');
    const res = await enrollAgain(server, secret, 'victim-02');
    assert.equal(res.status, 202);
    assert.equal(res.body.deviceKey, undefined);
  });

  test('approved in the dashboard API: the old key stops, only the pickup token holder gets the new key, once; every step audited', async () => {
    const oldKey = await enroll(server, 'reimaged-03');
    const token = pickupToken();
    const pending = await enrollAgain(server, secret, 'reimaged-03', token).expect(202);
    const requestId = pending.body.requestId as number;
    assert.ok(Number(pending.headers['retry-after']) >= 1);
    assert.equal(pending.body.pickupToken, undefined, 'the agent made the token; it is not echoed');
    assertEnvelope((await poll(server, pickupToken()).expect(404)).body, 'not_found');
    assert.equal((await poll(server, token).expect(200)).body.status, 'pending');

    const listed = await asAdmin('get', '/api/v1/admin/enrollment-requests').expect(200);
    const item = (listed.body.items as { id: number; deviceId: string; hostname: string; knownHostname: string; secretName: string }[]).find((r) => r.id === requestId);
    assert.ok(item);
    assert.equal(item.deviceId, 'reimaged-03');
    assert.equal(item.hostname, 'ATTACKER-PC');
    assert.equal(item.knownHostname, 'REIMAGED-03', 'the admin sees the host name the device enrolled with');
    assert.equal(item.secretName, 'fleet');

    // Like every admin change: CSRF for sessions, the admin role.
    const noCsrf = await server.http.post(`/api/v1/admin/enrollment-requests/${requestId}/approve`).set('Cookie', admin.cookie).expect(403);
    assertEnvelope(noCsrf.body, 'csrf_failed');
    const viewer = await apiToken(server, 'viewer');
    await server.http.post(`/api/v1/admin/enrollment-requests/${requestId}/approve`).set('Authorization', `Bearer ${viewer}`).expect(403);
    assert.equal((await poll(server, token).expect(200)).body.status, 'pending');

    const approved = await asAdmin('post', `/api/v1/admin/enrollment-requests/${requestId}/approve`).expect(200);
    assert.equal(approved.body.request.status, 'approved');
    assert.equal(approved.body.revokedKeys, 1);
    await postReport(server, oldKey, syntheticReport('reimaged-03', 1)).expect(401);
    assertEnvelope((await asAdmin('post', `/api/v1/admin/enrollment-requests/${requestId}/approve`).expect(409)).body, 'conflict');

    const collected = await poll(server, token).expect(200);
    assert.equal(collected.body.status, 'approved');
    const newKey = collected.body.deviceKey as string;
    assert.match(newKey, /^pld_/);
    assert.equal((await poll(server, token).expect(200)).body.status, 'collected', 'the key is handed out once');
    await postReport(server, newKey, syntheticReport('reimaged-03', 2)).expect(202);
    assert.deepEqual(await auditActions(server, 'device:reimaged-03'), ['enrollment_request.collect', 'enrollment_request.approve', 'enrollment_request.create']);
    const approval = (await server.storage.audit.list({ limit: 500, action: 'enrollment_request.approve' }))[0];
    assert.equal(approval?.actor, 'admin');
  });

  test('rejected: the device keeps its key, the requester learns it and gets nothing', async () => {
    const key = await enroll(server, 'victim-04');
    const token = pickupToken();
    const requestId = (await enrollAgain(server, secret, 'victim-04', token).expect(202)).body.requestId as number;
    const rejected = await asAdmin('post', `/api/v1/admin/enrollment-requests/${requestId}/reject`).expect(200);
    assert.equal(rejected.body.request.status, 'rejected');
    assert.deepEqual((await poll(server, token).expect(200)).body, { status: 'rejected', requestId });
    await postReport(server, key, syntheticReport('victim-04', 1)).expect(202);
    assert.ok((await auditActions(server, 'device:victim-04')).includes('enrollment_request.reject'));
    const listed = await asAdmin('get', '/api/v1/admin/enrollment-requests').expect(200);
    assert.ok(!(listed.body.items as { id: number }[]).some((r) => r.id === requestId), 'decided requests leave the list');
    assertEnvelope((await asAdmin('post', '/api/v1/admin/enrollment-requests/99999/reject').expect(404)).body, 'not_found');
  });

  test('approving one request rejects the device\'s other open requests (the attacker\'s among them)', async () => {
    await enroll(server, 'reimaged-05');
    const attacker = pickupToken();
    const owner = pickupToken();
    await enrollAgain(server, secret, 'reimaged-05', attacker).expect(202);
    const ownerId = (await enrollAgain(server, secret, 'reimaged-05', owner).expect(202)).body.requestId as number;
    await asAdmin('post', `/api/v1/admin/enrollment-requests/${ownerId}/approve`).expect(200);
    assert.equal((await poll(server, attacker).expect(200)).body.status, 'rejected');
    assert.equal((await poll(server, owner).expect(200)).body.status, 'approved');
  });

  test('the same pickup token again finds the same request (a lost answer); open requests per device are bounded', async () => {
    await enroll(server, 'victim-06');
    const token = pickupToken();
    const first = (await enrollAgain(server, secret, 'victim-06', token).expect(202)).body.requestId as number;
    assert.equal((await enrollAgain(server, secret, 'victim-06', token).expect(202)).body.requestId, first);
    for (let i = 0; i < 4; i++) await enrollAgain(server, secret, 'victim-06').expect(202);
    const flood = await enrollAgain(server, secret, 'victim-06').expect(429);
    assertEnvelope(flood.body, 'rate_limited');
    assert.ok(Number(flood.headers['retry-after']) >= 1);
  });

  test('a request without a pickup token gets a server-made one, shown only in the 202', async () => {
    await enroll(server, 'victim-07');
    const res = await enrollAgain(server, secret, 'victim-07').expect(202);
    assert.match(res.body.pickupToken as string, /^plp_/);
    assert.equal((await poll(server, res.body.pickupToken as string).expect(200)).body.status, 'pending');
    const stored = JSON.stringify(server.storage.db.prepare('SELECT * FROM enrollment_requests').all());
    assert.ok(!stored.includes(res.body.pickupToken as string), 'only the hash of a pickup token is stored');
  });
});

describe('re-enrollment decisions from the admin command line', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function admin(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runAdmin(args, { DATA_DIR: server.dir }, { write: (t: string) => (out += t) }, { write: (t: string) => (err += t) });
    return { code, out, err };
  }

  test('enrollment list, approve and reject work on DATA_DIR while the server runs, each audited as cli', async () => {
    const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 't', ip: null }, { name: 'fleet' });
    const oldKey = await enroll(server, 'cli-08');
    const keep = await enroll(server, 'cli-09');
    const approveToken = pickupToken();
    const rejectToken = pickupToken();
    const toApprove = (await enrollAgain(server, secret, 'cli-08', approveToken).expect(202)).body.requestId as number;
    const toReject = (await enrollAgain(server, secret, 'cli-09', rejectToken).expect(202)).body.requestId as number;

    const list = await admin('enrollment', 'list');
    assert.equal(list.code, 0);
    assert.match(list.out, new RegExp(`^${toApprove}\\tpending\\tcli-08\\tATTACKER-PC\\t.*known as CLI-08`, 'm'));
    assert.match(list.out, new RegExp(`^${toReject}\\tpending\\tcli-09\\t`, 'm'));

    assert.equal((await admin('enrollment', 'approve', String(toApprove))).code, 0);
    assert.equal((await admin('enrollment', 'reject', String(toReject))).code, 0);
    const again = await admin('enrollment', 'approve', String(toApprove));
    assert.equal(again.code, 1);
    assert.match(again.err, /not pending/);
    assert.equal((await admin('enrollment', 'approve')).code, 2);

    await postReport(server, oldKey, syntheticReport('cli-08', 1)).expect(401);
    const collected = await poll(server, approveToken).expect(200);
    await postReport(server, collected.body.deviceKey as string, syntheticReport('cli-08', 1)).expect(202);
    assert.equal((await poll(server, rejectToken).expect(200)).body.status, 'rejected');
    await postReport(server, keep, syntheticReport('cli-09', 1)).expect(202);
    const decisions = (await server.storage.audit.list({ limit: 500 })).filter((e) => e.action === 'enrollment_request.approve' || e.action === 'enrollment_request.reject');
    assert.deepEqual(decisions.map((e) => [e.action, e.actor, e.target]), [
      ['enrollment_request.reject', 'cli', 'device:cli-09'],
      ['enrollment_request.approve', 'cli', 'device:cli-08'],
    ]);
  });
});

describe('re-enrollment requests expire', () => {
  test('undecided past ENROLL_PENDING_TTL: the poll says expired and an admin can no longer approve it', async () => {
    const clock = new ManualClock('2024-11-21T08:00:00Z');
    const server = await startTestServer({ clock, config: { enrollPendingTtlMs: 3_600_000 } });
    try {
      const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 't', ip: null }, { name: 'fleet' });
      await enroll(server, 'victim-10');
      const token = pickupToken();
      const res = await enrollAgain(server, secret, 'victim-10', token).expect(202);
      assert.equal(res.body.expiresAt, '2024-11-21T09:00:00.000Z');
      clock.advance(3_600_000);
      assert.equal((await poll(server, token).expect(200)).body.status, 'expired');
      const token2 = await apiToken(server, 'admin');
      const late = await server.http.post(`/api/v1/admin/enrollment-requests/${res.body.requestId}/approve`).set('Authorization', `Bearer ${token2}`).expect(409);
      assertEnvelope(late.body, 'conflict');
      const listed = await server.http.get('/api/v1/admin/enrollment-requests').set('Authorization', `Bearer ${token2}`).expect(200);
      assert.deepEqual(listed.body.items, []);
    } finally {
      await server.close();
    }
  });
});
