// Admin API: each route for success, bad input, wrong role and no credentials; every change lands in the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiToken, assertEnvelope, enroll, login, startTestServer, type Session, type TestServer } from './harness';

interface RouteCase {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: object;
}

const ADMIN_ROUTES: RouteCase[] = [
  { method: 'get', path: '/api/v1/admin/enrollment-secrets' },
  { method: 'post', path: '/api/v1/admin/enrollment-secrets', body: { name: 'x' } },
  { method: 'delete', path: '/api/v1/admin/enrollment-secrets/1' },
  { method: 'get', path: '/api/v1/admin/tokens' },
  { method: 'post', path: '/api/v1/admin/tokens', body: { name: 'x', role: 'viewer' } },
  { method: 'delete', path: '/api/v1/admin/tokens/1' },
  { method: 'get', path: '/api/v1/admin/users' },
  { method: 'post', path: '/api/v1/admin/users', body: { username: 'x', role: 'viewer' } },
  { method: 'patch', path: '/api/v1/admin/users/1', body: { role: 'viewer' } },
  { method: 'post', path: '/api/v1/admin/users/1/reset-password' },
  { method: 'get', path: '/api/v1/admin/devices/d1/keys' },
  { method: 'post', path: '/api/v1/admin/devices/d1/revoke-keys' },
  { method: 'get', path: '/api/v1/admin/enrollment-requests' },
  { method: 'post', path: '/api/v1/admin/enrollment-requests/1/approve' },
  { method: 'post', path: '/api/v1/admin/enrollment-requests/1/reject' },
  { method: 'get', path: '/api/v1/admin/audit' },
];

