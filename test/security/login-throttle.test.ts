// Finding 3: parallel wrong passwords cannot outrun the failure limit, and a flood of bogus sign-ins cannot starve a real one of password hashing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../server/harness';

const LIMIT = 5;
const TELLER_PASSWORD = 'teller passphrase 2024';

describe('login throttle under parallel attempts', () => {
  let server: TestServer;
  before(async () => {
    // Behind a loopback proxy, so each request can name its client address in X-Forwarded-For.
    server = await startTestServer({ config: { trustProxy: 'loopback' } });
    await server.patchlens.ctx.admin.createUser({ name: 'test', ip: null }, { username: 'teller', role: 'viewer', password: TELLER_PASSWORD });
  });
  after(() => server.close());

  const signIn = (address: string, username: string, password: string) =>
    server.http.post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ username, password });

  test(`of 25 parallel wrong passwords at most ${LIMIT} are checked (401); the rest get 429 with Retry-After`, async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => signIn('203.0.113.10', 'admin', `wrong guess ${i}`)));
    const statuses = answers.map((res) => res.status);
    const checked = statuses.filter((s) => s === 401).length;
    assert.ok(checked <= LIMIT, `${checked} wrong passwords were checked, the limit is ${LIMIT}: ${statuses.join(' ')}`);
    assert.deepEqual(
      statuses.filter((s) => s !== 401 && s !== 429),
      [],
      'every answer is 401 or 429',
    );
    for (const res of answers.filter((r) => r.status === 429)) {
      assert.equal(res.body.error.code, 'rate_limited');
      assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After ${String(res.headers['retry-after'])}`);
    }
    // Guessing on one at a time: the checks over all guesses stay within the limit, and then the
    // guessing address is refused even with the right password.
    let total = checked;
    for (let i = 0; i < LIMIT; i++) {
      const status = (await signIn('203.0.113.10', 'admin', `one more guess ${i}`)).status;
      if (status === 429) break;
      assert.equal(status, 401);
      total++;
    }
    assert.ok(total <= LIMIT, `${total} wrong passwords were checked in all, the limit is ${LIMIT}`);
    assert.equal((await signIn('203.0.113.10', 'admin', ADMIN_PASSWORD)).status, 429);
  });

  test('while 60 bogus sign-ins from one address are in flight, a real sign-in from another completes promptly', async (t) => {
    // An uncontended sign-in first, to scale the bound to this machine's scrypt speed.
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      assert.equal((await signIn(`198.51.100.${20 + i}`, 'teller', TELLER_PASSWORD)).status, 200);
      alone.push(Date.now() - started);
    }
    const typical = alone.sort((a, b) => a - b)[1]!;
    const bogus = Array.from({ length: 60 }, (_, i) => signIn('203.0.113.66', `nobody-${i}`, 'a guess').then((res) => res.status));
    const started = Date.now();
    const real = await signIn('198.51.100.30', 'teller', TELLER_PASSWORD);
    const took = Date.now() - started;
    const statuses = await Promise.all(bogus);
    t.diagnostic(`real sign-in under load ${took} ms, uncontended ${typical} ms`);
    assert.equal(real.status, 200);
    // Unbounded hashing queues the real sign-in behind all 60 scrypt runs (seconds to tens of
    // seconds); bounded, it waits for a few at most. The bound is loose on purpose.
    const bound = Math.max(2_000, 10 * typical);
    assert.ok(took < bound, `the real sign-in took ${took} ms under load (uncontended ${typical} ms, bound ${bound} ms)`);
    assert.deepEqual(
      statuses.filter((s) => s !== 401 && s !== 429),
      [],
      'bogus sign-ins get 401 or 429',
    );
  });
});
