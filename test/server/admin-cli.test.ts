// `npm run admin -- …` on DATA_DIR: secrets and tokens that work against a running server, user management, usage errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runAdmin } from '../../server/admin-cli';
import { startTestServer, syntheticReport, postReport, type TestServer } from './harness';

async function admin(server: TestServer, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAdmin(args, { DATA_DIR: server.dir }, { write: (t: string) => (out += t) }, { write: (t: string) => (err += t) });
  return { code, out: out.trim(), err };
}

describe('admin command line', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('enroll-secret prints only a secret that a device can enroll with while the server runs', async () => {
    const { code, out } = await admin(server, 'enroll-secret', '--name', 'branch');
    assert.equal(code, 0);
    assert.match(out, /^ple_[A-Za-z0-9_-]+$/);
    const res = await server.http.post('/api/v1/agents/enroll').send({ secret: out, deviceId: 'cli-device', hostname: 'CLI' }).expect(201);
    await postReport(server, res.body.deviceKey as string, syntheticReport('cli-device', 1)).expect(202);
  });

  test('token --role prints an API token with that role', async () => {
    const viewer = await admin(server, 'token', '--role', 'viewer');
    assert.equal(viewer.code, 0);
    await server.http.get('/api/v1/admin/users').set('Authorization', `Bearer ${viewer.out}`).expect(403);
    const adminToken = await admin(server, 'token', '--role', 'admin');
    await server.http.get('/api/v1/admin/users').set('Authorization', `Bearer ${adminToken.out}`).expect(200);
  });

  test('user add, list, reset-password, disable and enable', async () => {
    const added = await admin(server, 'user', 'add', 'dora', '--role', 'viewer');
    assert.equal(added.code, 0);
    await server.http.post('/api/v1/auth/login').send({ username: 'dora', password: added.out }).expect(200);
    assert.match((await admin(server, 'user', 'list')).out, /^dora\tviewer\tenabled\tmust-change-password$/m);
    const reset = await admin(server, 'user', 'reset-password', 'dora');
    assert.notEqual(reset.out, added.out);
    await server.http.post('/api/v1/auth/login').send({ username: 'dora', password: added.out }).expect(401);
    assert.equal((await admin(server, 'user', 'disable', 'dora')).code, 0);
    await server.http.post('/api/v1/auth/login').send({ username: 'dora', password: reset.out }).expect(401);
    assert.equal((await admin(server, 'user', 'enable', 'dora')).code, 0);
    await server.http.post('/api/v1/auth/login').send({ username: 'dora', password: reset.out }).expect(200);
    const audit = await server.storage.audit.list({ limit: 100 });
    assert.ok(audit.some((e) => e.actor === 'cli' && e.action === 'user.reset_password' && e.target === 'user:dora'));
  });

  test('mistakes exit non-zero with a clear line and the usage', async () => {
    const badRole = await admin(server, 'token', '--role', 'root');
    assert.equal(badRole.code, 2);
    assert.match(badRole.err, /--role must be viewer or admin/);
    assert.match(badRole.err, /usage: npm run admin/);
    const unknown = await admin(server, 'user', 'reset-password', 'nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no user named nobody/);
    assert.equal((await admin(server, 'frobnicate')).code, 2);
    const usageMistakes: [string[], RegExp][] = [
      [['token', '--role', 'viewer', '--bogus'], /^admin: unknown option --bogus\n/],
      [['enroll-secret', '--name'], /^admin: --name needs a value\n/],
      [['enroll-secret', '--expires-days', 'soon'], /^admin: --expires-days must be a whole number of days \(got 'soon'\)\n/],
      [['user', 'list', '--role', 'admin'], /^admin: --role goes with user add\n/],
      [['user', 'disable', 'dora', 'extra'], /^admin: unexpected argument 'extra'\n/],
    ];
    for (const [args, message] of usageMistakes) {
      const result = await admin(server, ...args);
      assert.deepEqual([result.code, result.out], [2, ''], args.join(' '));
      assert.match(result.err, message);
      assert.match(result.err, /usage: npm run admin/);
    }
  });
});
