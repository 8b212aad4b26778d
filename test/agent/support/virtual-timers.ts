// Timers on a clock that moves only when the test says so: an agent lives through days of schedule and backoff in moments.
import type { Timers } from '../../../agent/runtime/timers';

interface Pending {
  due: number;
  order: number;
  callback: () => void;
}

export class VirtualTimers implements Timers {
  private current: number;
  private order = 0;
  private readonly pending = new Set<Pending>();
  private waiters: (() => void)[] = [];
  /** Every timer set so far: the (virtual) time it was set and its delay. */
  readonly history: { at: number; ms: number }[] = [];

  constructor(start: number | string) {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    const timer: Pending = { due: this.current + Math.max(0, ms), order: this.order++, callback };
    this.pending.add(timer);
    this.history.push({ at: this.current, ms });
    for (const wake of this.waiters.splice(0)) wake();
    return () => void this.pending.delete(timer);
  }

  /** How far off each waiting timer is, soonest first. */
  waiting(): number[] {
    return [...this.pending].map((timer) => timer.due - this.current).sort((a, b) => a - b);
  }

  /** Resolves at the next timer set, e.g. one set in reaction to a file change the test made. */
  nextSet(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Moves the clock to the soonest waiting timer and runs it; false when none waits. */
  runNext(): boolean {
    let next: Pending | null = null;
    for (const timer of this.pending) if (next === null || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
    if (next === null) return false;
    this.pending.delete(next);
    this.current = next.due;
    next.callback();
    return true;
  }
}
