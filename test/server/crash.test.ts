// kill -9 during ingest: every report the server acknowledged is in the database after a restart, and the database is intact.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { runAdmin } from '../../server/admin-cli';
import { openDatabase } from '../../server/storage/sqlite/database';
import { databasePath } from '../../server/storage/sqlite/storage';
import { syntheticReport } from './harness';
import { spawnServer } from './spawn-server';

const startServer = (dataDir: string) => spawnServer(dataDir, { PATCHLENS_ADMIN_PASSWORD: 'crash test password' });

async function adminCommand(dataDir: string, ...args: string[]): Promise<string> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const code = await runAdmin(args, { DATA_DIR: dataDir }, sink, sink);
  assert.equal(code, 0, out);
  return out.trim();
}

test('kill -9 in the middle of ingest loses no acknowledged report', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-crash-'));
  try {
    const secret = await adminCommand(dataDir, 'enroll-secret');
    const first = await startServer(dataDir);
    const devices = 16;
    const keys: string[] = [];
    for (let i = 0; i < devices; i++) {
      const res = await fetch(`${first.url}/api/v1/agents/enroll`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ secret, deviceId: `crash-${i}`, hostname: `CRASH-${i}` }),
      });
      assert.equal(res.status, 201);
      keys.push(((await res.json()) as { deviceKey: string }).deviceKey);
    }

    const acknowledged: string[] = [];
    let killed = false;
    const sender = async (device: number) => {
      for (let n = 1; !killed; n++) {
        const report = syntheticReport(`crash-${device}`, n);
        try {
          const res = await fetch(`${first.url}/api/v1/reports`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${keys[device]}` },
            body: JSON.stringify(report),
          });
          if (res.status === 202 || res.status === 200) acknowledged.push(report.reportId);
        } catch {
          return; // connection reset by the kill: not acknowledged
        }
      }
    };
    const senders = Array.from({ length: devices }, (_, i) => sender(i));
    // Kill once a good number of reports went through, so some are surely mid-flight (bounded wait).
    const waitUntil = Date.now() + 30_000;
    while (acknowledged.length < 100 && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(senders);
    await first.exited;
    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} reports acknowledged before the kill`);

    const second = await startServer(dataDir);
    try {
      const db = openDatabase(databasePath(dataDir), { readonly: true });
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const has = db.prepare('SELECT 1 FROM reports WHERE report_id = ?');
      const missing = acknowledged.filter((id) => has.get(id) === undefined);
      db.close();
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged reports lost`);
      // The restarted server still knows them: sending one again is a duplicate.
      const again = syntheticReport('crash-0', 1);
      const res = await fetch(`${second.url}/api/v1/reports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${keys[0]}` },
        body: JSON.stringify({ ...again, reportId: acknowledged.find((id) => id.startsWith('crash-0-'))! }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { duplicate: boolean }).duplicate, true);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
