// The bounded ingest queue with group commit: reports wait here, are committed in batches, and are answered after the commit.
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { EventBus } from '../live/event-bus';
import type { IngestItem, IngestOutcome, IngestProjection, ReportRepository } from '../storage/repository';

const COMMIT_BUDGET_MS = 20;
const MIN_BATCH = 16;

interface Pending {
  item: IngestItem;
  resolve: (outcome: IngestOutcome) => void;
  reject: (err: Error) => void;
}

export interface IngestQueueOptions {
  reports: ReportRepository;
  projections: readonly IngestProjection[];
  bus: EventBus;
  clock: Clock;
  /** Reports allowed to wait; beyond it `submit` refuses with 429. */
  capacity: number;
  /** Raw body bytes allowed to wait; beyond it `submit` refuses with 429 too. */
  capacityBytes?: number;
  /** Most reports per transaction. */
  batchSize: number;
}

export interface IngestQueueStats {
  queued: number;
  committedReports: number;
  committedBatches: number;
  rejectedOverload: number;
}

export class IngestQueue {
  private readonly pending: Pending[] = [];
  private pendingBytes = 0;
  private draining = false;
  private scheduled = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Smoothed reports committed per second, for Retry-After. */
  private rate = 1_000;
  readonly stats: IngestQueueStats = { queued: 0, committedReports: 0, committedBatches: 0, rejectedOverload: 0 };

  constructor(private readonly options: IngestQueueOptions) {}

  get length(): number {
    return this.pending.length;
  }

  /**
   * Queues a validated report; resolves with its outcome once the transaction holding it committed.
   * Throws 429 (with Retry-After) when the queue is full and 503 while shutting down.
   */
  submit(item: IngestItem): Promise<IngestOutcome> {
    if (this.closed) throw new AppError(503, 'overloaded', 'The server is shutting down; retry shortly.', undefined, { 'Retry-After': '5' });
    if (this.pending.length >= this.options.capacity || this.pendingBytes + item.rawBody.length > (this.options.capacityBytes ?? Infinity)) {
      this.stats.rejectedOverload++;
      const seconds = Math.min(60, Math.max(1, Math.ceil(this.pending.length / Math.max(this.rate, 1))));
      throw new AppError(429, 'overloaded', 'The server is busy ingesting other reports; retry after the delay given in Retry-After.', undefined, {
        'Retry-After': String(seconds),
      });
    }
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.pendingBytes += item.rawBody.length;
      this.stats.queued = this.pending.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    // setImmediate lets the event loop read more requests first, so batches grow under load.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /**
   * A commit blocks the event loop, so a batch is sized to about COMMIT_BUDGET_MS at the measured
   * commit rate: reads wait at most that long, and batches still grow when commits get cheaper.
   */
  private batchLimit(): number {
    return Math.min(this.options.batchSize, Math.max(MIN_BATCH, Math.round((this.rate * COMMIT_BUDGET_MS) / 1000)));
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      const batch = this.pending.splice(0, this.batchLimit());
      for (const p of batch) this.pendingBytes -= p.item.rawBody.length;
      this.stats.queued = this.pending.length;
      if (batch.length > 0) await this.commit(batch);
    } finally {
      this.draining = false;
    }
    if (this.pending.length > 0) this.schedule();
    else this.notifyIdle();
  }

  private async commit(batch: Pending[]): Promise<void> {
    const { reports, projections, bus, clock } = this.options;
    const started = performance.now();
    const now = clock.now();
    let result;
    try {
      result = await reports.ingestBatch(
        batch.map((p) => p.item),
        projections,
        now,
      );
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    const seconds = Math.max((performance.now() - started) / 1_000, 1e-4);
    this.rate = this.rate * 0.8 + (batch.length / seconds) * 0.2;
    this.stats.committedReports += batch.length;
    this.stats.committedBatches++;

    let accepted = 0;
    result.outcomes.forEach((outcome, i) => {
      if (outcome.status === 'applied' || outcome.status === 'unchanged' || outcome.status === 'superseded') accepted++;
      if ((outcome.status === 'applied' || outcome.status === 'unchanged') && outcome.change) {
        bus.publish('device.changed', { deviceId: outcome.change.deviceId, sections: outcome.changedSections, at: now });
      }
      batch[i]!.resolve(outcome);
    });
    if (accepted > 0) bus.publish('reports.committed', { accepted, at: now });
    if (Object.keys(result.counters).length > 0) bus.publish('counters.changed', { values: result.counters, at: now });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Stops accepting reports and resolves once everything queued is committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.pending.length === 0 && !this.draining && !this.scheduled) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
