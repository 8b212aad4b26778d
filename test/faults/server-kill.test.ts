// kill -9 of the server at random points while simulated agents (real spool and sender) report: nothing acknowledged is lost, nothing is stored twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../server/storage/sqlite/database';
import { databasePath } from '../../server/storage/sqlite/storage';
import { createFleet } from '../../tools/simulator/fleet';
import { FleetRunner } from '../../tools/simulator/fleet-runner';
import { seededRandom } from '../../tools/simulator/random';
import { adminCommand, freePort, startServerProcess, type ServerProcess } from '../../tools/simulator/server-process';
import { testSeed } from '../support/seed';

const DEVICES = 24;
const REPORTS_PER_DEVICE = 12;
const KILLS = 3;

test(`server killed with SIGKILL ${KILLS} times under agent load: every acknowledged report is stored exactly once`, { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'patchlens-kill-'));
  const dataDir = join(root, 'data');
  // A fresh seed each run explores new kill points; the printed one replays a failure.
  const random = seededRandom(testSeed('kill moments and agent jitter'));
  let server: ServerProcess | null = null;
  try {
    const secret = await adminCommand(dataDir, 'enroll-secret');
    const port = await freePort();
    const start = () => startServerProcess({ dataDir, port, env: { PATCHLENS_ADMIN_PASSWORD: 'kill test password' } });
    server = await start();
    const { devices } = createFleet({ devices: DEVICES, server: server.url, secret, prefix: 'kill', seed: 3, stateRoot: join(root, 'agents') });

    const acknowledged = new Set<string>();
    const runner = new FleetRunner(devices, {
      scenario: 'steady',
      cadenceMs: 250,
      speed: 1,
      concurrency: 16,
      // The agent's backoff shape, scaled to test time.
      retry: { baseMs: 50, capMs: 800 },
      random,
      reportsPerDevice: REPORTS_PER_DEVICE,
      onResult: (_device, result) => {
        if (result.kind === 'accepted') for (const id of result.acknowledged) acknowledged.add(id);
      },
    });
    const running = runner.run();

    const killedAt: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      // Kill only while reports are flowing (the restarted server has acknowledged some), at a random moment.
      const flowing = acknowledged.size + 3;
      const deadline = Date.now() + 30_000;
      while (acknowledged.size < flowing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, random() * 400));
      killedAt.push(acknowledged.size);
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 200 + random() * 400));
      server = await start();
    }
    const stats = await running;

    assert.ok(stats.retries > 0, 'the kills were never noticed by any agent: the test did not exercise the crash');
    assert.ok(killedAt.every((count, i) => count >= (killedAt[i - 1] ?? 0) + 3), `a kill came while no reports flowed: ${killedAt.join(', ')}`);
    const db = openDatabase(databasePath(dataDir), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const stored = new Set((db.prepare("SELECT report_id FROM reports WHERE device_id LIKE 'kill-ws-%'").all() as { report_id: string }[]).map((r) => r.report_id));
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged reports are missing after ${KILLS} kills`);

      // Every report each agent made arrived exactly once, in sequence 1..n, and no spool holds anything back.
      const perDevice = db.prepare('SELECT sequence FROM reports WHERE device_id = ? ORDER BY sequence').pluck();
      for (const device of devices) {
        const expected = Math.min(REPORTS_PER_DEVICE, device.plan.lastReport ?? REPORTS_PER_DEVICE);
        assert.deepEqual(perDevice.all(device.plan.deviceId), Array.from({ length: expected }, (_, i) => i + 1), `${device.plan.deviceId} stored sequences`);
        assert.equal(device.spool!.entries().length, 0, `${device.plan.deviceId} still has spooled reports`);
      }
    } finally {
      db.close();
    }
  } finally {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
