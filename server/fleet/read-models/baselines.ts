// Baselines and compliance: the baselines an admin sets, the fleet's standing against each, and re-evaluating devices when they change.
import type { Baseline, BaselineCompliance, BaselineInput } from '../../../protocol/fleet-api';
import type { Clock } from '../../clock';
import type { EventBus } from '../../live/event-bus';
import type { CounterRepository } from '../../storage/repository';
import { complianceSummary, type StandingCounts } from '../compliance';
import type { FleetProjection } from '../fleet-projection';
import type { BaselineStore, FleetDeviceIndex } from '../fleet-store';

const REEVALUATE_BATCH = 500;

export interface BaselinesOptions {
  store: BaselineStore;
  devices: FleetDeviceIndex;
  projection: FleetProjection;
  counters: CounterRepository;
  clock: Clock;
  bus: EventBus;
  /** The baselines as stored at start, so the first ingest already evaluates them. */
  initial: Baseline[];
  /** Runs once every device has been re-evaluated (alert conditions follow compliance). */
  afterReevaluation(): Promise<void>;
  logger?: { error(obj: object, msg: string): void };
}

export class Baselines {
  private cached: Baseline[];
  private reevaluation: Promise<void> | null = null;
  private reevaluateAgain = false;

  constructor(private readonly options: BaselinesOptions) {
    this.cached = options.initial;
  }

  /** The baselines the ingest projection evaluates (kept in memory, refreshed on every change). */
  get current(): readonly Baseline[] {
    return this.cached;
  }

  /** Each baseline's standing from its per-standing counters; `evaluating` while devices are re-evaluated. */
  async compliance(): Promise<BaselineCompliance[]> {
    const counts = new Map<string, number>();
    for (const { key, value } of await this.options.counters.scope('baseline')) counts.set(`${key.baselineId}:${key.standing}`, value);
    const now = new Date(this.options.clock.now());
    return this.cached.map((baseline) => {
      const standing = (name: keyof StandingCounts) => counts.get(`${baseline.id}:${name}`) ?? 0;
      const standings = { compliant: standing('compliant'), pending: standing('pending'), failed: standing('failed'), unsatisfied: standing('unsatisfied') };
      return { ...complianceSummary(baseline, standings, now), evaluating: this.reevaluation !== null };
    });
  }

  async create(input: BaselineInput, actor: string): Promise<Baseline> {
    const baseline = await this.options.store.create(input, actor, this.options.clock.now());
    await this.changed();
    return baseline;
  }

  async update(id: number, input: BaselineInput): Promise<Baseline | null> {
    const baseline = await this.options.store.update(id, input);
    if (baseline) await this.changed();
    return baseline;
  }

  async delete(id: number): Promise<boolean> {
    const deleted = await this.options.store.delete(id);
    if (deleted) await this.changed();
    return deleted;
  }

  /** Resolves once every device has been evaluated against the current baselines. */
  whenApplied(): Promise<void> {
    return this.reevaluation ?? Promise.resolve();
  }

  /**
   * Re-evaluates every device in the background, in batches that yield to ingest, so the per-baseline
   * counters match the new baselines; `compliance()` reports `evaluating` meanwhile. A change during a
   * run restarts it, since devices already visited saw the old baselines.
   */
  private async changed(): Promise<void> {
    this.cached = await this.options.store.list();
    if (this.reevaluation) {
      this.reevaluateAgain = true;
      return;
    }
    this.reevaluation = (async () => {
      do {
        this.reevaluateAgain = false;
        let after: string | null = null;
        for (;;) {
          const ids = await this.options.devices.deviceIds(after, REEVALUATE_BATCH);
          if (ids.length === 0) break;
          const values = await this.options.projection.reproject(ids, this.cached, this.options.clock.now());
          if (Object.keys(values).length > 0) this.options.bus.publish('counters.changed', { values, at: this.options.clock.now() });
          after = ids[ids.length - 1] ?? null;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } while (this.reevaluateAgain);
      this.reevaluation = null;
      await this.options.afterReevaluation();
    })().catch((err: unknown) => {
      this.reevaluation = null;
      this.options.logger?.error({ err }, 'baseline re-evaluation failed');
    });
  }
}
