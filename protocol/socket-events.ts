// Live push over socket.io: the typed event maps shared by the server and the dashboard.
import * as z from 'zod';

/** Aggregate counters as `scope` → `key` → current value (absolute, so a missed delta is harmless). */
export const counterValuesSchema = z.record(z.string(), z.record(z.string(), z.number()));

/** One coalesced batch of fleet changes since the previous delta, sent at most every 250 ms. */
export const fleetDeltaSchema = z.object({
  /** ISO time the delta was assembled. */
  at: z.string(),
  /** Increases by one per delta on this server; a gap means deltas were dropped. */
  seq: z.number().int(),
  /** Reports accepted since the previous delta (applied, unchanged or superseded). */
  reportsAccepted: z.number().int().min(0),
  /** Devices whose stored state changed since the previous delta. */
  devicesChanged: z.number().int().min(0),
  /** New values of the counters that changed. */
  counters: counterValuesSchema,
  /**
   * Dashboards re-read their aggregate pages no sooner than this after the delta. It grows with the
   * number of connected dashboards, so their reads together stay within the server's read budget.
   */
  refreshAfterMs: z.number().int().min(0).optional(),
});
export type FleetDelta = z.infer<typeof fleetDeltaSchema>;

export const deviceUpdatedSchema = z.object({
  deviceId: z.string(),
  at: z.string(),
  /** Report sections that changed; empty when only the last-seen time moved. */
  sections: z.array(z.string()),
});
export type DeviceUpdated = z.infer<typeof deviceUpdatedSchema>;

export const clusterChangedSchema = z.object({
  family: z.string(),
  deviceCount: z.number().int().min(0),
  at: z.string(),
});
export type ClusterChanged = z.infer<typeof clusterChangedSchema>;

export const alertRaisedSchema = z.object({
  id: z.union([z.number(), z.string()]),
  kind: z.string(),
  message: z.string(),
  at: z.string(),
  details: z.unknown().optional(),
});
export type AlertRaised = z.infer<typeof alertRaisedSchema>;

/**
 * One live tick in one message: what the tick would otherwise send as `fleet:delta`, `cluster:changed` and
 * `alert:raised` (each part present only when the tick has it). A socket gets this instead of those three
 * when its handshake asks for it (`auth: LIVE_TICK_AUTH`): one write per tick instead of up to three.
 */
export const liveTickSchema = z.object({
  delta: fleetDeltaSchema.optional(),
  clusters: z.array(clusterChangedSchema).optional(),
  alerts: z.array(alertRaisedSchema).optional(),
});
export type LiveTick = z.infer<typeof liveTickSchema>;

/**
 * Sent just before the server closes a socket whose session or token stopped being valid: `expired` when
 * the session outlived its lifetime, `revoked` when it was ended (sign-out, password or role change, user
 * disabled, API token revoked). The dashboard then asks the user to sign in again instead of reconnecting.
 */
export const sessionExpiredSchema = z.object({ reason: z.enum(['expired', 'revoked']) });
export type SessionExpired = z.infer<typeof sessionExpiredSchema>;
/**
 * Request header a dashboard sets when it re-reads a page because of a live delta. Such a read may be
 * answered from what the server computed after its latest live tick: it already holds every change
 * the delta announced. Reads without it are always computed fresh.
 */
export const LIVE_REFRESH_HEADER = 'x-patchlens-live-refresh';
/** Handshake auth fields that ask for `live:tick` (merged into the client's `auth`). */
export const LIVE_TICK_AUTH = { live: 'tick' } as const;

export interface ServerToClientEvents {
  'fleet:delta': (delta: FleetDelta) => void;
  'live:tick': (tick: LiveTick) => void;
  'device:updated': (update: DeviceUpdated[]) => void;
  'cluster:changed': (clusters: ClusterChanged[]) => void;
  'alert:raised': (alert: AlertRaised) => void;
  'session:expired': (info: SessionExpired) => void;
}

export interface ClientToServerEvents {
  /** Start receiving `device:updated` for these devices (max 100 watched per socket). */
  'device:watch': (deviceIds: string[], ack?: (result: { watching: number }) => void) => void;
  'device:unwatch': (deviceIds: string[], ack?: (result: { watching: number }) => void) => void;
}

export const LIVE_LIMITS = { watchedDevicesPerSocket: 100 } as const;
