// Alerting: raises newly true cluster and compliance conditions and clears the ones no longer true, publishing what it raises.
import type { Alert, AlertKind, BaselineCompliance } from '../../protocol/fleet-api';
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import { countersIn, type CounterValues } from '../storage/counter-keys';
import type { CounterRepository } from '../storage/repository';
import { aggregateConditions, diffConditions } from './alerts';
import type { FleetSettingsService } from './fleet-settings';
import type { AlertStore, RaiseAlert } from './fleet-store';

/** Counter changes are evaluated at most this often, so a burst of reports costs one evaluation. */
const EVALUATE_AFTER_MS = 1_000;

export interface AlertingOptions {
  store: AlertStore;
  counters: CounterRepository;
  settings: FleetSettingsService;
  compliance(): Promise<BaselineCompliance[]>;
  clock: Clock;
  bus: EventBus;
  logger: { error(obj: object, msg: string): void };
}

export class Alerting {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: AlertingOptions) {}

  list(query: { limit: number; before?: number | undefined; kind?: AlertKind | undefined; open?: boolean | undefined }): Promise<Alert[]> {
    return this.options.store.list(query);
  }

  /** Raises newly true cluster and compliance conditions, clears the ones no longer true. */
  async evaluate(): Promise<void> {
    const { store, clock } = this.options;
    const families = new Map((await this.options.counters.scope('family')).filter(({ value }) => value > 0).map(({ key, value }) => [key.family, value]));
    const active = aggregateConditions(families, await this.options.compliance(), await this.options.settings.get());
    const kinds = ['cluster-new', 'cluster-threshold', 'compliance-below'] as const;
    const open = new Set<string>();
    for (const kind of kinds) for (const key of await store.openConditions(kind)) open.add(key);
    const { raise, clear } = diffConditions(active, open, kinds);
    await store.clear(clear, clock.now());
    for (const condition of raise) await this.raise(condition);
  }

  /** Raises one condition unless it is open already, and publishes it. */
  async raise(condition: RaiseAlert): Promise<void> {
    const alert = await this.options.store.raise(condition, this.options.clock.now());
    if (alert) this.options.bus.publish('alert.raised', { id: alert.id, kind: alert.kind, message: alert.message, at: alert.raisedAt, details: alert.details });
  }

  /**
   * Reacts to new counter values: publishes `cluster.changed` for every family whose device count moved,
   * and evaluates the conditions within a second when clusters or baseline standings moved.
   */
  countersChanged(values: CounterValues): void {
    const families = countersIn(values, 'family');
    const at = new Date(this.options.clock.now()).toISOString();
    for (const { key, value } of families) this.options.bus.publish('cluster.changed', { family: key.family, deviceCount: value, at });
    if ((families.length > 0 || values.baseline) && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.evaluate().catch((err: unknown) => this.options.logger.error({ err }, 'alert evaluation failed'));
      }, EVALUATE_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Cancels an evaluation still waiting (shutdown). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
