// The fleet's storage contract: the projection's device facts, the device index behind the lists, baselines, alerts, webhooks and trends.
import type { Alert, AlertKind, Baseline, BaselineInput, DeviceListQuery, TrendPoint, Webhook } from '../../protocol/fleet-api';
import type { CounterKey, CounterScope, CounterValues } from '../storage/counter-keys';
import type { DeviceRow, DeviceSections, DeviceStateChange } from '../storage/device-state';
import type { ProjectionTx } from '../storage/repository';

/** Everything fleet knowledge stores, by concern; a dialect implements each part (see server/storage/sqlite/fleet). */
export interface FleetStore {
  readonly facts: FleetFactsStore;
  readonly devices: FleetDeviceIndex;
  readonly baselines: BaselineStore;
  readonly alerts: AlertStore;
  readonly webhooks: WebhookStore;
  readonly trends: TrendStore;
}

// ---- the projection's device facts ------------------------------------------------------------------

/** The sections fleet knowledge reads (the update history is stored, not counted). */
export const FLEET_SECTIONS = ['packages', 'failures', 'corruption', 'scans', 'hotfixes'] as const;
export type FleetSectionName = (typeof FLEET_SECTIONS)[number];
export type FleetSections = Pick<DeviceSections, FleetSectionName>;

