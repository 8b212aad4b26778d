// Webhook targets: which addresses count as internal, URL checks, and a delivery that connects only to the address it checked.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkWebhookUrl, isInternalAddress, isTargetRefusal, pinnedLookup, type Resolver } from './webhook-targets';
import { pinnedPoster } from './webhooks';

const STRICT = { allowHttp: false, allowPrivate: false };
const OPEN = { allowHttp: true, allowPrivate: true };

/** A resolver that knows only `names` (and counts its calls), so no test depends on real DNS. */
function fakeResolver(names: Record<string, string[]>): Resolver & { calls: number } {
  const resolver = Object.assign(
    (hostname: string, callback: Parameters<Resolver>[1]) => {
      resolver.calls += 1;
      const addresses = names[hostname];
      if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    },
    { calls: 0 },
  );
  return resolver;
}

test('loopback, private, link-local, CGNAT, unique-local and their IPv6 embeddings are internal', () => {
  const internal = [
    '127.0.0.1', '127.255.255.254', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.255',
    '169.254.169.254', '224.0.0.1', '255.255.255.255', '::', '::1', 'fd00::1', 'fc12:3456::1', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::10.0.0.1', '2002:7f00:1::', '2002:c0a8:101::1',
  ];
  const external = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8'];
  for (const address of internal) assert.equal(isInternalAddress(address), true, address);
  for (const address of external) assert.equal(isInternalAddress(address), false, address);
  assert.equal(isInternalAddress('localhost'), false, 'names are resolved first, not judged by their text');
});

test('URL checks: https only and no literal internal address, unless the settings allow it', () => {
  const refused = (url: string, policy = STRICT) => assert.throws(() => checkWebhookUrl(url, policy), isTargetRefusal, url);
  refused('http://hooks.example.com/x');
  refused('ftp://hooks.example.com/x');
  refused('not a url');
  for (const url of ['https://127.0.0.1/x', 'https://2130706433/x', 'https://0x7f.1/x', 'https://[::1]/x', 'https://[::ffff:7f00:1]/x', 'https://169.254.169.254/latest/meta-data', 'https://0.0.0.0:8080/', 'https://[fd00::1]/']) {
    refused(url);
  }
  refused('http://127.0.0.1/x', { allowHttp: false, allowPrivate: true });
  refused('http://10.0.0.1/x', { allowHttp: true, allowPrivate: false });
  assert.equal(checkWebhookUrl('https://hooks.example.com/x', STRICT).hostname, 'hooks.example.com');
  assert.equal(checkWebhookUrl('https://203.0.113.10/x', STRICT).hostname, '203.0.113.10');
  assert.equal(checkWebhookUrl('http://127.0.0.1:9/x', OPEN).port, '9');
});

test('the connection lookup refuses a name when any of its addresses is internal, and hands over exactly the checked addresses', async () => {
  const resolver = fakeResolver({ 'mixed.test': ['203.0.113.10', '10.0.0.5'], 'public.test': ['203.0.113.10', '2001:db8::10'] });
  const lookup = (host: string, policy: typeof STRICT, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      pinnedLookup(new URL(`https://${host}/`), policy, resolver)(host, options, (err, address) => resolve({ err, address })),
    );
  const mixed = await lookup('mixed.test', STRICT, { all: true });
  assert.ok(isTargetRefusal(mixed.err), String(mixed.err));
  assert.match(mixed.err!.message, /mixed\.test resolves to the internal address 10\.0\.0\.5/);
  assert.deepEqual((await lookup('mixed.test', OPEN, { all: true })).address, [
    { address: '203.0.113.10', family: 4 },
    { address: '10.0.0.5', family: 4 },
  ]);
  assert.deepEqual((await lookup('public.test', STRICT, { all: true })).address, [
    { address: '203.0.113.10', family: 4 },
    { address: '2001:db8::10', family: 6 },
  ]);
  assert.equal((await lookup('public.test', STRICT, { family: 6 })).address, '2001:db8::10');
  assert.equal((await lookup('nowhere.test', STRICT, {})).err?.message, 'getaddrinfo ENOTFOUND nowhere.test');
});

test('a delivery connects to the address its check resolved, and to nothing when the check refuses', async () => {
  const received: IncomingHttpHeaders[] = [];
  const receiver = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const port = (receiver.address() as AddressInfo).port;
    // `hooks.test` exists only in this resolver: reaching the receiver proves the connection used the checked answer.
    const resolver = fakeResolver({ 'hooks.test': ['127.0.0.1'] });
    const post = pinnedPoster(5_000, resolver);
    const url = `http://hooks.test:${port}/hook`;
    const { status } = await post(url, '{}', { 'Content-Type': 'application/json' }, OPEN);
    assert.equal(status, 204);
    assert.equal(received[0]!.host, `hooks.test:${port}`, 'the Host header keeps the name');
    assert.equal(resolver.calls, 1, 'resolved once, for the connection itself');
    await assert.rejects(post(url, '{}', {}, { allowHttp: true, allowPrivate: false }), (err) => isTargetRefusal(err));
    assert.equal(received.length, 1, 'the refused delivery never reached the receiver');
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});
