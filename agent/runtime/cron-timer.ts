// Fires a callback on a parsed cron schedule using plain timers: node-cron's own scheduler formats every tick
// through Intl (ICU), which costs the idle agent ~10 MiB, and even its parser costs ~3 MiB, so it runs in workers only.
import type { CronFields as Fields, CronSchedule } from './cron-schedule';
import { systemTimers, type Timers } from './timers';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const SEARCH_DAYS = 366 * 5;

function lastDayOfMonth(year: number, monthIndex: number): number {
  return new Date(year, monthIndex + 1, 0).getDate();
}

function dayMatches(fields: Fields, date: Date): boolean {
  const day = date.getDate();
  const last = lastDayOfMonth(date.getFullYear(), date.getMonth());
  const domAll = fields.dayOfMonth.length >= 31;
  const dowAll = fields.dayOfWeek.length >= 7;
  const dom = fields.dayOfMonth.some((value) => value === day || (value === 'L' && day === last));
  const dow = fields.dayOfWeek.some((value) => value === date.getDay() || value === date.getDay() + 7);
  if (!fields.month.includes(date.getMonth() + 1)) return false;
  // Classic cron: when both day fields are restricted, either may match.
  if (!domAll && !dowAll) return dom || dow;
  return dom && dow;
}

/** The first local time strictly after `after` that matches, or null within five years. */
export function nextCronTime(fields: Fields, after: Date): Date | null {
  const seconds = [...fields.second].sort((a, b) => a - b);
  const minutes = [...fields.minute].sort((a, b) => a - b);
  const hours = [...fields.hour].sort((a, b) => a - b);
  const start = new Date(after.getFullYear(), after.getMonth(), after.getDate());
  const clock = [after.getHours(), after.getMinutes(), after.getSeconds()] as const;
  for (let offset = 0; offset < SEARCH_DAYS; offset++) {
    const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + offset);
    if (!dayMatches(fields, day)) continue;
    for (const hour of hours) {
      // On the first day, skip whole hours and minutes already past instead of building dates for them.
      if (offset === 0 && hour < clock[0]) continue;
      for (const minute of minutes) {
        if (offset === 0 && hour === clock[0] && minute < clock[1]) continue;
        for (const second of seconds) {
          const candidate = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hour, minute, second);
          if (candidate.getTime() > after.getTime()) return candidate;
        }
      }
    }
  }
  return null;
}

/** A stoppable timer firing at every time the expression names (local time). */
export class CronTimer {
  private readonly fields: Fields;
  private cancel: (() => void) | null = null;

  constructor(
    readonly schedule: CronSchedule,
    private readonly onTick: () => void,
    private readonly timers: Timers = systemTimers,
  ) {
    this.fields = schedule.fields;
    if (nextCronTime(this.fields, this.now()) === null) throw new Error(`schedule '${schedule.expression}' never fires`);
  }

  private now(): Date {
    return new Date(this.timers.now());
  }

  start(): void {
    this.arm();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private arm(): void {
    const next = nextCronTime(this.fields, this.now());
    if (next === null) return;
    const wait = next.getTime() - this.now().getTime();
    this.cancel = this.timers.after(Math.min(Math.max(wait, 0), MAX_TIMEOUT_MS), () => {
      if (wait > MAX_TIMEOUT_MS) return this.arm();
      this.onTick();
      this.arm();
    });
  }
}
