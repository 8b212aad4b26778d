// The storage contract of fleet knowledge: read models, baselines, alerts, webhooks, trends. SQLite implements it.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { Alert, AlertKind, Baseline, BaselineInput, DeviceListQuery, TrendPoint, Webhook } from '../../../protocol/fleet-api';
import type { CounterValues } from '../../storage/repository';

/** One device row of the device list, before the fleet facts of the page are attached. */
export interface DeviceListRow {
  id: string;
  hostname: string;
  osBuild: string | null;
  lastSeenAt: number;
  stale: boolean;
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

export interface RaiseAlert {
  kind: AlertKind;
  conditionKey: string;
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

export interface FleetStore {
  // ---- read models
  /** A page of devices in the query's order and filters; `staleBefore` decides nothing, `stale` uses the stored flag. */
  listDevices(query: DeviceListQuery, after: { value: string | number; id: string } | null): Promise<DeviceListRow[]>;
  /** The fleet facts (`scope` → keys) of each device, for the device list columns. */
  deviceKeys(deviceIds: readonly string[], scopes: readonly string[]): Promise<Map<string, { scope: string; key: string }[]>>;
  /** First and last evidence time (epoch ms) of each open corruption family. */
  familySpans(): Promise<Map<string, { firstSeenAt: number; lastSeenAt: number }>>;
  /** Devices with open corruption of `family`, by device id after `afterId`. */
  familyDevices(family: string, limit: number, afterId: string | null): Promise<DeviceListRow[]>;
  /** Candidate donors: same OS build major, revision at least `minRevision`, no open corruption of `family`, newest report first. */
  donorCandidates(input: { family: string; osMajor: number; minRevision: number; excludeId: string | null; limit: number }): Promise<string[]>;
  /** Every device id after `afterId`, in id order (re-projection). */
  deviceIds(afterId: string | null, limit: number): Promise<string[]>;
  /** Re-computes the fleet facts of these devices (after a baseline change); returns the counters it moved. */
  reprojectDevices(deviceIds: readonly string[], catalog: UpdateCatalog, baselines: readonly Baseline[], now: number): Promise<CounterValues>;
  /** Currently stale device ids among `deviceIds`. */
  staleAmong(deviceIds: readonly string[]): Promise<Set<string>>;

  // ---- baselines
  listBaselines(): Promise<Baseline[]>;
  createBaseline(input: BaselineInput, actor: string, now: number): Promise<Baseline>;
  updateBaseline(id: number, input: BaselineInput): Promise<Baseline | null>;
  deleteBaseline(id: number): Promise<boolean>;

  // ---- alerts and webhooks
  /** Raises the alert unless its condition is already open; queues it for every enabled webhook of its kind. */
  raiseAlert(alert: RaiseAlert, now: number): Promise<Alert | null>;
  /** Clears open conditions (re-arming them); returns how many were open. */
  clearAlerts(conditionKeys: readonly string[], now: number): Promise<number>;
  /** Open condition keys of a kind. */
  openConditions(kind: AlertKind): Promise<Set<string>>;
  listAlerts(input: { limit: number; before?: number; kind?: AlertKind; open?: boolean }): Promise<Alert[]>;
  listWebhooks(): Promise<Webhook[]>;
  createWebhook(input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string, now: number): Promise<Webhook>;
  updateWebhook(id: number, input: { url?: string; kinds?: AlertKind[]; enabled?: boolean; secret?: string }): Promise<Webhook | null>;
  deleteWebhook(id: number): Promise<boolean>;
  dueDeliveries(now: number, limit: number): Promise<OutboxItem[]>;
  markDelivered(id: number, now: number, status: number): Promise<void>;
  markRetry(id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void>;
  markFailed(id: number, now: number, status: number | null, error: string): Promise<void>;

  // ---- trends
  putSnapshot(point: TrendPoint, takenAt: number): Promise<void>;
  listSnapshots(fromDay: string, toDay: string): Promise<TrendPoint[]>;
  /** Deletes snapshots and day counters older than `beforeDay`; returns snapshots removed. */
  pruneSnapshots(beforeDay: string): Promise<number>;
}
