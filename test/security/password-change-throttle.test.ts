// Finding 7: a stolen session cannot brute-force the current password through the password change route.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, login, startTestServer, type Session, type TestServer } from '../server/harness';

const LIMIT = 5;

describe('password change throttle', () => {
  let server: TestServer;
  let session: Session;
  before(async () => {
    server = await startTestServer();
    session = await login(server);
  });
  after(() => server.close());

  const change = (currentPassword: string) =>
    server.http
      .post('/api/v1/auth/password')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrf)
      .send({ currentPassword, newPassword: 'the attacker now owns this account' });

  test(`of 25 parallel guesses of the current password at most ${LIMIT} are checked; then even the right one is refused with 429`, async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => change(`guess number ${i}`)));
    const statuses = answers.map((res) => res.status);
    assert.deepEqual(
      statuses.filter((s) => s !== 400 && s !== 429),
      [],
      'every answer is 400 (checked, wrong) or 429 (refused)',
    );
    const refused = answers.find((res) => res.status === 429);
    assert.ok(refused, 'some guesses were refused');
    assert.equal(refused.body.error.code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) >= 1);

    // Keep guessing one at a time: the checks over all guesses stay within the limit.
    let checked = statuses.filter((s) => s === 400).length;
    for (let i = 0; i < LIMIT; i++) {
      const status = (await change(`one more guess ${i}`)).status;
      if (status === 429) break;
      assert.equal(status, 400);
      checked++;
    }
    assert.ok(checked <= LIMIT, `${checked} guesses were checked, the limit is ${LIMIT}`);
    const right = await change(ADMIN_PASSWORD);
    assert.equal(right.status, 429, 'the guessing is stopped before it can find the password');
    // The session itself still works for reading.
    await server.http.get('/api/v1/auth/me').set('Cookie', session.cookie).expect(200);
  });
});
