// HTTPS with cert/key files and a BASE_PATH mount: HSTS, Secure session cookie scoped to the path, API and socket under the prefix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './harness';

function httpsCall(port: number, method: string, path: string, body?: object): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body ? JSON.stringify(body) : undefined;
    const req = request(
      { host: '127.0.0.1', port, method, path, rejectUnauthorized: false, headers: payload ? { 'Content-Type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text.startsWith('{') ? JSON.parse(text) : text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('HTTPS under a base path', () => {
  let server: TestServer;
  let port: number;
  let certDir: string;
  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'patchlens-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
    server = await startTestServer({ config: { tlsCert: join(certDir, 'cert.pem'), tlsKey: join(certDir, 'key.pem'), basePath: '/patchlens' } });
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  test('health and API answer under the prefix over TLS with HSTS', async () => {
    const health = await httpsCall(port, 'GET', '/patchlens/healthz');
    assert.equal(health.status, 200);
    assert.match(String(health.headers['strict-transport-security']), /max-age=/);
    const missing = await httpsCall(port, 'GET', '/patchlens/api/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { error: { code: string } }).error.code, 'not_found');
  });

  test('the session cookie is Secure and scoped to the base path', async () => {
    const res = await httpsCall(port, 'POST', '/patchlens/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(res.status, 200);
    const cookie = (res.headers['set-cookie'] as string[])[0]!;
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /Path=\/patchlens\//);
  });
});
