// HTTPS to a server signed by the bank's own CA (configured bundle), and through a CONNECT proxy, on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Transport } from './transport';
import { postReport } from './api';

const tls = (name: string) => readFileSync(new URL(`../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');
const rootCa = tls('test-root-ca.pem');

async function httpsServer() {
  const server = https.createServer({ cert: tls('server-127.0.0.1.pem'), key: tls('server-127.0.0.1.key') }, (request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ reportId: 'r-x', duplicate: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('a server certificate from the configured CA bundle is trusted; without the bundle it is refused and retried later', async () => {
  const { server, url } = await httpsServer();
  const trusted = new Transport({ server: url, allowHttp: false, extraCaPem: [rootCa], proxy: null });
  assert.deepEqual(await postReport(trusted, 'dk_key', '{}', () => new Date()), { kind: 'accepted', duplicate: false });
  const untrusted = new Transport({ server: url, allowHttp: false, extraCaPem: [], proxy: null });
  const refused = await postReport(untrusted, 'dk_key', '{}', () => new Date());
  assert.equal(refused.kind, 'retry');
  assert.match(refused.kind === 'retry' ? refused.reason : '', /certificate/);
  server.close();
});

test('HTTPS through an HTTP CONNECT proxy, TLS end to end', async () => {
  const { server, url } = await httpsServer();
  const tunnels: string[] = [];
  const proxy = net.createServer((client) => {
    client.once('data', (head) => {
      const [, authority] = /^CONNECT (\S+) HTTP/.exec(head.toString('latin1')) ?? [];
      if (!authority) return client.destroy();
      tunnels.push(authority);
      const [host, port] = authority.split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxy.unref();
  const proxied = new Transport({ server: url, allowHttp: false, extraCaPem: [rootCa], proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
  assert.deepEqual(await postReport(proxied, 'dk_key', '{}', () => new Date()), { kind: 'accepted', duplicate: false });
  assert.deepEqual(tunnels, [new URL(url).host]);
  server.close();
  proxy.close();
});