/** An open corruption family on one device, with the span of its evidence (epoch ms). */
export interface FamilySpan {
  family: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** What the fleet projection stored for one device the last time it ran. */
export interface StoredFleetFacts {
  /** The counter keys the device contributes. */
  keys: readonly CounterKey[];
  /** Its open corruption families. */
  families: ReadonlySet<string>;
}

/** One device as the projection sees it: its row, its current sections and what was stored for it. */
export interface FleetFactsInput {
  device: DeviceRow;
  sections: FleetSections;
  stored: StoredFleetFacts;
}

/** What the projection decided for one device. */
export interface FleetFactsChange {
  /** Counter keys the device contributes now and did not before, and those it no longer does. */
  added: CounterKey[];
  removed: CounterKey[];
  /** Every family open now, with its evidence span (stored whether new or moved). */
  open: FamilySpan[];
  /** Families open before and closed now. */
  closed: string[];
  /** Counter deltas to apply with the facts. */
  counters: [key: CounterKey, delta: number][];
}

export type FleetFactsDecision = (input: FleetFactsInput) => FleetFactsChange;

/**
 * The per-device facts behind the fleet counters. The projection decides, the store reads and writes:
 * no query language crosses this line.
 */
export interface FleetFactsStore {
  /**
   * Inside the ingest transaction: reads the device's current sections (those in `change`, the others as
   * stored) and its stored facts, asks `decide`, stores the facts it returns and adds its counter deltas to
   * `tx.counters`. A dialect whose driver is asynchronous returns a promise the ingest awaits; SQLite answers
   * synchronously, within its synchronous transaction.
   */
  update(tx: ProjectionTx, change: DeviceStateChange, decide: FleetFactsDecision): void | Promise<void>;
  /**
   * The same for devices read wholly from storage (after a baseline change), in a transaction of its own that
   * also applies the counter deltas; returns the counters' new values. Unknown ids are skipped.
   */
  reproject(deviceIds: readonly string[], decide: FleetFactsDecision): Promise<CounterValues>;
}

// ---- the device index --------------------------------------------------------------------------------

/** One device row of the device list, before the fleet facts of the page are attached. */
export interface DeviceListRow {
  id: string;
  hostname: string;
  osBuild: string | null;
  lastSeenAt: number;
  stale: boolean;
}

/** Devices that contribute any of `keys` (all of one scope). */
export interface FactFilter {
  keys: CounterKey[];
  /** A device holds at most one of the keys (one state per KB), so the filter may drive a query from the fact index. */
  exclusive: boolean;
  /** How many devices match, from the counters, for the store to choose its plan. */
  devices: number;
}

/** A page of the device list: fact filters resolved to counter keys, the other filters as the API gives them. */
export interface DeviceListSpec extends Pick<DeviceListQuery, 'q' | 'osBuild' | 'stale' | 'sort' | 'order' | 'limit'> {
  /** Every filter must match; none holds an empty key list. */
  facts: FactFilter[];
  /** Sort value and id of the last row of the previous page. */
  after: { value: string | number; id: string } | null;
}

export interface FleetDeviceIndex {
  /** A page of devices in the spec's order, filters applied; `stale` uses the stored flag. */
  listDevices(spec: DeviceListSpec): Promise<DeviceListRow[]>;
  /** The counter keys of `scopes` each device contributes, for the device list columns. */
  factsOf(deviceIds: readonly string[], scopes: readonly CounterScope[]): Promise<Map<string, CounterKey[]>>;
  /** First and last evidence time (epoch ms) of each open corruption family. */
  familySpans(): Promise<Map<string, { firstSeenAt: number; lastSeenAt: number }>>;
  /** Devices with open corruption of `family`, by device id after `afterId`. */
  familyDevices(family: string, limit: number, afterId: string | null): Promise<DeviceListRow[]>;
  /** Candidate donors: same OS build major, revision at least `minRevision`, not stale, no open corruption of `family`, newest report first. */
  donorCandidates(input: { family: string; osMajor: number; minRevision: number; excludeId: string | null; limit: number }): Promise<string[]>;
  /** Every device id after `afterId`, in id order (re-projection). */
  deviceIds(afterId: string | null, limit: number): Promise<string[]>;
  /** Currently stale device ids among `deviceIds`. */
  staleAmong(deviceIds: readonly string[]): Promise<Set<string>>;
}

// ---- baselines, alerts, webhooks, trends -------------------------------------------------------------

export interface BaselineStore {
  list(): Promise<Baseline[]>;
  create(input: BaselineInput, actor: string, now: number): Promise<Baseline>;
  update(id: number, input: BaselineInput): Promise<Baseline | null>;
  delete(id: number): Promise<boolean>;
}

export interface RaiseAlert {
  kind: AlertKind;
  conditionKey: string;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

export interface AlertStore {
  /** Raises the alert unless its condition is already open, and queues it for every enabled webhook of its kind, in one transaction. */
  raise(alert: RaiseAlert, now: number): Promise<Alert | null>;
  /** Clears open conditions (re-arming them); returns how many were open. */
  clear(conditionKeys: readonly string[], now: number): Promise<number>;
  /** Open condition keys of a kind. */
  openConditions(kind: AlertKind): Promise<Set<string>>;
  /** Newest first; `before` is the id cursor. */
  list(input: { limit: number; before?: number | undefined; kind?: AlertKind | undefined; open?: boolean | undefined }): Promise<Alert[]>;
}

export interface WebhookRecord extends Webhook {
  secret: string;
}

export interface OutboxItem {
  id: number;
  webhookId: number;
  alertId: number;
  url: string;
  secret: string;
  body: string;
  attempts: number;
}

export interface WebhookStore {
  /** Without their secrets. */
  list(): Promise<Webhook[]>;
  create(input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string, now: number): Promise<Webhook>;
  update(id: number, input: { url?: string | undefined; kinds?: AlertKind[] | undefined; enabled?: boolean | undefined; secret?: string | undefined }): Promise<Webhook | null>;
  delete(id: number): Promise<boolean>;
  /** Deliveries due at `now`, oldest due first. */
  dueDeliveries(now: number, limit: number): Promise<OutboxItem[]>;
  markDelivered(id: number, now: number, status: number): Promise<void>;
  markRetry(id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void>;
  markFailed(id: number, now: number, status: number | null, error: string): Promise<void>;
}

export interface TrendStore {
  /** Stores the day's point, replacing one taken earlier that day (with its baselines). */
  put(point: TrendPoint, takenAt: number): Promise<void>;
  /** Points of the days from `fromDay` to `toDay` (inclusive, `YYYY-MM-DD`), oldest first. */
  list(fromDay: string, toDay: string): Promise<TrendPoint[]>;
  /** Deletes points and day counters older than `beforeDay`; returns the points removed. */
  prune(beforeDay: string): Promise<number>;
}
