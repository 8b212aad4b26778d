// Finding 4: failed sign-ins lock the (account, address) pair, not the account for everyone; the account-wide ceiling is far higher, and the admin command clears locks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runAdmin } from '../../server/admin-cli';
import { startTestServer, type TestServer } from '../server/harness';

const PASSWORD = 'a long enough passphrase';
const ACCOUNT_CEILING = 12;

describe('lockout is per account and address', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { trustProxy: 'loopback', loginAccountMaxFailures: ACCOUNT_CEILING } });
  });
  after(() => server.close());

  const signIn = (address: string, username: string, password: string) =>
    server.http.post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ username, password });

  const addUser = async (username: string, role: 'admin' | 'viewer' = 'viewer') => {
    await server.patchlens.ctx.admin.createUser({ name: 'test', ip: null }, { username, role, password: PASSWORD });
  };

  const fail = async (address: string, username: string, times: number) => {
    for (let i = 0; i < times; i++) assert.equal((await signIn(address, username, `wrong ${i}`)).status, 401);
  };

  async function admin(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runAdmin(args, { DATA_DIR: server.dir }, { write: (t: string) => (out += t) }, { write: (t: string) => (err += t) });
    return { code, out: out.trim(), err };
  }

  test('five failures from one address lock that address out; the right password still works from another', async () => {
    await addUser('anna', 'admin');
    await fail('203.0.113.1', 'anna', 5);
    const locked = await signIn('203.0.113.1', 'anna', PASSWORD);
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers['retry-after']) > 60);
    assert.equal((await signIn('198.51.100.1', 'anna', PASSWORD)).status, 200);
  });

  test('failures spread over addresses lock the account only at the account-wide ceiling', async () => {
    await addUser('bert');
    await fail('203.0.113.11', 'bert', 4);
    await fail('203.0.113.12', 'bert', 4);
    assert.equal((await signIn('198.51.100.11', 'bert', PASSWORD)).status, 200, 'below the ceiling the account is open');
    await fail('203.0.113.13', 'bert', 4);
    const locked = await signIn('198.51.100.12', 'bert', PASSWORD);
    assert.equal(locked.status, 429, `${ACCOUNT_CEILING} failures reach the ceiling: locked from every address`);
    assert.ok(Number(locked.headers['retry-after']) >= 1);
  });

  test('`admin user unlock NAME` clears the locks of the running server, with an audit entry', async () => {
    await addUser('carl');
    await fail('203.0.113.21', 'carl', 4);
    await fail('203.0.113.22', 'carl', 4);
    await fail('203.0.113.23', 'carl', 4);
    assert.equal((await signIn('203.0.113.23', 'carl', PASSWORD)).status, 429);
    assert.equal((await signIn('198.51.100.21', 'carl', PASSWORD)).status, 429);
    const unlocked = await admin('user', 'unlock', 'carl');
    assert.equal(unlocked.code, 0, unlocked.err);
    assert.equal((await signIn('203.0.113.23', 'carl', PASSWORD)).status, 200);
    assert.equal((await signIn('198.51.100.21', 'carl', PASSWORD)).status, 200);
    const audit = await server.storage.audit.list({ limit: 100 });
    assert.ok(audit.some((e) => e.actor === 'cli' && e.action === 'user.unlock' && e.target === 'user:carl'));
    assert.equal((await admin('user', 'unlock', 'nobody')).code, 1);
  });

  test('`admin user reset-password NAME` clears the lock too', async () => {
    await addUser('dora');
    await fail('203.0.113.31', 'dora', 5);
    assert.equal((await signIn('203.0.113.31', 'dora', PASSWORD)).status, 429);
    const reset = await admin('user', 'reset-password', 'dora');
    assert.equal(reset.code, 0, reset.err);
    assert.equal((await signIn('203.0.113.31', 'dora', reset.out)).status, 200);
  });
});
