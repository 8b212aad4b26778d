// The bundled dashboard is served at the base path with an SPA fallback; API routes never fall back to HTML.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertEnvelope, startTestServer, type TestServer } from './harness';

describe('dashboard bundle', () => {
  let server: TestServer;
  let bundle: string;
  before(async () => {
    bundle = mkdtempSync(join(tmpdir(), 'patchlens-dist-'));
    mkdirSync(join(bundle, 'assets'));
    writeFileSync(join(bundle, 'index.html'), '<!doctype html><title>PatchLens dashboard</title><script src="assets/app.js"></script>');
    writeFileSync(join(bundle, 'assets', 'app.js'), 'console.log("dashboard");');
    server = await startTestServer({ config: { dashboardDir: bundle, basePath: '/patchlens' } });
  });
  after(async () => {
    await server.close();
    rmSync(bundle, { recursive: true, force: true });
  });

  test('index, assets and client-side routes are served under the base path', async () => {
    const index = await server.http.get('/patchlens/').expect(200);
    assert.match(index.text, /PatchLens dashboard/);
    assert.match(String(index.headers['content-security-policy']), /script-src 'self'/);
    const asset = await server.http.get('/patchlens/assets/app.js').expect(200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    const deepLink = await server.http.get('/patchlens/devices/ws-000001').expect(200);
    assert.match(deepLink.text, /PatchLens dashboard/);
  });

  test('API paths stay JSON, and nothing is served outside the base path', async () => {
    assertEnvelope((await server.http.get('/patchlens/api/v1/unknown').expect(404)).body, 'not_found');
    await server.http.get('/devices').expect(404);
  });
});
