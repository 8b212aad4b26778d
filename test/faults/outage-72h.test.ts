// Server down for 72 hours of a virtual clock: the agent's own loop (schedule, retry timer, spool, sender, transport)
// keeps its spool within bound, backs off with full jitter under the 10-minute cap, and delivers all once the server is back.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../agent/config';
import { AgentLoop } from '../../agent/runtime/agent-loop';
import { parseSchedule } from '../../agent/runtime/cron-schedule';
import type { DrainResult } from '../../agent/ship/sender';
import { openDatabase } from '../../server/storage/sqlite/database';
import { databasePath } from '../../server/storage/sqlite/storage';
import { createFleet, SIMULATED_SPOOL_LIMIT_BYTES } from '../../tools/simulator/fleet';
import { seededRandom } from '../../tools/simulator/random';
import { adminCommand, freePort, startServerProcess, type ServerProcess } from '../../tools/simulator/server-process';
import type { SimulatedDevice } from '../../tools/simulator/simulated-device';
import { memoryLog, type MemoryLog } from '../agent/support/memory-log';
import { VirtualTimers } from '../agent/support/virtual-timers';
import { testSeed } from '../support/seed';

const DEVICES = 6;
const OUTAGE_MS = 72 * 3_600_000;
/** What an agent runs with when nothing is configured: the schedule and the retry policy under test. */
const DEFAULTS = loadConfig({ argv: [], env: {}, platform: 'linux' });
const RETRY = { baseMs: DEFAULTS.retryBaseMs, capMs: DEFAULTS.retryCapMs };
/** From this attempt on, full jitter draws from the whole [0, cap) range. */
const CAPPED_FROM = Math.ceil(Math.log2(RETRY.capMs / RETRY.baseMs));
const RETRY_MESSAGE = 'server unavailable; will retry';

interface Agent {
  device: SimulatedDevice;
  loop: AgentLoop;
  log: MemoryLog;
}