describe('admin routes', () => {
  let server: TestServer;
  let admin: Session;
  let adminToken: string;
  let viewerToken: string;
  before(async () => {
    server = await startTestServer();
    admin = await login(server);
    adminToken = await apiToken(server, 'admin');
    viewerToken = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  const asAdmin = (method: RouteCase['method'], path: string) =>
    server.http[method](path).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf);

  test('without credentials every admin route is 401 unauthenticated', async () => {
    for (const route of ADMIN_ROUTES) {
      const res = await server.http[route.method](route.path).send(route.body ?? {});
      assert.equal(res.status, 401, `${route.method} ${route.path}`);
      assertEnvelope(res.body, 'unauthenticated');
    }
  });

  test('with a viewer token every admin route is 403 forbidden and changes nothing', async () => {
    const auditBefore = await server.storage.audit.list({ limit: 1000 });
    for (const route of ADMIN_ROUTES) {
      const res = await server.http[route.method](route.path).set('Authorization', `Bearer ${viewerToken}`).send(route.body ?? {});
      assert.equal(res.status, 403, `${route.method} ${route.path}`);
      assertEnvelope(res.body, 'forbidden');
    }
    assert.equal((await server.storage.audit.list({ limit: 1000 })).length, auditBefore.length);
  });

  test('enrollment secrets: create shows the secret once, list hides it, revoke ends it', async () => {
    const created = await asAdmin('post', '/api/v1/admin/enrollment-secrets').send({ name: 'branch-office', expiresInDays: 30 }).expect(201);
    assert.match(created.body.secret, /^ple_/);
    assert.equal(created.body.enrollmentSecret.name, 'branch-office');
    assert.ok(created.body.enrollmentSecret.expiresAt);
    const list = await asAdmin('get', '/api/v1/admin/enrollment-secrets').expect(200);
    assert.ok(!JSON.stringify(list.body).includes(created.body.secret));
    const id = created.body.enrollmentSecret.id as number;
    await asAdmin('delete', `/api/v1/admin/enrollment-secrets/${id}`).expect(204);
    assertEnvelope((await asAdmin('delete', `/api/v1/admin/enrollment-secrets/${id}`).expect(404)).body, 'not_found');
    const bad = await asAdmin('post', '/api/v1/admin/enrollment-secrets').send({ expiresInDays: -1 }).expect(400);
    assertEnvelope(bad.body, 'invalid_request');
    assertEnvelope((await asAdmin('delete', '/api/v1/admin/enrollment-secrets/abc').expect(404)).body, 'not_found');
  });

  test('API tokens: a created viewer token reads but cannot administer; a revoked one is refused', async () => {
    const created = await server.http.post('/api/v1/admin/tokens').set('Authorization', `Bearer ${adminToken}`).send({ name: 'grafana', role: 'viewer' }).expect(201);
    const token = created.body.token as string;
    assert.match(token, /^plt_/);
    await server.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(403);
    const list = await asAdmin('get', '/api/v1/admin/tokens').expect(200);
    assert.ok((list.body.items as { name: string }[]).some((t) => t.name === 'grafana'));
    assert.ok(!JSON.stringify(list.body).includes(token));
    await asAdmin('delete', `/api/v1/admin/tokens/${created.body.apiToken.id}`).expect(204);
    const after = await server.http.get('/api/v1/admin/users').set('Authorization', `Bearer ${token}`).expect(401);
    assertEnvelope(after.body, 'unauthenticated');
    assertEnvelope((await asAdmin('post', '/api/v1/admin/tokens').send({ name: 'x', role: 'root' }).expect(400)).body, 'invalid_request');
  });

  test('users: create with a one-time password, change role, disable, reset password; the last admin is protected', async () => {
    const created = await asAdmin('post', '/api/v1/admin/users').send({ username: 'carol', role: 'viewer' }).expect(201);
    assert.equal(created.body.user.mustChangePassword, true);
    assert.equal(typeof created.body.oneTimePassword, 'string');
    const id = created.body.user.id as number;
    assertEnvelope((await asAdmin('post', '/api/v1/admin/users').send({ username: 'carol', role: 'viewer' }).expect(409)).body, 'conflict');
    assertEnvelope((await asAdmin('post', '/api/v1/admin/users').send({ username: 'bad name!', role: 'viewer' }).expect(400)).body, 'invalid_request');
    const promoted = await asAdmin('patch', `/api/v1/admin/users/${id}`).send({ role: 'admin' }).expect(200);
    assert.equal(promoted.body.user.role, 'admin');
    const disabled = await asAdmin('patch', `/api/v1/admin/users/${id}`).send({ disabled: true }).expect(200);
    assert.equal(disabled.body.user.disabled, true);
    await server.http.post('/api/v1/auth/login').send({ username: 'carol', password: created.body.oneTimePassword }).expect(401);
    assertEnvelope((await asAdmin('patch', `/api/v1/admin/users/${id}`).send({}).expect(400)).body, 'invalid_request');
    const reset = await asAdmin('post', `/api/v1/admin/users/${id}/reset-password`).expect(200);
    assert.notEqual(reset.body.oneTimePassword, created.body.oneTimePassword);
    assertEnvelope((await asAdmin('patch', '/api/v1/admin/users/999').send({ role: 'viewer' }).expect(404)).body, 'not_found');
    const me = await server.http.get('/api/v1/auth/me').set('Cookie', admin.cookie).expect(200);
    const lastAdmin = await asAdmin('patch', `/api/v1/admin/users/${me.body.user.id}`).send({ role: 'viewer' }).expect(409);
    assertEnvelope(lastAdmin.body, 'conflict');
    const list = await asAdmin('get', '/api/v1/admin/users').expect(200);
    assert.ok(!JSON.stringify(list.body).includes('scrypt'));
  });

  test('device keys: list and revoke', async () => {
    await enroll(server, 'dev-keys-1');
    const keys = await asAdmin('get', '/api/v1/admin/devices/dev-keys-1/keys').expect(200);
    assert.equal(keys.body.items.length, 1);
    assert.equal(keys.body.items[0].revokedAt, null);
    const revoked = await asAdmin('post', '/api/v1/admin/devices/dev-keys-1/revoke-keys').expect(200);
    assert.deepEqual(revoked.body, { deviceId: 'dev-keys-1', revoked: 1 });
  });

  test('the audit log lists admin actions newest first, pages by cursor and filters by action', async () => {
    const page1 = await asAdmin('get', '/api/v1/admin/audit?limit=2').expect(200);
    assert.equal(page1.body.items.length, 2);
    assert.ok(page1.body.nextCursor);
    const page2 = await asAdmin('get', `/api/v1/admin/audit?limit=2&cursor=${page1.body.nextCursor}`).expect(200);
    assert.ok(page2.body.items[0].id < page1.body.items[1].id);
    const creates = await asAdmin('get', '/api/v1/admin/audit?action=user.create&limit=100').expect(200);
    const carol = (creates.body.items as { target: string; actor: string; at: string }[]).find((e) => e.target === 'user:carol');
    assert.ok(carol);
    assert.equal(carol.actor, 'admin');
    assert.ok(!Number.isNaN(Date.parse(carol.at)));
    const actions = new Set(((await asAdmin('get', '/api/v1/admin/audit?limit=500').expect(200)).body.items as { action: string }[]).map((e) => e.action));
    for (const action of ['enrollment_secret.create', 'enrollment_secret.revoke', 'api_token.create', 'api_token.revoke', 'user.update', 'user.reset_password', 'device_keys.revoke']) {
      assert.ok(actions.has(action), `missing audit action ${action}`);
    }
    assertEnvelope((await asAdmin('get', '/api/v1/admin/audit?limit=0').expect(400)).body, 'invalid_request');
  });
});
