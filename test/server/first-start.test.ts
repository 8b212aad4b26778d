// First start of `npm start` on an empty DATA_DIR: schema created, admin one-time password printed once and usable; the next start prints none.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnServer } from './spawn-server';


test('the first start prints a one-time admin password that signs in and must be changed; later starts print none', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-first-'));
  const saved = process.env.PATCHLENS_ADMIN_PASSWORD;
  try {
    delete process.env.PATCHLENS_ADMIN_PASSWORD;
    const first = await spawnServer(dataDir);
    try {
      const match = /one-time password\n\n {4}(\S+)\n/.exec(first.stdout);
      assert.ok(match, `no one-time password in: ${first.stdout}`);
      assert.match(first.stdout, /sign in at http:\/\/127\.0\.0\.1:\d+\/ as "admin"/);
      const res = await fetch(`${first.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: match[1] }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword, true);
    } finally {
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
    }
    const second = await spawnServer(dataDir);
    second.child.kill('SIGTERM');
    await second.exited;
    assert.doesNotMatch(second.stdout, /First start|one-time password/);
  } finally {
    if (saved !== undefined) process.env.PATCHLENS_ADMIN_PASSWORD = saved;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('PATCHLENS_ADMIN_PASSWORD on the first start becomes the admin password and nothing secret is printed', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-first-'));
  try {
    const server = await spawnServer(dataDir, { PATCHLENS_ADMIN_PASSWORD: 'from the environment' });
    try {
      assert.match(server.stdout, /with the password from PATCHLENS_ADMIN_PASSWORD/);
      assert.doesNotMatch(server.stdout, /from the environment/);
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'from the environment' }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword, false);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
