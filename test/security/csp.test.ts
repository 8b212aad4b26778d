// The Content-Security-Policy lets the dashboard connect (fetch, live socket) to its own origin only: no scheme-wide `ws:`/`wss:` sources.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../server/harness';

/** Directive name → its sources, from a Content-Security-Policy header. */
function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

describe('Content-Security-Policy', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ config: { basePath: '/patchlens' } });
  });
  after(() => server.close());

  test("connect-src is 'self' only, on the dashboard, the API and the health check", async () => {
    for (const path of ['/patchlens/', '/patchlens/api/v1/auth/me', '/patchlens/healthz']) {
      const res = await server.http.get(path);
      const policy = String(res.headers['content-security-policy'] ?? '');
      const connect = directives(policy).get('connect-src');
      assert.deepEqual(connect, ["'self'"], `${path}: ${policy}`);
    }
  });

  test('no directive allows a whole scheme or any host', async () => {
    const policy = String((await server.http.get('/patchlens/')).headers['content-security-policy']);
    for (const [name, sources] of directives(policy)) {
      for (const source of sources) {
        assert.ok(!/^[a-z][a-z0-9+.-]*:$/i.test(source) || (name === 'img-src' && source === 'data:'), `${name} allows every host of ${source}`);
        assert.notEqual(source, '*', `${name} allows any host`);
      }
    }
  });
});
