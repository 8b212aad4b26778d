// Server down for 72 simulated hours (the agents' clock is passed in): agents spool within their bound, back off with jitter,
// and one cycle after the server returns the fleet's newest state is complete.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { backoffDelay, type RetryPolicy } from '../../agent/ship/backoff';
import { openDatabase } from '../../server/storage/sqlite/database';
import { databasePath } from '../../server/storage/sqlite/storage';
import { createFleet, SIMULATED_SPOOL_LIMIT_BYTES } from '../../tools/simulator/fleet';
import { seededRandom } from '../../tools/simulator/random';
import { adminCommand, freePort, startServerProcess, type ServerProcess } from '../../tools/simulator/server-process';

const DEVICES = 6;
const CADENCE_MS = 15 * 60_000;
const OUTAGE_MS = 72 * 3_600_000;
/** The agent's defaults (agent/config.ts): 10 s base, 10 minute cap. */
const RETRY: RetryPolicy = { baseMs: 10_000, capMs: 10 * 60_000 };

test('72 hours without a server: bounded spools, jittered backoff, complete fleet state one cycle after recovery', { timeout: 120_000 }, async () => {
  // tmpfs when there is one: the agents fsync every spooled report, and 2,300 of them on a shared disk would dominate the run.
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'patchlens-outage-'));
  const dataDir = join(root, 'data');
  let server: ServerProcess | null = null;
  let virtualNow = Date.parse('2024-12-10T02:00:00Z');
  const now = () => new Date(virtualNow);
  const random = seededRandom(72);
  try {
    const secret = await adminCommand(dataDir, 'enroll-secret');
    const port = await freePort();
    const start = () => startServerProcess({ dataDir, port, env: { PATCHLENS_ADMIN_PASSWORD: 'outage test password' } });
    server = await start();
    const { devices } = createFleet({ devices: DEVICES, server: server.url, secret, prefix: 'outage', seed: 9, stateRoot: join(root, 'agents'), now, timeoutMs: 5_000 });
    for (const device of devices) assert.equal((await device.cycle()).kind, 'accepted');
    await server.stop();
    server = null;

    // The outage, in virtual time: each device collects every 15 minutes and retries sends on its own backoff timer.
    const outageEnd = virtualNow + OUTAGE_MS;
    const timers = devices.map((_, i) => ({ cycleAt: virtualNow + ((i + 1) / DEVICES) * CADENCE_MS, retryAt: Infinity, attempt: 0, attempts: 0 }));
    const firstDelays: number[] = [];
    let largestSpool = 0;
    let longestDelay = 0;
    for (;;) {
      let index = 0;
      for (let i = 1; i < DEVICES; i++) if (Math.min(timers[i]!.cycleAt, timers[i]!.retryAt) < Math.min(timers[index]!.cycleAt, timers[index]!.retryAt)) index = i;
      const timer = timers[index]!;
      const device = devices[index]!;
      const due = Math.min(timer.cycleAt, timer.retryAt);
      if (due >= outageEnd) break;
      virtualNow = due;
      const isCycle = timer.cycleAt <= timer.retryAt;
      const result = isCycle ? await device.cycle() : await device.ship();
      timer.attempts++;
      if (isCycle) timer.cycleAt += CADENCE_MS;
      assert.equal(result.kind, 'retry', `${device.plan.deviceId}: a send to a stopped server must ask for a retry, got ${JSON.stringify(result)}`);
      largestSpool = Math.max(largestSpool, device.spool!.totalBytes());
      const delay = backoffDelay(timer.attempt, RETRY, random);
      if (timer.attempt === 0) firstDelays.push(delay);
      timer.attempt++;
      longestDelay = Math.max(longestDelay, delay);
      timer.retryAt = virtualNow + delay;
    }

    const cycles = OUTAGE_MS / CADENCE_MS;
    assert.ok(largestSpool <= SIMULATED_SPOOL_LIMIT_BYTES, `a spool grew to ${largestSpool} bytes, over its ${SIMULATED_SPOOL_LIMIT_BYTES}-byte bound`);
    for (const device of devices) {
      assert.ok(device.reports > cycles - 2, `${device.plan.deviceId} collected only ${device.reports} reports in 72 h`);
      assert.ok(device.spool!.entries().length < device.reports - 1, `${device.plan.deviceId}: the spool was never trimmed, so the bound was not exercised`);
    }
    assert.ok(longestDelay <= RETRY.capMs, `a retry waited ${longestDelay} ms, beyond the ${RETRY.capMs} ms cap`);
    assert.ok(new Set(firstDelays).size === DEVICES, `first retries not jittered: ${firstDelays.join(', ')}`);
    for (const timer of timers) {
      // Full jitter under a 10-minute cap averages one attempt per 5 minutes, plus the cycles themselves.
      assert.ok(timer.attempts < cycles * 5, `${timer.attempts} attempts in 72 h is hammering a server that is down`);
    }

    // Recovery: the server comes back; each device runs exactly one more cycle.
    server = await start();
    virtualNow += CADENCE_MS;
    for (const device of devices) assert.equal((await device.cycle()).kind, 'accepted', `${device.plan.deviceId} did not deliver in its first cycle after recovery`);

    const db = openDatabase(databasePath(dataDir), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const state = db.prepare('SELECT last_sequence, last_generated_at FROM devices WHERE id = ?');
      for (const device of devices) {
        const row = state.get(device.plan.deviceId) as { last_sequence: number; last_generated_at: string } | undefined;
        assert.ok(row, `${device.plan.deviceId} is unknown to the server`);
        assert.equal(row.last_sequence, device.reports, `${device.plan.deviceId}: the server's newest state is not the device's newest report`);
        assert.equal(device.spool!.entries().length, 0, `${device.plan.deviceId} still holds spooled reports`);
      }
    } finally {
      db.close();
    }
  } finally {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
