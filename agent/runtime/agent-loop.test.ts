// The long-running loop: a change in the CBS folder starts a cycle quickly, cycles never overlap, waits honour the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentLoop } from './agent-loop';
import { parseSchedule } from './cron-schedule';
import type { DrainResult } from '../ship/sender';
import { memoryLog } from '../../test/agent/support/memory-log';

const NEVER = parseSchedule('0 0 1 1 *');
const delivered: DrainResult = { acknowledged: ['r'], duplicates: 0, remaining: 0, stopped: null };

async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

test('a new CBS.log line triggers a cycle after the debounce; unrelated files do not', async () => {
  const logs = mkdtempSync(join(tmpdir(), 'patchlens-watch-'));
  writeFileSync(join(logs, 'CBS.log'), '');
  let cycles = 0;
  const loop = new AgentLoop({
    cycle: async () => {
      cycles++;
      return delivered;
    },
    drain: async () => delivered,
    schedule: NEVER,
    watchDir: logs,
    debounceMs: 100,
    maxWaitMs: 1_000,
    retry: { baseMs: 10, capMs: 100 },
    random: () => 0.5,
    log: memoryLog().log,
  });
  loop.start();
  await waitFor(() => cycles === 1); // the start-up cycle
  writeFileSync(join(logs, 'notes.txt'), 'x');
  await sleep(300);
  assert.equal(cycles, 1);
  appendFileSync(join(logs, 'CBS.log'), '2024-11-21 13:55:22, Error                 CBS    Failed to process single phase execution. [HRESULT = 0x8007000d - ERROR_INVALID_DATA]\r\n');
  await waitFor(() => cycles === 2);
  await loop.stop();
});

test('triggers during a running cycle are folded into one follow-up cycle', async () => {
  let running = 0;
  let maxParallel = 0;
  let cycles = 0;
  const logs = mkdtempSync(join(tmpdir(), 'patchlens-watch-'));
  const loop = new AgentLoop({
    cycle: async () => {
      running++;
      maxParallel = Math.max(maxParallel, running);
      await sleep(500);
      running--;
      cycles++;
      return delivered;
    },
    drain: async () => delivered,
    schedule: NEVER,
    watchDir: logs,
    debounceMs: 10,
    maxWaitMs: 100,
    retry: { baseMs: 10, capMs: 100 },
    random: () => 0.5,
    log: memoryLog().log,
  });
  loop.start();
  for (let index = 0; index < 5; index++) {
    writeFileSync(join(logs, 'CBS.log'), String(index));
    await sleep(20);
  }
  await waitFor(() => cycles >= 2);
  await sleep(200);
  await loop.stop();
  assert.equal(maxParallel, 1);
  assert.equal(cycles, 2);
});

test('a refused send is retried after Retry-After without collecting again', async () => {
  const refused: DrainResult = { acknowledged: [], duplicates: 0, remaining: 1, stopped: { reason: 'retry', retryAfterMs: 200, detail: 'HTTP 429' } };
  const drains: number[] = [];
  let cycles = 0;
  let cycledAt = 0;
  const started = Date.now();
  const loop = new AgentLoop({
    cycle: async () => {
      cycles++;
      cycledAt = Date.now() - started;
      return refused;
    },
    drain: async () => {
      drains.push(Date.now() - started);
      return delivered;
    },
    schedule: NEVER,
    watchDir: null,
    debounceMs: 10,
    maxWaitMs: 100,
    retry: { baseMs: 10_000, capMs: 600_000 },
    random: () => 0.5,
    log: memoryLog().log,
  });
  loop.start();
  await waitFor(() => drains.length === 1);
  await sleep(100);
  await loop.stop();
  assert.equal(cycles, 1);
  assert.equal(drains.length, 1);
  assert.ok((drains[0] ?? 0) - cycledAt >= 190, `retried ${(drains[0] ?? 0) - cycledAt} ms after the refusal`);
});

test('while a re-enrollment waits for an admin, the spool is drained again at the server\'s pace, even when empty', async () => {
  const waiting: DrainResult = {
    acknowledged: [],
    duplicates: 0,
    remaining: 0,
    stopped: { reason: 'pending-approval', retryAfterMs: 1_200, detail: 'device d1 waits for an admin' },
  };
  const drains: number[] = [];
  let cycledAt = 0;
  const started = Date.now();
  const loop = new AgentLoop({
    cycle: async () => {
      cycledAt = Date.now() - started;
      return waiting;
    },
    drain: async () => {
      drains.push(Date.now() - started);
      return drains.length < 2 ? waiting : delivered;
    },
    schedule: NEVER,
    watchDir: null,
    debounceMs: 10,
    maxWaitMs: 100,
    retry: { baseMs: 10, capMs: 100 },
    random: () => 0.5,
    log: memoryLog().log,
  });
  loop.start();
  await waitFor(() => drains.length === 2, 5_000);
  await sleep(100);
  await loop.stop();
  assert.equal(drains.length, 2, 'no more polls once the key was collected');
  assert.ok((drains[0] ?? 0) - cycledAt >= 1_190, `polled ${(drains[0] ?? 0) - cycledAt} ms after the wait began, not sooner than asked`);
  assert.ok((drains[1] ?? 0) - (drains[0] ?? 0) >= 1_190);
});
