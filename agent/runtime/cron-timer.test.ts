// Schedule arithmetic on node-cron expressions, in local time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from './cron-schedule';
import { CronTimer, nextCronTime } from './cron-timer';
import { VirtualTimers } from '../../test/agent/support/virtual-timers';

const next = (expression: string, after: Date) => nextCronTime(parseSchedule(expression).fields, after);
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s);

test('the default every-15-minutes schedule', () => {
  assert.deepEqual(next('*/15 * * * *', local(2024, 11, 21, 13, 55, 22)), local(2024, 11, 21, 14, 0, 0));
  assert.deepEqual(next('*/15 * * * *', local(2024, 11, 21, 14, 0, 0)), local(2024, 11, 21, 14, 15, 0));
  assert.deepEqual(next('*/15 * * * *', local(2024, 12, 31, 23, 59, 59)), local(2025, 1, 1, 0, 0, 0));
});

test('seconds, weekdays, month ends and either-day semantics', () => {
  assert.deepEqual(next('*/10 * * * * *', local(2024, 11, 21, 13, 55, 22)), local(2024, 11, 21, 13, 55, 30));
  assert.deepEqual(next('30 2 * * 1', local(2024, 11, 21, 13, 0, 0)), local(2024, 11, 25, 2, 30, 0)); // next Monday
  assert.deepEqual(next('0 0 29 2 *', local(2025, 3, 1)), local(2028, 2, 29));
  assert.deepEqual(next('0 0 1 * 1', local(2024, 11, 21)), local(2024, 11, 25)); // a Monday comes before the 1st
});

test('invalid expressions are refused with the expression in the message', () => {
  assert.throws(() => parseSchedule('every now and then'), /'every now and then' is not a valid cron expression/);
});

test('a parsed schedule survives the JSON hop from the config worker to the supervisor', () => {
  const schedule = JSON.parse(JSON.stringify(parseSchedule('0 0 L * *'))) as ReturnType<typeof parseSchedule>;
  assert.deepEqual(nextCronTime(schedule.fields, local(2025, 2, 3)), local(2025, 2, 28));
});

test('a timer built from the parsed fields fires on schedule and stops', () => {
  const timers = new VirtualTimers('2024-11-21T12:00:00.500Z');
  const ticks: string[] = [];
  const schedule = JSON.parse(JSON.stringify(parseSchedule('* * * * * *'))) as ReturnType<typeof parseSchedule>;
  const timer = new CronTimer(schedule, () => ticks.push(new Date(timers.now()).toISOString()), timers);
  timer.start();
  timers.runNext();
  timers.runNext();
  assert.deepEqual(ticks, ['2024-11-21T12:00:01.000Z', '2024-11-21T12:00:02.000Z']);
  timer.stop();
  assert.deepEqual(timers.waiting(), [], 'a stopped timer leaves nothing to fire');
});
