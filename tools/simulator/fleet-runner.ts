// Drives a simulated fleet on a schedule (steady cadence, Patch-Tuesday burst, return after an outage) with bounded concurrency and agent-style retries.
import { backoffDelay, type RetryPolicy } from '../../agent/ship/backoff';
import type { SimulatedDevice, ShipResult } from './simulated-device';

export const SCENARIOS = ['steady', 'burst', 'outage-return'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface FleetRunOptions {
  scenario: Scenario;
  /** Simulated time between two reports of one device (15 minutes in the field). */
  cadenceMs: number;
  /** Simulated milliseconds per real millisecond: 60 turns a 15-minute cadence into 15 s. */
  speed: number;
  /** Requests in flight at most (a load generator limit, not a fleet property). */
  concurrency: number;
  /** The agent's retry policy; Retry-After from the server wins, and is honoured in real time. */
  retry: RetryPolicy;
  random: () => number;
  /** Each device stops after this many reports (null: until stopped). */
  reportsPerDevice: number | null;
  /** Observes every ship attempt (latency in real ms). */
  onResult?: (device: SimulatedDevice, result: ShipResult, latencyMs: number) => void;
}

/** Window in which a Patch-Tuesday burst brings every device in. */
export const BURST_WINDOW_MS = 10 * 60_000;

export interface FleetStats {
  attempts: number;
  accepted: number;
  duplicates: number;
  retries: number;
  /** Retries the server asked for with Retry-After (429/503). */
  retryAfter: number;
  failed: number;
  lastFailure: string | null;
}

interface Due {
  at: number;
  device: SimulatedDevice;
  kind: 'cycle' | 'ship';
  attempt: number;
}

/** A binary min-heap on `at`, so 100,000 schedules cost log(n) each. */
class DueQueue {
  private readonly items: Due[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Due | undefined {
    return this.items[0];
  }
  push(item: Due): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.at <= a[i]!.at) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  pop(): Due | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.at < a[m]!.at) m = l;
        if (r < a.length && a[r]!.at < a[m]!.at) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** Simulated offset of a device's first report in each scenario. */
function firstOffset(scenario: Scenario, index: number, count: number, cadenceMs: number, random: () => number): number {
  if (scenario === 'steady') return (index / count) * cadenceMs;
  if (scenario === 'burst') return random() * BURST_WINDOW_MS;
  return 0; // outage-return: everyone at once
}

export class FleetRunner {
  readonly stats: FleetStats = { attempts: 0, accepted: 0, duplicates: 0, retries: 0, retryAfter: 0, failed: 0, lastFailure: null };
  private readonly queue = new DueQueue();
  /** Each device has exactly one entry in the queue; this is when its next cycle is due (null: done). */
  private readonly cycleAt = new Map<SimulatedDevice, number | null>();
  private inFlight = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly started = performance.now();

  constructor(
    private readonly devices: readonly SimulatedDevice[],
    private readonly options: FleetRunOptions,
  ) {
    devices.forEach((device, index) => {
      const offset = firstOffset(options.scenario, index, devices.length, options.cadenceMs, options.random);
      this.queue.push({ at: this.started + offset / options.speed, device, kind: 'cycle', attempt: 0 });
    });
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Runs until stopped, or until every device is done (reportsPerDevice, stale devices) and nothing waits. */
  async run(): Promise<FleetStats> {
    while (!this.stopped) {
      const next = this.queue.peek();
      if (!next) {
        if (this.inFlight === 0) break;
        await this.sleep(50);
        continue;
      }
      const now = performance.now();
      if (next.at > now) {
        await this.sleep(Math.min(next.at - now, 250));
        continue;
      }
      if (this.inFlight >= this.options.concurrency) {
        await this.sleep(5);
        continue;
      }
      this.queue.pop();
      this.inFlight++;
      void this.execute(next).finally(() => {
        this.inFlight--;
        this.wake?.();
      });
    }
    while (this.inFlight > 0) await this.sleep(20);
    return this.stats;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async execute(due: Due): Promise<void> {
    const { device } = due;
    const sent = performance.now();
    let result: ShipResult;
    try {
      result = due.kind === 'cycle' ? await device.cycle() : await device.ship();
    } catch (error) {
      result = { kind: 'failed', detail: (error as Error).message };
    }
    const done = performance.now();
    this.stats.attempts++;
    this.options.onResult?.(device, result, done - sent);
    if (due.kind === 'cycle') this.cycleAt.set(device, this.nextCycleAt(device, done));
    const cycleAt = this.cycleAt.get(device) ?? null;
    if (result.kind === 'retry') {
      this.stats.retries++;
      if (result.retryAfterMs !== null) this.stats.retryAfter++;
      const retryAt = done + (result.retryAfterMs ?? backoffDelay(due.attempt, this.options.retry, this.options.random));
      // The next cycle collects (and spools) a fresh report and ships the backlog; a retry before it only ships.
      if (cycleAt !== null && cycleAt <= retryAt) this.queue.push({ at: cycleAt, device, kind: 'cycle', attempt: due.attempt + 1 });
      else this.queue.push({ at: retryAt, device, kind: 'ship', attempt: due.attempt + 1 });
      return;
    }
    if (result.kind === 'accepted') {
      this.stats.accepted += result.acknowledged.length;
      this.stats.duplicates += result.duplicates;
    } else {
      this.stats.failed++;
      this.stats.lastFailure = result.detail;
    }
    if (cycleAt !== null) this.queue.push({ at: cycleAt, device, kind: 'cycle', attempt: 0 });
  }

  /** When this device collects again, or null when it is done (report budget spent, or a stale device gone quiet). */
  private nextCycleAt(device: SimulatedDevice, now: number): number | null {
    const { lastReport } = device.plan;
    if (lastReport !== null && device.reports >= lastReport) return null;
    if (this.options.reportsPerDevice !== null && device.reports >= this.options.reportsPerDevice) return null;
    return now + this.options.cadenceMs / this.options.speed;
  }
}
