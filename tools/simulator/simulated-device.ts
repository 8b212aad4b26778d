// One simulated agent: enrolls and ships its reports through the agent's real transport, spool and sender.
import { join } from 'node:path';
import { pino } from 'pino';
import { postReport, requestDeviceKey } from '../../agent/ship/api';
import { drainSpool, enrollDevice, type DrainResult, type SenderDeps } from '../../agent/ship/sender';
import { Spool } from '../../agent/ship/spool';
import type { Transport } from '../../agent/ship/transport';
import { ProcessAdapter } from '../../agent/windows/adapter';
import type { AgentLogger } from '../../agent/log';
import type { FleetReportBuilder } from './device-report';
import type { DevicePlan } from './fleet-plan';

export type ShipResult =
  | { kind: 'accepted'; acknowledged: string[]; duplicates: number }
  /** Server down, overloaded (429/503) or unreachable: try again later, after `retryAfterMs` when given. */
  | { kind: 'retry'; retryAfterMs: number | null; detail: string }
  | { kind: 'failed'; detail: string };

export interface DeviceDeps {
  transport: Transport;
  builder: FleetReportBuilder;
  secret: string;
  now: () => Date;
  /**
   * Root of per-device agent state folders (device key file + spool), as on a real host. Null keeps
   * the key in memory and posts each report directly: the load generator for very large fleets.
   */
  stateRoot: string | null;
  spoolLimitBytes: number;
  log?: AgentLogger;
}

const quiet = pino({ level: 'silent' });
const posix = new ProcessAdapter('linux');

export class SimulatedDevice {
  /** Reports collected so far (the next one is number `reports + 1`). */
  reports = 0;
  /** Sequence number of the newest report collected. */
  lastSequence = 0;
  readonly spool: Spool | null;
  private readonly sender: SenderDeps | null;
  private key: string | null = null;
  /** Direct mode: the newest report not yet acknowledged (each report restates the full state). */
  private pending: { reportId: string; body: string } | null = null;

  constructor(
    readonly plan: DevicePlan,
    private readonly deps: DeviceDeps,
  ) {
    if (deps.stateRoot === null) {
      this.spool = null;
      this.sender = null;
      return;
    }
    const stateDir = join(deps.stateRoot, plan.deviceId);
    const log = deps.log ?? quiet;
    this.spool = new Spool(stateDir, deps.spoolLimitBytes, log);
    this.sender = {
      spool: this.spool,
      transport: deps.transport,
      stateDir,
      adapter: posix,
      log,
      now: deps.now,
      secret: deps.secret,
      deviceId: plan.deviceId,
      hostname: plan.hostname,
    };
  }

  /** Exchanges the fleet secret for this device's own key (stored owner-only in spool mode). */
  async enroll(): Promise<void> {
    if (this.sender) await enrollDevice(this.sender, this.deps.secret);
    else {
      const answer = await requestDeviceKey(this.deps.transport, { secret: this.deps.secret, deviceId: this.plan.deviceId, hostname: this.plan.hostname });
      if (answer.kind !== 'enrolled') {
        throw new Error(`device ${this.plan.deviceId} is already enrolled on this server; its re-enrollment waits for an admin (request ${answer.requestId})`);
      }
      this.key = answer.deviceKey;
    }
  }

  /** Uses a key issued out of band (direct mode only): a benchmark enrolls most of a huge fleet straight in the database. */
  adoptKey(key: string): void {
    if (this.sender) throw new Error('adoptKey is for devices without an agent state folder');
    this.key = key;
  }

  /** Collects the next report (spooled first when the device has a spool), then ships. */
  async cycle(): Promise<ShipResult> {
    this.collect();
    return this.ship();
  }

  /** Collects the next report: into the spool when the device has one, else as the report to post next. */
  collect(): void {
    this.reports++;
    const sequence = this.spool ? Math.max(this.reports, this.spool.maxSequence() + 1) : this.reports;
    const report = this.deps.builder.build(this.plan, this.reports, sequence, this.deps.now());
    this.lastSequence = sequence;
    if (this.spool) this.spool.put(report, sequence);
    else this.pending = { reportId: report.reportId, body: JSON.stringify(report) };
  }

  /** Drains the spool with the agent's sender and returns its answer as the agent loop sees it (spool mode only). */
  drain(): Promise<DrainResult> {
    if (!this.sender) throw new Error(`${this.plan.deviceId} has no spool to drain`);
    return drainSpool(this.sender);
  }

  /** Sends what is waiting: the spool oldest first, or the newest direct report. */
  async ship(): Promise<ShipResult> {
    if (this.sender) {
      const drained = await this.drain();
      if (drained.stopped === null) return { kind: 'accepted', acknowledged: drained.acknowledged, duplicates: drained.duplicates };
      if (drained.stopped.reason === 'retry') return { kind: 'retry', retryAfterMs: drained.stopped.retryAfterMs, detail: drained.stopped.detail };
      return { kind: 'failed', detail: drained.stopped.detail };
    }
    const pending = this.pending;
    if (pending === null) return { kind: 'accepted', acknowledged: [], duplicates: 0 };
    if (this.key === null) await this.enroll();
    const outcome = await postReport(this.deps.transport, this.key!, pending.body, this.deps.now);
    if (outcome.kind === 'accepted') {
      if (this.pending === pending) this.pending = null;
      return { kind: 'accepted', acknowledged: [pending.reportId], duplicates: outcome.duplicate ? 1 : 0 };
    }
    if (outcome.kind === 'retry') return { kind: 'retry', retryAfterMs: outcome.retryAfterMs, detail: outcome.reason };
    return { kind: 'failed', detail: outcome.reason };
  }

  get waiting(): boolean {
    return this.spool ? this.spool.entries().length > 0 : this.pending !== null;
  }
}
