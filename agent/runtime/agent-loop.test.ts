// The long-running loop on a virtual clock: a change in the CBS folder starts a cycle after the debounce, cycles never
// overlap, waits honour the server; what must not happen is shown by the loop going idle, not by sleeping.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentLoop, type AgentLoopDeps } from './agent-loop';
import { parseSchedule } from './cron-schedule';
import type { DrainResult } from '../ship/sender';
import { memoryLog } from '../../test/agent/support/memory-log';
import { VirtualTimers } from '../../test/agent/support/virtual-timers';

const START = Date.parse('2024-11-21T12:00:00Z');
/** A schedule that does not fire during any of these tests. */
const NEVER = parseSchedule('0 0 1 1 *');
const delivered: DrainResult = { acknowledged: ['r'], duplicates: 0, remaining: 0, stopped: null };

/** A loop on `timers`, stopped when the test ends however it ends (its folder watch would keep the process alive). */
function loopWith(t: TestContext, timers: VirtualTimers, deps: Partial<AgentLoopDeps> & Pick<AgentLoopDeps, 'cycle'>): AgentLoop {
  const loop = new AgentLoop({
    drain: async () => delivered,
    schedule: NEVER,
    watchDir: null,
    debounceMs: 10_000,
    maxWaitMs: 40_000,
    retry: { baseMs: 10_000, capMs: 600_000 },
    random: () => 0.5,
    log: memoryLog().log,
    timers,
    ...deps,
  });
  t.after(() => loop.stop());
  return loop;
}

/** Resolves when a watch of `dir` opened now reports a change to `name`. */
function changeSeen(t: TestContext, dir: string, name: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, changed) => {
      if (String(changed) === name) resolve();
    });
    t.after(() => watcher.close());
  });
}

test('a new CBS.log line triggers a cycle after the debounce; unrelated files do not', { timeout: 20_000 }, async (t) => {
  const logs = mkdtempSync(join(tmpdir(), 'patchlens-watch-'));
  writeFileSync(join(logs, 'CBS.log'), '');
  const timers = new VirtualTimers(START);
  let cycles = 0;
  const loop = loopWith(t, timers, {
    cycle: async () => {
      cycles++;
      return delivered;
    },
    watchDir: logs,
  });
  loop.start();
  await loop.idle();
  assert.equal(cycles, 1, 'the start-up cycle');
  const timersBefore = timers.history.length;

  // A second watch, opened after the loop's, is told of each change after the loop's watch was: once it has
  // seen notes.txt, the loop has had its chance to react, and no debounce timer may have been set.
  const notesSeen = changeSeen(t, logs, 'notes.txt');
  writeFileSync(join(logs, 'notes.txt'), 'x');
  await notesSeen;
  assert.equal(timers.history.length, timersBefore, 'a change to notes.txt set a timer');

  const debounceSet = timers.nextSet();
  appendFileSync(join(logs, 'CBS.log'), '2024-11-21 13:55:22, Error                 CBS    Failed to process single phase execution. [HRESULT = 0x8007000d - ERROR_INVALID_DATA]\r\n');
  await debounceSet;
  assert.equal(cycles, 1, 'no cycle before the debounce has passed');
  assert.equal(timers.runNext(), true);
  await loop.idle();
  assert.equal(cycles, 2);
  assert.equal(timers.now() - START, 10_000, 'the cycle ran when the debounce ended');
  await loop.stop();
});

test('triggers during a running cycle are folded into one follow-up cycle', async (t) => {
  const timers = new VirtualTimers(START);
  let running = 0;
  let maxParallel = 0;
  let cycles = 0;
  let finishFirst = () => {};
  const loop = loopWith(t, timers, {
    cycle: async () => {
      running++;
      maxParallel = Math.max(maxParallel, running);
      if (cycles === 0) await new Promise<void>((resolve) => (finishFirst = resolve));
      running--;
      cycles++;
      return delivered;
    },
    schedule: parseSchedule('* * * * * *'),
  });
  loop.start(); // the start-up cycle, held open below
  for (let tick = 0; tick < 5; tick++) assert.equal(timers.runNext(), true, 'a scheduled tick while the first cycle runs');
  assert.equal(cycles, 0);
  finishFirst();
  await loop.idle();
  await loop.stop();
  assert.equal(maxParallel, 1);
  assert.equal(cycles, 2, 'five triggers during the first cycle make one follow-up cycle');
});

test('a refused send is retried after Retry-After without collecting again', async (t) => {
  const timers = new VirtualTimers(START);
  const refused: DrainResult = { acknowledged: [], duplicates: 0, remaining: 1, stopped: { reason: 'retry', retryAfterMs: 120_000, detail: 'HTTP 429' } };
  const drains: number[] = [];
  let cycles = 0;
  const loop = loopWith(t, timers, {
    cycle: async () => {
      cycles++;
      return refused;
    },
    drain: async () => {
      drains.push(timers.now() - START);
      return delivered;
    },
  });
  loop.start();
  await loop.idle();
  assert.equal(timers.waiting()[0], 120_000, 'the retry waits what Retry-After asked for');
  timers.runNext();
  await loop.idle();
  assert.equal(cycles, 1);
  assert.deepEqual(drains, [120_000]);
  assert.equal(timers.waiting().length, 1, 'after the delivery only the schedule waits: no further retry');
  await loop.stop();
});

test("while a re-enrollment waits for an admin, the spool is drained again at the server's pace, even when empty", async (t) => {
  const timers = new VirtualTimers(START);
  const waiting: DrainResult = {
    acknowledged: [],
    duplicates: 0,
    remaining: 0,
    stopped: { reason: 'pending-approval', retryAfterMs: 90_000, detail: 'device d1 waits for an admin' },
  };
  const drains: number[] = [];
  const loop = loopWith(t, timers, {
    cycle: async () => waiting,
    drain: async () => {
      drains.push(timers.now() - START);
      return drains.length < 2 ? waiting : delivered;
    },
  });
  loop.start();
  await loop.idle();
  for (let poll = 0; poll < 2; poll++) {
    assert.equal(timers.waiting()[0], 90_000, 'the next poll waits what the server asked for');
    timers.runNext();
    await loop.idle();
  }
  assert.deepEqual(drains, [90_000, 180_000]);
  assert.equal(timers.waiting().length, 1, 'no more polls once the key was collected: only the schedule waits');
  await loop.stop();
});
