// The dashboard's API client: base path, CSRF on unsafe calls, error envelope → ApiError, and answers parsed at the edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as z from 'zod';
import { fleetSummarySchema } from '../../protocol/fleet-api';
import { ApiClient, ApiError, basePathOf, queryString } from './client';

interface Call {
  url: string;
  init: RequestInit;
}

function clientAnswering(status: number, body: unknown, basePath = '/patchlens/', onUnauthenticated?: () => void) {
  const calls: Call[] = [];
  const fetchStub = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }) as unknown as typeof fetch;
  const client = new ApiClient({ basePath, fetch: fetchStub });
  if (onUnauthenticated) client.onUnauthenticated(onUnauthenticated);
  return { calls, client };
}

test('the mount point comes from the page location, so the dashboard works behind a path prefix', () => {
  assert.equal(basePathOf('/'), '/');
  assert.equal(basePathOf('/patchlens/'), '/patchlens/');
  assert.equal(basePathOf('/patchlens/index.html'), '/patchlens/');
  const { client } = clientAnswering(200, {});
  assert.equal(client.url('/devices', { family: 'dual_wpdmtp.inf', kb: '', cursor: undefined }), '/patchlens/api/v1/devices?family=dual_wpdmtp.inf');
  assert.equal(queryString({}), '');
});

test('unsafe calls carry the CSRF token; reads do not', async () => {
  const { calls, client } = clientAnswering(200, { ok: true });
  client.setCsrfToken('token-1');
  await client.get('/fleet/summary', z.unknown());
  await client.send('POST', '/baselines', z.unknown(), { kb: 'KB5043064' });
  const headers = calls.map((call) => call.init.headers as Record<string, string>);
  assert.equal(headers[0]?.['x-csrf-token'], undefined);
  assert.equal(headers[1]?.['x-csrf-token'], 'token-1');
  assert.equal(calls[1]?.init.body, '{"kb":"KB5043064"}');
  assert.equal(calls[1]?.init.credentials, 'same-origin');
});

test('an error envelope becomes an ApiError with the stable code and the human message', async () => {
  const { client } = clientAnswering(403, { error: { code: 'forbidden', message: 'This needs the admin role.' } });
  await assert.rejects(client.get('/admin/users', z.unknown()), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'forbidden');
    assert.equal(error.message, 'This needs the admin role.');
    return true;
  });
});

test('a proxy error page (not JSON) still gives a clear error', async () => {
  const { client } = clientAnswering(502, '<html>Bad Gateway</html>');
  await assert.rejects(client.get('/fleet/summary', z.unknown()), /The server answered 502/);
});

test('a 401 tells the shell to show the sign-in page', async () => {
  let signedOut = 0;
  const { client } = clientAnswering(401, { error: { code: 'unauthenticated', message: 'Sign in.' } }, '/', () => signedOut++);
  await assert.rejects(client.get('/fleet/summary', z.unknown()));
  assert.equal(signedOut, 1);
});

test('an answer of the wrong shape is refused at the edge, not rendered', async () => {
  const { client } = clientAnswering(200, { devices: 'many' });
  await assert.rejects(client.get('/fleet/summary', fleetSummarySchema), (error: unknown) => error instanceof ApiError && error.code === 'unexpected_response');
});

test('an unreachable server is a network error, not a crash', async () => {
  const client = new ApiClient({ basePath: '/', fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch });
  await assert.rejects(client.get('/fleet/summary', z.unknown()), (error: unknown) => error instanceof ApiError && error.code === 'network');
});

test('reads started inside liveRefresh say so in a header; other reads and writes do not', async () => {
  const { calls, client } = clientAnswering(200, { ok: true });
  await client.liveRefresh(() => Promise.all([client.get('/fleet/summary', z.unknown()), client.get('/kbs', z.unknown())]));
  await client.get('/errors', z.unknown());
  await client.liveRefresh(() => client.send('POST', '/baselines', z.unknown(), {}));
  const marks = calls.map((call) => (call.init.headers as Record<string, string>)['x-patchlens-live-refresh']);
  assert.deepEqual(marks, ['1', '1', undefined, undefined]);
});
