// A dashboard link with broken percent-encoding (`#/devices/%E0%A4%A`) gives an invalid route, not an uncaught URIError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { href, parseHash } from '../../dashboard/router';

test('broken percent-encoding in a path segment marks the route invalid instead of throwing', () => {
  for (const hash of ['#/devices/%E0%A4%A', '#/devices/%', '#/clusters/%ZZ?kb=KB5043064', '#/%C0%AF']) {
    const route = parseHash(hash);
    assert.equal(route.invalid, true, hash);
  }
});

test('valid addresses decode as before', () => {
  const route = parseHash('#/devices/bank%20ws%2F0412?kb=KB5043064');
  assert.equal(route.invalid, false);
  assert.deepEqual(route.segments, ['devices', 'bank ws/0412']);
  assert.equal(route.query.get('kb'), 'KB5043064');
  assert.deepEqual(parseHash(href(['devices', 'हिन्दी-%-ws'])).segments, ['devices', 'हिन्दी-%-ws'], 'href and parseHash round-trip');
  assert.deepEqual(parseHash('').segments, []);
});
