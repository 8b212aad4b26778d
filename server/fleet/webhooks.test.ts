// Webhook signatures and retry schedule.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { backoffDelay, signPayload, verifySignature } from './webhooks';

test('the signature is HMAC-SHA256 over "<timestamp>.<raw body>", verified in constant time', () => {
  const body = '{"type":"alert.raised","alert":{"id":1}}';
  const expected = createHmac('sha256', 'secret-secret-secret').update(`1732176000.${body}`).digest('hex');
  assert.equal(signPayload('secret-secret-secret', '1732176000', body), `sha256=${expected}`);
  assert.ok(verifySignature('secret-secret-secret', '1732176000', body, `sha256=${expected}`));
  assert.ok(!verifySignature('secret-secret-secret', '1732176001', body, `sha256=${expected}`), 'a replayed body with a new timestamp fails');
  assert.ok(!verifySignature('secret-secret-secret', '1732176000', `${body} `, `sha256=${expected}`));
  assert.ok(!verifySignature('secret-secret-secret', '1732176000', body, 'sha256=short'));
});

test('retries back off exponentially from 5 s and are capped at one hour', () => {
  assert.deepEqual([1, 2, 3, 4].map((attempt) => backoffDelay(attempt)), [5_000, 10_000, 20_000, 40_000]);
  assert.equal(backoffDelay(20), 3_600_000);
});
