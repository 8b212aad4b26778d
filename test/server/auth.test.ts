// Dashboard sign-in: sessions, rotation, logout, CSRF, one-time password change, throttling, security headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, apiToken, assertEnvelope, login, startTestServer, type TestServer } from './harness';

describe('sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('login sets an HttpOnly SameSite cookie and returns the user and a CSRF token', async () => {
    const res = await server.http.post('/api/v1/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    assert.match(cookie, /^patchlens_session=pls_/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.equal(res.body.user.username, 'admin');
    assert.equal(res.body.user.role, 'admin');
    assert.equal(typeof res.body.csrfToken, 'string');
    const me = await server.http.get('/api/v1/auth/me').set('Cookie', cookie.split(';')[0]!).expect(200);
    assert.equal(me.body.csrfToken, res.body.csrfToken);
  });

  test('a wrong password and an unknown user get the same 401', async () => {
    const wrong = await server.http.post('/api/v1/auth/login').send({ username: 'admin', password: 'not the password' }).expect(401);
    const unknown = await server.http.post('/api/v1/auth/login').send({ username: 'nobody', password: 'not the password' }).expect(401);
    assertEnvelope(wrong.body, 'unauthenticated');
    assert.deepEqual(wrong.body, unknown.body);
  });

  test('logging in again rotates the session: the old cookie stops working', async () => {
    const first = await login(server);
    const res = await server.http.post('/api/v1/auth/login').set('Cookie', first.cookie).send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    const second = (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    assert.notEqual(second, first.cookie);
    await server.http.get('/api/v1/auth/me').set('Cookie', first.cookie).expect(401);
    await server.http.get('/api/v1/auth/me').set('Cookie', second).expect(200);
  });

  test('logout needs the CSRF token and then ends the session', async () => {
    const session = await login(server);
    const noCsrf = await server.http.post('/api/v1/auth/logout').set('Cookie', session.cookie).expect(403);
    assertEnvelope(noCsrf.body, 'csrf_failed');
    await server.http.post('/api/v1/auth/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    await server.http.get('/api/v1/auth/me').set('Cookie', session.cookie).expect(401);
  });

  test('unsafe requests with a session but a wrong CSRF token are refused; API tokens need none', async () => {
    const session = await login(server);
    const res = await server.http
      .post('/api/v1/admin/tokens')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', 'csrf_wrong')
      .send({ name: 'x', role: 'viewer' })
      .expect(403);
    assertEnvelope(res.body, 'csrf_failed');
    const token = await apiToken(server, 'admin');
    await server.http.post('/api/v1/admin/tokens').set('Authorization', `Bearer ${token}`).send({ name: 'x', role: 'viewer' }).expect(201);
  });

  test('a bad login body is 400 with the envelope', async () => {
    const res = await server.http.post('/api/v1/auth/login').send({ username: 'admin' }).expect(400);
    assertEnvelope(res.body, 'invalid_request');
  });
});

describe('one-time passwords', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a user with a one-time password can only change it, and then works normally', async () => {
    const { oneTimePassword } = await server.patchlens.ctx.admin.createUser({ name: 't', ip: null }, { username: 'viv', role: 'viewer' });
    assert.ok(oneTimePassword);
    const session = await login(server, 'viv', oneTimePassword);
    const blocked = await server.http.get('/api/v1/admin/users').set('Cookie', session.cookie).expect(403);
    assertEnvelope(blocked.body, 'forbidden');
    const me = await server.http.get('/api/v1/auth/me').set('Cookie', session.cookie).expect(200);
    assert.equal(me.body.user.mustChangePassword, true);
    const short = await server.http
      .post('/api/v1/auth/password')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .send({ currentPassword: oneTimePassword, newPassword: 'short' })
      .expect(400);
    assertEnvelope(short.body, 'invalid_request');
    const changed = await server.http
      .post('/api/v1/auth/password')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .send({ currentPassword: oneTimePassword, newPassword: 'a much longer passphrase' })
      .expect(200);
    assert.equal(changed.body.user.mustChangePassword, false);
    // The old session ended; the new cookie works; the viewer still cannot reach admin routes.
    await server.http.get('/api/v1/auth/me').set('Cookie', session.cookie).expect(401);
    const fresh = (changed.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const viewerOnAdmin = await server.http.get('/api/v1/admin/users').set('Cookie', fresh).expect(403);
    assertEnvelope(viewerOnAdmin.body, 'forbidden');
    await login(server, 'viv', 'a much longer passphrase');
  });
});

describe('login throttling', () => {
  test('five failures lock the account with 429 and Retry-After, even for the right password', async () => {
    const server = await startTestServer();
    try {
      for (let i = 0; i < 5; i++) {
        await server.http.post('/api/v1/auth/login').send({ username: 'admin', password: `wrong-${i}` }).expect(401);
      }
      const locked = await server.http.post('/api/v1/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(429);
      assertEnvelope(locked.body, 'rate_limited');
      assert.ok(Number(locked.headers['retry-after']) > 60);
    } finally {
      await server.close();
    }
  });

  test('failures from one address across many accounts lock that address', async () => {
    const server = await startTestServer();
    try {
      let status = 0;
      for (let i = 0; i < 31 && status !== 429; i++) {
        status = (await server.http.post('/api/v1/auth/login').send({ username: `user${i}`, password: 'wrong password' })).status;
      }
      assert.equal(status, 429);
    } finally {
      await server.close();
    }
  });
});

describe('security headers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { trustProxy: 'loopback' } });
  });
  after(() => server.close());

  test('every response carries CSP, nosniff and frame denial; HSTS only over TLS', async () => {
    const res = await server.http.get('/api/v1/auth/me').expect(401);
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['strict-transport-security'], undefined);
    assert.equal(res.headers['x-powered-by'], undefined);
    const proxied = await server.http.get('/healthz').set('X-Forwarded-Proto', 'https').expect(200);
    assert.match(String(proxied.headers['strict-transport-security']), /max-age=31536000/);
  });

  test('unknown API routes answer 404 with the envelope; the dashboard route answers HTML', async () => {
    const res = await server.http.get('/api/v1/no-such-route').expect(404);
    assertEnvelope(res.body, 'not_found');
    const page = await server.http.get('/devices/some-device').expect(200);
    assert.match(page.text, /PatchLens/);
  });
});