test('72 hours without a server: bounded spools, full-jitter backoff under the cap, everything delivered once it returns', { timeout: 180_000 }, async (t) => {
  assert.equal(RETRY.capMs, 10 * 60_000, 'the agent\'s retry cap is the 10 minutes this test is about');
  const seed = testSeed('retry jitter');
  // tmpfs when there is one: the agents fsync every spooled report, and 2,000 of them on a shared disk would dominate the run.
  const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'patchlens-outage-'));
  const dataDir = join(root, 'data');
  const timers = new VirtualTimers('2024-12-10T02:00:00Z');
  let server: ServerProcess | null = null;
  const agents: Agent[] = [];
  let serverBackAt = Infinity;
  /** Virtual time of each device's first empty spool after the server came back. */
  const deliveredAt = new Map<SimulatedDevice, number>();
  let largestSpool = 0;
  try {
    const secret = await adminCommand(dataDir, 'enroll-secret');
    const port = await freePort();
    const start = () => startServerProcess({ dataDir, port, env: { PATCHLENS_ADMIN_PASSWORD: 'outage test password' } });
    server = await start();
    const fleet = createFleet({ devices: DEVICES, server: server.url, secret, prefix: 'outage', seed: 9, stateRoot: join(root, 'agents'), now: () => new Date(timers.now()), timeoutMs: 5_000 });
    for (const [index, device] of fleet.devices.entries()) {
      const log = memoryLog(() => timers.now());
      const noteDelivery = (result: DrainResult) => {
        if (result.stopped === null && result.remaining === 0 && timers.now() >= serverBackAt && !deliveredAt.has(device)) deliveredAt.set(device, timers.now());
        return result;
      };
      const loop = new AgentLoop({
        cycle: async () => {
          device.collect();
          largestSpool = Math.max(largestSpool, device.spool!.totalBytes());
          return noteDelivery(await device.drain());
        },
        drain: async () => noteDelivery(await device.drain()),
        schedule: parseSchedule(DEFAULTS.schedule),
        watchDir: null,
        debounceMs: DEFAULTS.watchDebounceMs,
        maxWaitMs: 40_000,
        retry: RETRY,
        random: seededRandom(seed + index),
        log: log.log,
        timers,
      });
      agents.push({ device, loop, log });
    }
    const settled = () => Promise.all(agents.map(({ loop }) => loop.idle()));
    /** Runs the timers due up to `until`, one at a time, each to the end of the work it started. */
    const runUntil = async (until: number, done = () => false) => {
      for (let next = timers.waiting()[0]; !done() && next !== undefined && timers.now() + next <= until; next = timers.waiting()[0]) {
        timers.runNext();
        await settled();
      }
    };

    for (const { loop } of agents) loop.start();
    await settled();
    for (const { device } of agents) assert.equal(device.spool!.entries().length, 0, `${device.plan.deviceId}: the first report was not delivered`);

    // The outage: the agents' clock runs 72 h while their sends find nobody listening.
    await server.stop();
    server = null;
    const outageStart = timers.now();
    await runUntil(outageStart + OUTAGE_MS);

    const cycles = OUTAGE_MS / (15 * 60_000);
    const scheduled = new Set(timers.history.map(({ at, ms }) => `${at}+${ms}`));
    const firstDelays: number[] = [];
    const cappedDelays: number[] = [];
    for (const { device, log } of agents) {
      const retries = log.lines.filter((line) => line.msg === RETRY_MESSAGE).map((line) => ({ at: line.time as number, ms: line.delayMs as number }));
      assert.ok(retries.every(({ at }) => at >= outageStart), `${device.plan.deviceId} retried before the outage`);
      // What the loop says it waits is what it set a timer for.
      assert.deepEqual(retries.filter(({ at, ms }) => !scheduled.has(`${at}+${ms}`)), [], `${device.plan.deviceId}: a logged retry without its timer`);
      retries.forEach(({ ms }, attempt) => {
        const ceiling = Math.min(RETRY.capMs, RETRY.baseMs * 2 ** attempt);
        assert.ok(ms >= 0 && ms < ceiling, `${device.plan.deviceId}: retry ${attempt} waited ${ms} ms, outside full jitter's [0, ${ceiling})`);
        if (attempt >= CAPPED_FROM) cappedDelays.push(ms);
      });
      firstDelays.push(retries[0]!.ms);
      // Full jitter under a 10-minute cap averages one retry per 5 minutes, on top of the cycles themselves.
      assert.ok(retries.length < cycles * 5, `${device.plan.deviceId}: ${retries.length} attempts in 72 h is hammering a server that is down`);
      assert.ok(device.reports > cycles - 2, `${device.plan.deviceId} collected only ${device.reports} reports in 72 h`);
      assert.ok(device.spool!.entries().length < device.reports - 1, `${device.plan.deviceId}: the spool was never trimmed, so the bound was not exercised`);
    }
    assert.ok(largestSpool <= SIMULATED_SPOOL_LIMIT_BYTES, `a spool grew to ${largestSpool} bytes, over its ${SIMULATED_SPOOL_LIMIT_BYTES}-byte bound`);
    assert.equal(new Set(firstDelays).size, DEVICES, `first retries not jittered: ${firstDelays.join(', ')}`);
    // Once capped, the waits spread over the whole [0, 10 min) range: not stuck at the cap, not bunched.
    const mean = cappedDelays.reduce((sum, ms) => sum + ms, 0) / cappedDelays.length;
    assert.ok(cappedDelays.length > 1_000, `only ${cappedDelays.length} capped retries`);
    assert.ok(Math.min(...cappedDelays) < RETRY.capMs * 0.05 && Math.max(...cappedDelays) > RETRY.capMs * 0.95, 'capped retries do not cover the jitter range');
    assert.ok(Math.abs(mean / RETRY.capMs - 0.5) < 0.05, `capped retries average ${(mean / 1000).toFixed(0)} s, not half the cap`);

    // Recovery: the server comes back where the agents know it; the retry timers already set bring everything in.
    server = await start();
    serverBackAt = timers.now();
    await runUntil(serverBackAt + RETRY.capMs, () => deliveredAt.size === agents.length);
    const minutesAfterReturn = agents.map(({ device }) => {
      const at = deliveredAt.get(device);
      return at === undefined ? 'never' : ((at - serverBackAt) / 60_000).toFixed(1);
    });
    t.diagnostic(`${cappedDelays.length} capped retries averaging ${(mean / 1000).toFixed(0)} s; delivered ${minutesAfterReturn.join(', ')} min after the server returned`);
    for (const { device } of agents) {
      assert.ok(deliveredAt.has(device), `${device.plan.deviceId} had not delivered ${RETRY.capMs / 60_000} minutes after the server returned`);
      assert.equal(device.spool!.entries().length, 0, `${device.plan.deviceId} still holds spooled reports`);
    }

    const db = openDatabase(databasePath(dataDir), { readonly: true });
    try {
      assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
      const state = db.prepare('SELECT last_sequence FROM devices WHERE id = ?').pluck();
      for (const { device } of agents) {
        assert.equal(state.get(device.plan.deviceId), device.lastSequence, `${device.plan.deviceId}: the server's newest state is not the device's newest report`);
      }
    } finally {
      db.close();
    }
  } finally {
    for (const { loop } of agents) await loop.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
