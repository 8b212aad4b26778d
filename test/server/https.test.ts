// HTTPS with cert/key files and a BASE_PATH mount: HSTS, Secure session cookie scoped to the path, API and socket under the prefix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FleetDelta, ServerToClientEvents } from '../../protocol/socket-events';
import { ADMIN_PASSWORD, startTestServer, syntheticReport, type TestServer } from './harness';

interface HttpsAnswer {
  status: number;
  headers: Record<string, unknown>;
  json: unknown;
}

describe('HTTPS under a base path', () => {
  let server: TestServer;
  let port: number;
  let certDir: string;
  /** The server's self-signed certificate, trusted by every client here: the TLS handshake is verified, not waved through. */
  let ca: string;

  const httpsCall = (method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<HttpsAnswer> =>
    new Promise((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const req = request({ host: '127.0.0.1', port, method, path, ca, headers: { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text.startsWith('{') ? JSON.parse(text) : text }));
      });
      req.on('error', reject);
      req.end(payload);
    });

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'patchlens-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
    ca = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    server = await startTestServer({ config: { tlsCert: join(certDir, 'cert.pem'), tlsKey: join(certDir, 'key.pem'), basePath: '/patchlens' } });
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('health and API answer under the prefix over TLS with HSTS', async () => {
    const health = await httpsCall('GET', '/patchlens/healthz');
    assert.equal(health.status, 200);
    assert.match(String(health.headers['strict-transport-security']), /max-age=/);
    const missing = await httpsCall('GET', '/patchlens/api/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error: { code: string } }).error.code, 'not_found');
  });

  test('the session cookie is Secure and scoped to the base path', async () => {
    const res = await httpsCall('POST', '/patchlens/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(res.status, 200);
    const cookie = (res.headers['set-cookie'] as string[])[0]!;
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /Path=\/patchlens\//);
  });

  test('a dashboard socket connects under the prefix over TLS with that cookie and receives the delta of a report', { timeout: 30_000 }, async () => {
    const login = await httpsCall('POST', '/patchlens/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = (login.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
    const origin = `https://127.0.0.1:${port}`;
    // As the dashboard opens it: its own origin, the socket path under the base path, WebSocket over TLS.
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(origin, {
      path: '/patchlens/socket.io',
      transports: ['websocket'],
      reconnection: false,
      ca,
      extraHeaders: { Cookie: cookie, Origin: origin },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const deltas: FleetDelta[] = [];
      socket.on('fleet:delta', (delta) => deltas.push(delta));
      const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'tls test', ip: null }, { name: 'agents' });
      const enrolled = await httpsCall('POST', '/patchlens/api/v1/agents/enroll', { secret, deviceId: 'tls-device', hostname: 'TLS-DEVICE' });
      assert.equal(enrolled.status, 201);
      const key = (enrolled.json as { deviceKey: string }).deviceKey;
      const posted = await httpsCall('POST', '/patchlens/api/v1/reports', syntheticReport('tls-device', 1), { Authorization: `Bearer ${key}` });
      assert.equal(posted.status, 202);
      const arrived = await new Promise<FleetDelta>((resolve) => {
        const check = () => {
          const delta = deltas.find((item) => item.reportsAccepted > 0);
          if (delta) resolve(delta);
          else socket.once('fleet:delta', check);
        };
        check();
      });
      assert.equal(arrived.reportsAccepted, 1);
      assert.equal(arrived.counters.devices?.total, 1);
    } finally {
      socket.close();
    }
  });
});
