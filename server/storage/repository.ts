// The storage contract routes and services call; a dialect implements it in one folder (./sqlite), chosen by ./open-storage.ts.
import type { Report } from '../../protocol/report';
import type { FleetStore } from '../fleet/fleet-store';
import type { Counted, CounterKey, CounterScope, CounterValues } from './counter-keys';
import type { DeviceRow, DeviceStateChange, SectionName, StoredDeviceState } from './device-state';

export type Role = 'admin' | 'viewer';

/** Counter changes collected inside a transaction. */
export interface CounterWriter {
  /** Adds `delta` to the counter; applied with the transaction, rolled back with it. */
  add(key: CounterKey, delta: number): void;
}

/** What a projection is given inside the ingest transaction, besides the stores it was built with. */
export interface ProjectionTx {
  counters: CounterWriter;
  /** Server time of the batch (epoch ms). */
  now: number;
}

/**
 * Keeps derived data (aggregate counters, the fleet's device facts) in step with device state. Runs
 * inside the ingest transaction for each report that reached the device's current state; throwing
 * rolls back that report only and fails it with 500. It may return a promise only on a dialect whose
 * transactions are asynchronous; SQLite's ingest transaction is synchronous and refuses one.
 */
export interface IngestProjection {
  readonly name: string;
  apply(tx: ProjectionTx, change: DeviceStateChange): void | Promise<void>;
}

/** One validated report waiting in the ingest queue. */
export interface IngestItem {
  report: Report;
  /** The request body as received, kept when the report changes state. */
  rawBody: string;
  /** The device the presenting key belongs to (already checked against report.device.id). */
  deviceId: string;
  /** The device key it was sent with (its sequence epoch); absent for reports not sent by a device. */
  keyId?: number;
  receivedAt: number;
}

export type IngestOutcome =
  | { status: 'applied' | 'unchanged' | 'superseded'; reportId: string; changedSections: SectionName[]; change: DeviceStateChange | null }
  | { status: 'duplicate'; reportId: string }
  | { status: 'conflict'; reportId: string; message: string }
  /** Not plausible against the stored state (a sequence too far ahead); nothing was stored. */
  | { status: 'refused'; reportId: string; message: string; path: string }
  | { status: 'failed'; reportId: string; error: Error };

export interface IngestBatchResult {
  outcomes: IngestOutcome[];
  /** New values of every counter the batch changed. */
  counters: CounterValues;
}

export interface ReportSummary {
  reportId: string;
  deviceId: string;
  sequence: number | null;
  generatedAt: string;
  receivedAt: number;
  outcome: 'applied' | 'unchanged' | 'superseded';
  changedSections: SectionName[];
  hasBody: boolean;
}

export interface ReportRepository {
  /** Commits the batch in one transaction (each report isolated in a savepoint) and returns one outcome per item. */
  ingestBatch(items: IngestItem[], projections: readonly IngestProjection[], now: number): Promise<IngestBatchResult>;
  has(reportId: string): Promise<boolean>;
  listForDevice(deviceId: string, limit: number): Promise<ReportSummary[]>;
  /** Raw body of a stored report, null when pruned or unchanged. */
  body(reportId: string): Promise<string | null>;
  /** Drops bodies of reports received before `before`; returns how many. */
  pruneBodies(before: number): Promise<number>;
  /** Deletes report rows received before `before`; returns how many. */
  deleteOlderThan(before: number): Promise<number>;
  count(): Promise<number>;
}

export interface DeviceRepository {
  get(id: string): Promise<StoredDeviceState | null>;
  getRow(id: string): Promise<DeviceRow | null>;
  /** Marks devices not seen since `lastSeenBefore` as stale (counter `devices/stale` follows); returns their ids. */
  markStale(lastSeenBefore: number): Promise<{ deviceIds: string[]; counters: CounterValues }>;
}

export interface CounterRepository {
  /** Every counter of a scope with its value (zero included: a count that fell back to none). */
  scope<S extends CounterScope>(scope: S): Promise<Counted<S>[]>;
  get(key: CounterKey): Promise<number>;
}

