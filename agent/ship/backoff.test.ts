// Retry timing: full jitter inside the exponential envelope, the 10-minute cap, and Retry-After in both spellings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter, MAX_RETRY_AFTER_MS } from './backoff';

const policy = { baseMs: 10_000, capMs: 600_000 };

test('full jitter spans 0 to base·2^attempt, never beyond the cap', () => {
  assert.equal(backoffDelay(0, policy, () => 0), 0);
  assert.equal(backoffDelay(0, policy, () => 0.999999), 9_999);
  assert.equal(backoffDelay(3, policy, () => 0.5), 40_000);
  assert.equal(backoffDelay(12, policy, () => 0.999999), 599_999);
  assert.equal(backoffDelay(500, policy, () => 0.5), 300_000);
});

test('Retry-After seconds or HTTP date; garbage ignored; bounded', () => {
  const now = new Date('2024-11-21T14:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 21 Nov 2024 14:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Thu, 21 Nov 2024 13:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), null);
  assert.equal(parseRetryAfter(undefined, now), null);
  assert.equal(parseRetryAfter('999999', now), MAX_RETRY_AFTER_MS);
});
