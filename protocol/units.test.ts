// Durations and sizes as admins write them (server settings, agent flags, simulator flags) and the ISO times of the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iso, isoOrNull, parseDuration, parseSize } from './units';

test('durations: ms, s, m, h, d, decimals, and a bare number of milliseconds', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration(' 14d '), 14 * 86_400_000);
  assert.equal(parseDuration('1000'), 1000);
  for (const text of ['a week', '', '15 minutes', '-5s', '15M']) assert.equal(parseDuration(text), null, text);
});

test('sizes: binary units in every spelling, any case, and a bare number of bytes', () => {
  assert.equal(parseSize('100'), 100);
  assert.equal(parseSize('100b'), 100);
  assert.equal(parseSize('512k'), 512 * 1024);
  assert.equal(parseSize('512kb'), 512 * 1024);
  assert.equal(parseSize('512KiB'), 512 * 1024);
  assert.equal(parseSize('8mb'), 8 * 1024 * 1024);
  assert.equal(parseSize('20 MB'), 20 * 1024 * 1024);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  for (const text of ['lots', '', '1tb', '-1mb', '5 m b', 'mb']) assert.equal(parseSize(text), null, text);
});

test('iso: epoch milliseconds as ISO 8601 UTC', () => {
  assert.equal(iso(Date.UTC(2024, 10, 21, 12, 0, 0)), '2024-11-21T12:00:00.000Z');
  assert.equal(isoOrNull(null), null);
  assert.equal(isoOrNull(0), '1970-01-01T00:00:00.000Z');
});
