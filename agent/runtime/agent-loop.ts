// The long-running agent: cron schedule + a debounced watch on the CBS folder + spool retries with backoff.
import { watch, type FSWatcher } from 'node:fs';
import type { AgentLogger } from '../log';
import { backoffDelay, type RetryPolicy } from '../ship/backoff';
import type { CronSchedule } from './cron-schedule';
import { CronTimer } from './cron-timer';
import { systemTimers, type Timers } from './timers';
import type { DrainResult } from '../ship/sender';

export interface AgentLoopDeps {
  /** Collect and spool one report, then ship the spool. */
  cycle: () => Promise<DrainResult>;
  /** Ship what the spool holds (retries). */
  drain: () => Promise<DrainResult>;
  schedule: CronSchedule;
  /** Folder to watch for new servicing-log bytes, or null. */
  watchDir: string | null;
  /** Quiet time after the last change before a cycle starts. */
  debounceMs: number;
  /** A folder that never stops changing (a long DISM run) still gets a cycle this often. */
  maxWaitMs: number;
  retry: RetryPolicy;
  random: () => number;
  log: AgentLogger;
  /** The system's clock and timers unless a test moves time itself. */
  timers?: Timers;
}

/** Polls of a re-enrollment waiting for an admin: the server's Retry-After, else a minute, never under a second. */
const APPROVAL_POLL_DEFAULT_MS = 60_000;
const APPROVAL_POLL_MIN_MS = 1_000;

const WATCHED = /^(CBS\.log|CbsPersist_\d+\.(log|cab)|CheckSUR\.(log|persist\.log))$/i;

/**
 * One cycle at a time: a trigger that arrives while a cycle runs is remembered and runs right
 * after. A send that must wait (server down, 429/503) is retried on its own timer — without
 * collecting again — using Retry-After when given, else full-jitter exponential backoff. While a
 * re-enrollment waits for an admin, the spool is drained (the request polled) at the server's pace.
 */
export class AgentLoop {
  private readonly timers: Timers;
  private readonly timer: CronTimer;
  private watcher: FSWatcher | null = null;
  private cancelDebounce: (() => void) | null = null;
  private firstChangeAt = 0;
  private cancelRetry: (() => void) | null = null;
  private retryAttempt = 0;
  private running: Promise<void> | null = null;
  private pending: 'cycle' | 'drain' | null = null;
  private stopped = false;
  cycles = 0;

  constructor(private readonly deps: AgentLoopDeps) {
    this.timers = deps.timers ?? systemTimers;
    this.timer = new CronTimer(deps.schedule, () => this.trigger('cycle', 'schedule'), this.timers);
  }

  start(): void {
    this.timer.start();
    if (this.deps.watchDir !== null) this.startWatch(this.deps.watchDir);
    this.trigger('cycle', 'start');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer.stop();
    this.watcher?.close();
    this.cancelDebounce?.();
    this.cancelRetry?.();
    await this.running;
  }

  /** Resolves when no cycle is running or queued (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private startWatch(dir: string): void {
    try {
      this.watcher = watch(dir, { persistent: true }, (_event, name) => {
        if (name !== null && !WATCHED.test(String(name))) return;
        this.onChange();
      });
      this.watcher.on('error', (error) => this.deps.log.warn({ error: error.message }, 'watching the log folder failed; relying on the schedule'));
    } catch (error) {
      this.deps.log.warn({ dir, error: (error as Error).message }, 'cannot watch the log folder; relying on the schedule');
    }
  }

  private onChange(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    if (this.cancelDebounce === null) this.firstChangeAt = now;
    else this.cancelDebounce();
    const waited = now - this.firstChangeAt;
    const delay = Math.max(0, Math.min(this.deps.debounceMs, this.deps.maxWaitMs - waited));
    this.cancelDebounce = this.timers.after(delay, () => {
      this.cancelDebounce = null;
      this.trigger('cycle', 'log change');
    });
  }

  private trigger(kind: 'cycle' | 'drain', reason: string): void {
    if (this.stopped) return;
    if (this.running) {
      if (this.pending !== 'cycle') this.pending = kind;
      return;
    }
    this.running = this.execute(kind, reason).finally(() => {
      this.running = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.trigger(next, 'queued');
    });
  }

  private async execute(kind: 'cycle' | 'drain', reason: string): Promise<void> {
    let result: DrainResult | null = null;
    if (kind === 'cycle') {
      try {
        result = await this.deps.cycle();
        this.cycles++;
      } catch (error) {
        this.deps.log.error({ reason, error: (error as Error).message }, 'cycle failed; the next one will try again');
      }
    }
    if (result === null) {
      try {
        result = await this.deps.drain();
      } catch (error) {
        result = { acknowledged: [], duplicates: 0, remaining: 1, stopped: { reason: 'retry', retryAfterMs: null, detail: (error as Error).message } };
      }
    }
    this.scheduleRetry(result);
  }

  private scheduleRetry(result: DrainResult): void {
    this.cancelRetry?.();
    this.cancelRetry = null;
    if (result.stopped?.reason === 'pending-approval') {
      // An admin decides in minutes or days: ask at the server's pace, never faster than APPROVAL_POLL_MIN_MS.
      this.retryAttempt = 0;
      const delay = Math.max(APPROVAL_POLL_MIN_MS, result.stopped.retryAfterMs ?? APPROVAL_POLL_DEFAULT_MS);
      this.deps.log.info({ delayMs: delay, waiting: result.remaining }, 'waiting for an admin to approve the re-enrollment; will ask again');
      this.cancelRetry = this.timers.after(delay, () => this.trigger('drain', 'approval poll'));
      return;
    }
    if (result.stopped?.reason !== 'retry' || result.remaining === 0) {
      this.retryAttempt = 0;
      return;
    }
    const delay = result.stopped.retryAfterMs ?? backoffDelay(this.retryAttempt, this.deps.retry, this.deps.random);
    this.retryAttempt++;
    this.deps.log.info({ delayMs: delay, waiting: result.remaining, reason: result.stopped.detail }, 'server unavailable; will retry');
    this.cancelRetry = this.timers.after(delay, () => this.trigger('drain', 'retry'));
  }
}