export interface EnrollmentSecretInfo {
  id: number;
  name: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  uses: number;
  lastUsedAt: number | null;
}

export interface DeviceKeyInfo {
  id: number;
  deviceId: string;
  hostname: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  role: Role;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface CredentialRepository {
  createEnrollmentSecret(input: { name: string; secretHash: string; createdBy: string; expiresAt: number | null; now: number }): Promise<EnrollmentSecretInfo>;
  listEnrollmentSecrets(): Promise<EnrollmentSecretInfo[]>;
  revokeEnrollmentSecret(id: number, now: number): Promise<boolean>;
  /** The usable (not revoked, not expired) secret with this hash, counting the use. */
  useEnrollmentSecret(secretHash: string, now: number): Promise<EnrollmentSecretInfo | null>;
  /**
   * The first key of a device id never seen before (no key, revoked or not, and no stored state), in
   * one transaction; null when the id is known, so a second enrollment cannot replace its key.
   */
  issueFirstDeviceKey(input: { deviceId: string; hostname: string; keyHash: string; secretId: number | null; now: number }): Promise<DeviceKeyInfo | null>;
  /** Stores a new key for the device and revokes its older keys, in one transaction. */
  issueDeviceKey(input: { deviceId: string; hostname: string; keyHash: string; secretId: number | null; now: number }): Promise<DeviceKeyInfo>;
  /** The active key with this hash. */
  findDeviceKey(keyHash: string): Promise<DeviceKeyInfo | null>;
  listDeviceKeys(deviceId: string): Promise<DeviceKeyInfo[]>;
  /** Revokes every active key of the device; returns how many. */
  revokeDeviceKeys(deviceId: string, now: number): Promise<number>;
  createApiToken(input: { name: string; role: Role; tokenHash: string; createdBy: string; now: number }): Promise<ApiTokenInfo>;
  listApiTokens(): Promise<ApiTokenInfo[]>;
  revokeApiToken(id: number, now: number): Promise<boolean>;
  /** The active token with this hash; records its use. */
  useApiToken(tokenHash: string, now: number): Promise<ApiTokenInfo | null>;
  /** Which of these token ids are still active (not revoked), in one lookup; does not count as a use. */
  activeApiTokenIds(ids: readonly number[]): Promise<Set<number>>;
}

export type EnrollmentRequestStatus = 'pending' | 'approved' | 'rejected' | 'collected';

/** A re-enrollment of a known device id, waiting for an admin's decision (see enrollment_requests). */
export interface EnrollmentRequestInfo {
  id: number;
  deviceId: string;
  hostname: string;
  secretId: number | null;
  ip: string | null;
  requestedAt: number;
  /** A pending or approved request past this time is expired. */
  expiresAt: number;
  status: EnrollmentRequestStatus;
  decidedAt: number | null;
  decidedBy: string | null;
}

/** An open request as an admin sees it: with what the server knows of the device it names. */
export interface OpenEnrollmentRequest extends EnrollmentRequestInfo {
  secretName: string | null;
  /** Host name of the device's newest key, or of its stored state. */
  knownHostname: string | null;
  lastSeenAt: number | null;
}

export interface EnrollmentRequestRepository {
  create(input: { deviceId: string; hostname: string; secretId: number | null; ip: string | null; pickupHash: string; now: number; expiresAt: number }): Promise<EnrollmentRequestInfo>;
  /** Pending, unexpired requests for the device. */
  countPending(deviceId: string, now: number): Promise<number>;
  byPickupHash(pickupHash: string): Promise<EnrollmentRequestInfo | null>;
  get(id: number): Promise<EnrollmentRequestInfo | null>;
  /** Pending and approved (not yet collected) requests that have not expired, oldest first. */
  listOpen(now: number): Promise<OpenEnrollmentRequest[]>;
  /**
   * Approves a pending, unexpired request: revokes the device's keys, rejects its other pending
   * requests and renews the request's lifetime for the pickup. Null when it is not pending.
   */
  approve(id: number, decidedBy: string, now: number): Promise<{ request: EnrollmentRequestInfo; revokedKeys: number; rejected: number[] } | null>;
  /** Rejects a pending or approved, uncollected request; null when there is none such. */
  reject(id: number, decidedBy: string, now: number): Promise<EnrollmentRequestInfo | null>;
  /** Hands out the key of an approved, unexpired request once: stores the key, marks the request collected. */
  collect(id: number, keyHash: string, now: number): Promise<DeviceKeyInfo | null>;
  /** Deletes requests decided or expired before `before`; returns how many. */
  purge(before: number): Promise<number>;
}

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: number;
  passwordChangedAt: number;
  disabledAt: number | null;
  lastLoginAt: number | null;
}

