// Builds fleet knowledge from its parts: the ingest projection, one read model per concern, and the services behind jobs and admin routes.
import type { UpdateCatalog } from '../../protocol/catalog';
import type { Baseline } from '../../protocol/fleet-api';
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import type { Storage } from '../storage/repository';
import { Alerting } from './alerting';
import { FleetProjection } from './fleet-projection';
import { FleetSettingsService } from './fleet-settings';
import { Baselines } from './read-models/baselines';
import { ClusterReadModel } from './read-models/clusters';
import { DeviceReadModel } from './read-models/devices';
import { DonorSearch } from './read-models/donors';
import { FleetOverview } from './read-models/summary';
import { Trends } from './read-models/trends';
import { StaleDevices } from './stale-devices';
import { WebhookService } from './webhook-service';
import type { WebhookPoster } from './webhooks';

export interface FleetDependencies {
  storage: Storage;
  catalog: UpdateCatalog;
  clock: Clock;
  bus: EventBus;
  logger: { error(obj: object, msg: string): void };
  /** Defaults for settings never saved by an admin. */
  defaults: { staleAfterMs: number };
  /** Baselines as stored at start, so the first ingest already evaluates them. */
  initialBaselines: Baseline[];
  /** The HTTP client webhooks are posted with. */
  poster: WebhookPoster;
}

/** Fleet knowledge: what routes, jobs and event wiring call. */
export interface Fleet {
  /** Keeps the fleet facts and counters in step with ingest. */
  projection: FleetProjection;
  settings: FleetSettingsService;
  overview: FleetOverview;
  devices: DeviceReadModel;
  clusters: ClusterReadModel;
  baselines: Baselines;
  trends: Trends;
  alerts: Alerting;
  staleDevices: StaleDevices;
  webhooks: WebhookService;
}

export function createFleet(deps: FleetDependencies): Fleet {
  const { storage, catalog, clock, bus, logger } = deps;
  const { fleet: store, counters } = storage;
  const settings = new FleetSettingsService(storage.settings, clock, deps.defaults);
  // The projection reads the baselines at each report, and the baselines re-project through it when they change.
  const projection = new FleetProjection(store.facts, catalog, () => baselines.current);
  const baselines: Baselines = new Baselines({
    store: store.baselines,
    devices: store.devices,
    projection,
    counters,
    clock,
    bus,
    initial: deps.initialBaselines,
    afterReevaluation: () => alerts.evaluate(),
    logger,
  });
  const alerts = new Alerting({ store: store.alerts, counters, settings, compliance: () => baselines.compliance(), clock, bus, logger });
  const overview = new FleetOverview(counters, baselines, settings, catalog, clock);
  const trends = new Trends(store.trends, counters, overview, settings, clock);
  const donors = new DonorSearch(store.devices, storage.devices, catalog);
  const devices = new DeviceReadModel({ index: store.devices, devices: storage.devices, counters, baselines, settings, donors, catalog, clock });
  return {
    projection,
    settings,
    overview,
    devices,
    clusters: new ClusterReadModel({ counters, index: store.devices, devices, donors, trends, settings, catalog, clock }),
    baselines,
    trends,
    alerts,
    staleDevices: new StaleDevices(storage.devices, store.devices, store.alerts, alerts, settings, clock, bus),
    webhooks: new WebhookService(store.webhooks, settings, deps.poster, clock),
  };
}