export interface UserRepository {
  count(): Promise<number>;
  create(input: { username: string; passwordHash: string; role: Role; mustChangePassword: boolean; now: number }): Promise<UserRecord>;
  byId(id: number): Promise<UserRecord | null>;
  byUsername(username: string): Promise<UserRecord | null>;
  list(): Promise<UserRecord[]>;
  update(id: number, changes: { role?: Role; disabledAt?: number | null }): Promise<UserRecord | null>;
  setPassword(id: number, passwordHash: string, mustChange: boolean, now: number): Promise<void>;
  recordLogin(id: number, now: number): Promise<void>;
  /** Number of enabled admins, so the last one cannot be demoted or disabled. */
  countActiveAdmins(): Promise<number>;
}

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionRepository {
  create(session: SessionRecord): Promise<void>;
  get(idHash: string): Promise<SessionRecord | null>;
  touch(idHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  delete(idHash: string): Promise<void>;
  deleteForUser(userId: number): Promise<number>;
  deleteExpired(now: number): Promise<number>;
  /**
   * Expiry time of each of these sessions that still exists and whose user is enabled, in one lookup;
   * a session missing from the answer was ended (sign-out, password or role change, disable).
   */
  expiriesOfLive(idHashes: readonly string[]): Promise<Map<string, number>>;
}

export interface ThrottleState {
  failures: number;
  windowStart: number;
  lockedUntil: number | null;
}

/** What failed sign-ins are counted against: an account, an address, an account from one address, a session. */
export type ThrottleScope = 'account' | 'ip' | 'account_ip' | 'session';

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
  /** The (lower-case) account the row belongs to, so clearing an account finds every row of it; null for an address. */
  account: string | null;
}

/**
 * A new state per key: a state is stored, null deletes the row, undefined leaves it as it is.
 * `result` is handed back to the caller.
 */
export interface ThrottleChange<T> {
  states: (ThrottleState | null | undefined)[];
  result: T;
}

export interface LoginThrottleRepository {
  /**
   * Reads the states of `keys` and stores what `change` makes of them, in one transaction that
   * other connections (the admin command) cannot interleave with. `change` must be synchronous.
   */
  update<T>(keys: ThrottleKey[], change: (states: (ThrottleState | null)[]) => ThrottleChange<T>): Promise<T>;
  /** Deletes every row of `account` (its own, per address, per session); returns how many. */
  clearAccount(account: string): Promise<number>;
  /** Deletes rows whose window began before `windowStartBefore` and that are not locked at `now`. */
  deleteStale(windowStartBefore: number, now: number): Promise<number>;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
}

export interface AuditRepository {
  append(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first; `before` is the id cursor. */
  list(input: { limit: number; before?: number; action?: string }): Promise<AuditEntry[]>;
}

export interface SettingsRepository {
  get<T>(key: string): Promise<T | null>;
  put(key: string, value: unknown, now: number): Promise<void>;
}

/** Everything the server stores, behind one object chosen at composition. */
export interface Storage {
  readonly devices: DeviceRepository;
  readonly reports: ReportRepository;
  readonly counters: CounterRepository;
  readonly credentials: CredentialRepository;
  readonly enrollmentRequests: EnrollmentRequestRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly throttle: LoginThrottleRepository;
  readonly audit: AuditRepository;
  readonly settings: SettingsRepository;
  /** Fleet knowledge: the projection's device facts, the device index, baselines, alerts, webhooks, trends. */
  readonly fleet: FleetStore;
  /** Health probe: true when the database answers. */
  ping(): Promise<boolean>;
  close(): void;
}
