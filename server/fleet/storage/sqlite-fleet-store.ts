// SQLite implementation of the fleet store, on the platform's connection and statement cache.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { Alert, AlertKind, Baseline, BaselineInput, DeviceListQuery, TrendPoint, Webhook } from '../../../protocol/fleet-api';
import { alertParams, defaultBaselineName } from '../../../protocol/fleet-api';
import { iso } from '../../../protocol/units';
import type { CounterValues, ProjectionTx, SqlExecutor } from '../../storage/repository';
import type { SqliteDatabase, StatementCache } from '../../storage/sqlite/database';
import { toDeviceRow, type DeviceDbRow } from '../../storage/sqlite/rows';
import { DeviceFacts } from '../device-state';
import { DAY_SCOPES, FLEET_SCOPES } from '../contributions';
import { currentState, projectDevice } from './fleet-projection';
import type { DeviceListRow, FleetStore, OutboxItem, RaiseAlert } from './fleet-store';

interface BaselineRow {
  id: number;
  name: string;
  kb: string;
  applies_to: number;
  due_date: string;
  created_at: number;
}
interface AlertRow {
  id: number;
  kind: AlertKind;
  condition_key: string;
  subject: string;
  message: string;
  details: string;
  raised_at: number;
  cleared_at: number | null;
}
interface WebhookRow {
  id: number;
  url: string;
  secret: string;
  kinds: string;
  enabled: number;
  created_at: number;
}
interface DeviceListDbRow {
  id: string;
  hostname: string;
  os_build: string | null;
  last_seen_at: number;
  stale: number;
}

const toBaseline = (row: BaselineRow): Baseline => ({
  id: row.id,
  name: row.name,
  kb: row.kb,
  appliesTo: row.applies_to,
  dueDate: row.due_date,
  createdAt: iso(row.created_at),
});
const toAlert = (row: AlertRow): Alert => {
  const details = JSON.parse(row.details) as Record<string, unknown>;
  return {
    id: row.id,
    kind: row.kind,
    conditionKey: row.condition_key,
    subject: row.subject,
    message: row.message,
    details,
    params: alertParams(details),
    raisedAt: iso(row.raised_at),
    clearedAt: row.cleared_at === null ? null : iso(row.cleared_at),
  };
};
const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  kinds: JSON.parse(row.kinds) as AlertKind[],
  enabled: row.enabled === 1,
  createdAt: iso(row.created_at),
});
const toListRow = (row: DeviceListDbRow): DeviceListRow => ({
  id: row.id,
  hostname: row.hostname,
  osBuild: row.os_build,
  lastSeenAt: row.last_seen_at,
  stale: row.stale === 1,
});

/** Up to this many matching devices, a fact filter drives the device list from its index and sorts the matches. */
const DRIVE_FROM_KEYS_LIMIT = 20_000;

/** Sort keys of the device list and the column each one orders by (always with `id` as tie-break). */
const SORT_COLUMNS: Record<DeviceListQuery['sort'], string> = { id: 'd.id', hostname: 'd.hostname', lastSeen: 'd.last_seen_at' };

export class SqliteFleetStore implements FleetStore {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {
    this.sql = {
      run: (text, ...params) => statements.get(text).run(...params),
      get: <T>(text: string, ...params: unknown[]) => statements.get(text).get(...params) as T | undefined,
      all: <T>(text: string, ...params: unknown[]) => statements.get(text).all(...params) as T[],
    };
  }

  // ---- read models ---------------------------------------------------------------------------------

  /**
   * A page of devices. A filter on a fleet fact (KB state, HRESULT, family) drives the query from
   * fleet_device_keys when that is cheap: always for the id order (the index is already in device
   * order), and for other orders when the counters say few devices match. Otherwise the devices
   * table is walked in sort order and each row is checked with EXISTS, which stops early because
   * many rows match.
   */
  async listDevices(query: DeviceListQuery, after: { value: string | number; id: string } | null): Promise<DeviceListRow[]> {
    const facts = this.factFilters(query);
    const driver = facts.find((fact) => fact.keys.length === 1 && (query.sort === 'id' || this.matchCount(fact) <= DRIVE_FROM_KEYS_LIMIT))
      ?? facts.find((fact) => query.sort !== 'id' && this.matchCount(fact) <= DRIVE_FROM_KEYS_LIMIT);
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'devices d';
    const idColumn = driver ? 'k.device_id' : 'd.id';
    if (driver) {
      from = 'fleet_device_keys k JOIN devices d ON d.id = k.device_id';
      where.push(`k.scope = ? AND k.key IN (${driver.keys.map(() => '?').join(', ')})`);
      params.push(driver.scope, ...driver.keys);
    }
    for (const fact of facts) {
      if (fact === driver) continue;
      where.push(`EXISTS (SELECT 1 FROM fleet_device_keys f WHERE f.scope = ? AND f.key IN (${fact.keys.map(() => '?').join(', ')}) AND f.device_id = d.id)`);
      params.push(fact.scope, ...fact.keys);
    }
    if (query.state && !query.kb) {
      where.push("EXISTS (SELECT 1 FROM fleet_device_keys s WHERE s.scope = ? AND s.device_id = d.id AND s.key LIKE ? ESCAPE '\\')");
      params.push(FLEET_SCOPES.kbState, `%\t${query.state}`);
    }
    if (query.osBuild) {
      const [major, revision] = query.osBuild.split('.').map(Number);
      where.push(revision === undefined ? 'd.os_major = ?' : 'd.os_major = ? AND d.os_revision = ?');
      params.push(major, ...(revision === undefined ? [] : [revision]));
    }
    if (query.stale !== undefined) {
      where.push('d.stale = ?');
      params.push(query.stale ? 1 : 0);
    }
    if (query.q) {
      const variants = [...new Set([query.q, query.q.toLowerCase(), query.q.toUpperCase()])];
      const ranges = variants.flatMap((text) => [
        ['d.id', text],
        ['d.hostname', text],
      ]);
      where.push(`(${ranges.map(([column]) => `(${column} >= ? AND ${column} < ?)`).join(' OR ')})`);
      params.push(...ranges.flatMap(([, text]) => [text, `${text}\uffff`]));
    }
    const column = query.sort === 'id' ? idColumn : SORT_COLUMNS[query.sort];
    const direction = query.order === 'desc' ? 'DESC' : 'ASC';
    const compare = query.order === 'desc' ? '<' : '>';
    if (after) {
      where.push(query.sort === 'id' ? `${idColumn} ${compare} ?` : `(${column}, ${idColumn}) ${compare} (?, ?)`);
      params.push(...(query.sort === 'id' ? [after.id] : [after.value, after.id]));
    }
    const text = `SELECT d.id, d.hostname, d.os_build, d.last_seen_at, d.stale FROM ${from}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${query.sort === 'id' ? `${idColumn} ${direction}` : `${column} ${direction}, ${idColumn} ${direction}`} LIMIT ?`;
    return this.sql.all<DeviceListDbRow>(text, ...params, query.limit).map(toListRow);
  }

  /** The fleet-fact filters of a query as scope + the keys any of which matches. */
  private factFilters(query: DeviceListQuery): { scope: string; keys: string[] }[] {
    const facts: { scope: string; keys: string[] }[] = [];
    if (query.kb && query.state) facts.push({ scope: FLEET_SCOPES.kbState, keys: [`${query.kb}\t${query.state}`] });
    else if (query.kb) {
      const keys = this.sql
        .all<{ key: string }>('SELECT key FROM aggregate_counters WHERE scope = ? AND key >= ? AND key < ? AND value > 0', FLEET_SCOPES.kbState, `${query.kb}\t`, `${query.kb}\t\uffff`)
        .map((row) => row.key);
      facts.push({ scope: FLEET_SCOPES.kbState, keys: keys.length > 0 ? keys : [`${query.kb}\t`] });
    }
    if (query.hresult) facts.push({ scope: FLEET_SCOPES.hresult, keys: [query.hresult] });
    if (query.family) facts.push({ scope: FLEET_SCOPES.family, keys: [query.family] });
    return facts;
  }

  private matchCount(fact: { scope: string; keys: string[] }): number {
    return fact.keys.reduce(
      (sum, key) => sum + (this.sql.get<{ value: number }>('SELECT value FROM aggregate_counters WHERE scope = ? AND key = ?', fact.scope, key)?.value ?? 0),
      0,
    );
  }

  async deviceKeys(deviceIds: readonly string[], scopes: readonly string[]): Promise<Map<string, { scope: string; key: string }[]>> {
    const out = new Map<string, { scope: string; key: string }[]>();
    if (deviceIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT device_id, scope, key FROM fleet_device_keys
         WHERE device_id IN (${deviceIds.map(() => '?').join(', ')}) AND scope IN (${scopes.map(() => '?').join(', ')})`,
      )
      .all(...deviceIds, ...scopes) as { device_id: string; scope: string; key: string }[];
    for (const row of rows) {
      const list = out.get(row.device_id) ?? [];
      list.push({ scope: row.scope, key: row.key });
      out.set(row.device_id, list);
    }
    return out;
  }

  async familySpans(): Promise<Map<string, { firstSeenAt: number; lastSeenAt: number }>> {
    const rows = this.sql.all<{ family: string; first: number; last: number }>(
      'SELECT family, MIN(first_seen_at) AS first, MAX(last_seen_at) AS last FROM fleet_device_families GROUP BY family',
    );
    return new Map(rows.map((row) => [row.family, { firstSeenAt: row.first, lastSeenAt: row.last }]));
  }

  async familyDevices(family: string, limit: number, afterId: string | null): Promise<DeviceListRow[]> {
    return this.sql
      .all<DeviceListDbRow>(
        `SELECT d.id, d.hostname, d.os_build, d.last_seen_at, d.stale FROM fleet_device_families f JOIN devices d ON d.id = f.device_id
         WHERE f.family = ? AND f.device_id > ? ORDER BY f.device_id LIMIT ?`,
        family,
        afterId ?? '',
        limit,
      )
      .map(toListRow);
  }

  async donorCandidates(input: { family: string; osMajor: number; minRevision: number; excludeId: string | null; limit: number }): Promise<string[]> {
    return this.sql
      .all<{ id: string }>(
        `SELECT d.id FROM devices d INDEXED BY fleet_devices_build_last_seen
         WHERE d.os_major = ? AND d.os_revision >= ? AND d.stale = 0 AND d.id != ?
           AND NOT EXISTS (SELECT 1 FROM fleet_device_families f WHERE f.family = ? AND f.device_id = d.id)
         ORDER BY d.last_seen_at DESC LIMIT ?`,
        input.osMajor,
        input.minRevision,
        input.excludeId ?? '',
        input.family,
        input.limit,
      )
      .map((row) => row.id);
  }

  async deviceIds(afterId: string | null, limit: number): Promise<string[]> {
    return this.sql.all<{ id: string }>('SELECT id FROM devices WHERE id > ? ORDER BY id LIMIT ?', afterId ?? '', limit).map((row) => row.id);
  }

  async staleAmong(deviceIds: readonly string[]): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const rows = this.db
      .prepare(`SELECT id FROM devices WHERE stale = 1 AND id IN (${deviceIds.map(() => '?').join(', ')})`)
      .all(...deviceIds) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }

  /** One transaction for the whole batch; counters are written directly since no ingest batch collects them. */
  async reprojectDevices(deviceIds: readonly string[], catalog: UpdateCatalog, baselines: readonly Baseline[], now: number): Promise<CounterValues> {
    const deltas = new Map<string, number>();
    const tx: ProjectionTx = {
      sql: this.sql,
      now,
      counters: {
        add: (scope, key, delta) => {
          const id = `${scope}\u0000${key}`;
          deltas.set(id, (deltas.get(id) ?? 0) + delta);
        },
      },
    };
    const run = this.db.transaction(() => {
      for (const id of deviceIds) {
        const row = this.sql.get<DeviceDbRow>('SELECT * FROM devices WHERE id = ?', id);
        if (!row) continue;
        const state = currentState(this.sql, { after: toDeviceRow(row), sections: {} });
        projectDevice(tx, new DeviceFacts(state, catalog), baselines);
      }
      const values: CounterValues = {};
      for (const [id, delta] of deltas) {
        if (delta === 0) continue;
        const [scope = '', key = ''] = id.split('\u0000');
        const row = this.sql.get<{ value: number }>(
          `INSERT INTO aggregate_counters (scope, key, value) VALUES (?, ?, ?)
           ON CONFLICT (scope, key) DO UPDATE SET value = value + excluded.value RETURNING value`,
          scope,
          key,
          delta,
        );
        (values[scope] ??= {})[key] = row?.value ?? 0;
      }
      return values;
    });
    return run.immediate();
  }

  // ---- baselines -----------------------------------------------------------------------------------

  async listBaselines(): Promise<Baseline[]> {
    return this.baselinesNow();
  }

  /** The baselines, read synchronously at composition before ingest starts. */
  baselinesNow(): Baseline[] {
    return this.sql.all<BaselineRow>('SELECT * FROM baselines ORDER BY id').map(toBaseline);
  }

  async createBaseline(input: BaselineInput, actor: string, now: number): Promise<Baseline> {
    const row = this.sql.get<BaselineRow>(
      'INSERT INTO baselines (name, kb, applies_to, due_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      input.name ?? defaultBaselineName(input),
      input.kb,
      input.appliesTo,
      input.dueDate,
      now,
      actor,
    );
    return toBaseline(row!);
  }

  async updateBaseline(id: number, input: BaselineInput): Promise<Baseline | null> {
    const row = this.sql.get<BaselineRow>(
      'UPDATE baselines SET name = ?, kb = ?, applies_to = ?, due_date = ? WHERE id = ? RETURNING *',
      input.name ?? defaultBaselineName(input),
      input.kb,
      input.appliesTo,
      input.dueDate,
      id,
    );
    return row ? toBaseline(row) : null;
  }

  async deleteBaseline(id: number): Promise<boolean> {
    return this.sql.run('DELETE FROM baselines WHERE id = ?', id).changes > 0;
  }

  // ---- alerts and webhooks -------------------------------------------------------------------------

  async raiseAlert(alert: RaiseAlert, now: number): Promise<Alert | null> {
    const raise = this.db.transaction((): Alert | null => {
      const row = this.sql.get<AlertRow>(
        `INSERT INTO alerts (kind, condition_key, subject, message, details, raised_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (condition_key) WHERE cleared_at IS NULL DO NOTHING RETURNING *`,
        alert.kind,
        alert.conditionKey,
        alert.subject,
        alert.message,
        JSON.stringify(alert.details),
        now,
      );
      if (!row) return null;
      const raised = toAlert(row);
      const hooks = this.sql.all<WebhookRow>('SELECT * FROM webhooks WHERE enabled = 1');
      for (const hook of hooks) {
        if (!(JSON.parse(hook.kinds) as string[]).includes(alert.kind)) continue;
        this.sql.run(
          'INSERT INTO webhook_outbox (webhook_id, alert_id, body, next_attempt_at) VALUES (?, ?, ?, ?)',
          hook.id,
          raised.id,
          JSON.stringify({ type: 'alert.raised', alert: raised }),
          now,
        );
      }
      return raised;
    });
    return raise.immediate();
  }

  async clearAlerts(conditionKeys: readonly string[], now: number): Promise<number> {
    const clear = this.db.transaction(() => {
      let cleared = 0;
      for (const key of conditionKeys) {
        cleared += this.sql.run('UPDATE alerts SET cleared_at = ? WHERE condition_key = ? AND cleared_at IS NULL', now, key).changes;
      }
      return cleared;
    });
    return clear();
  }

  async openConditions(kind: AlertKind): Promise<Set<string>> {
    return new Set(
      this.sql.all<{ condition_key: string }>('SELECT condition_key FROM alerts WHERE kind = ? AND cleared_at IS NULL', kind).map((row) => row.condition_key),
    );
  }

  async listAlerts(input: { limit: number; before?: number; kind?: AlertKind; open?: boolean }): Promise<Alert[]> {
    const where = ['id < ?'];
    const params: unknown[] = [input.before ?? Number.MAX_SAFE_INTEGER];
    if (input.kind) {
      where.push('kind = ?');
      params.push(input.kind);
    }
    if (input.open !== undefined) where.push(input.open ? 'cleared_at IS NULL' : 'cleared_at IS NOT NULL');
    return this.sql
      .all<AlertRow>(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, ...params, input.limit)
      .map(toAlert);
  }

  async listWebhooks(): Promise<Webhook[]> {
    return this.sql.all<WebhookRow>('SELECT * FROM webhooks ORDER BY id').map(toWebhook);
  }

  async createWebhook(input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string, now: number): Promise<Webhook> {
    const row = this.sql.get<WebhookRow>(
      'INSERT INTO webhooks (url, secret, kinds, enabled, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      input.url,
      input.secret,
      JSON.stringify(input.kinds),
      input.enabled ? 1 : 0,
      now,
      actor,
    );
    return toWebhook(row!);
  }

  async updateWebhook(id: number, input: { url?: string; kinds?: AlertKind[]; enabled?: boolean; secret?: string }): Promise<Webhook | null> {
    const row = this.sql.get<WebhookRow>(
      `UPDATE webhooks SET url = COALESCE(?, url), kinds = COALESCE(?, kinds), enabled = COALESCE(?, enabled), secret = COALESCE(?, secret)
       WHERE id = ? RETURNING *`,
      input.url ?? null,
      input.kinds ? JSON.stringify(input.kinds) : null,
      input.enabled === undefined ? null : input.enabled ? 1 : 0,
      input.secret ?? null,
      id,
    );
    return row ? toWebhook(row) : null;
  }

  async deleteWebhook(id: number): Promise<boolean> {
    return this.sql.run('DELETE FROM webhooks WHERE id = ?', id).changes > 0;
  }

  async dueDeliveries(now: number, limit: number): Promise<OutboxItem[]> {
    return this.sql
      .all<{ id: number; webhook_id: number; alert_id: number; url: string; secret: string; body: string; attempts: number }>(
        `SELECT o.id, o.webhook_id, o.alert_id, w.url, w.secret, o.body, o.attempts FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id
         WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at LIMIT ?`,
        now,
        limit,
      )
      .map((row) => ({ id: row.id, webhookId: row.webhook_id, alertId: row.alert_id, url: row.url, secret: row.secret, body: row.body, attempts: row.attempts }));
  }

  async markDelivered(id: number, now: number, status: number): Promise<void> {
    this.sql.run('UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, last_status = ?, last_error = NULL WHERE id = ?', now, status, id);
  }

  async markRetry(id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void> {
    this.sql.run(
      'UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?',
      nextAttemptAt,
      status,
      error,
      id,
    );
  }

  async markFailed(id: number, now: number, status: number | null, error: string): Promise<void> {
    this.sql.run('UPDATE webhook_outbox SET attempts = attempts + 1, failed_at = ?, last_status = ?, last_error = ? WHERE id = ?', now, status, error, id);
  }

  // ---- trends --------------------------------------------------------------------------------------

  async putSnapshot(point: TrendPoint, takenAt: number): Promise<void> {
    const put = this.db.transaction(() => {
      this.sql.run(
        `INSERT INTO trend_snapshots (day, taken_at, devices, failing_devices, devices_with_corruption, compliance_percent, families)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET taken_at = excluded.taken_at, devices = excluded.devices, failing_devices = excluded.failing_devices,
           devices_with_corruption = excluded.devices_with_corruption, compliance_percent = excluded.compliance_percent, families = excluded.families`,
        point.day,
        takenAt,
        point.devices,
        point.failingDevices,
        point.devicesWithCorruption,
        point.compliancePercent,
        JSON.stringify(point.families),
      );
      // A re-run the same day replaces the day's baselines, including ones deleted since.
      this.sql.run('DELETE FROM trend_baseline_snapshots WHERE day = ?', point.day);
      for (const item of point.baselines) {
        this.sql.run(
          'INSERT INTO trend_baseline_snapshots (day, baseline_id, kb, name, applicable, compliant, compliance_percent) VALUES (?, ?, ?, ?, ?, ?, ?)',
          point.day,
          item.baselineId,
          item.kb,
          item.name,
          item.applicable,
          item.compliant,
          item.compliancePercent,
        );
      }
    });
    put();
  }

  async listSnapshots(fromDay: string, toDay: string): Promise<TrendPoint[]> {
    const baselines = new Map<string, TrendPoint['baselines']>();
    for (const row of this.sql.all<{ day: string; baseline_id: number; kb: string; name: string; applicable: number; compliant: number; compliance_percent: number | null }>(
      'SELECT * FROM trend_baseline_snapshots WHERE day >= ? AND day <= ? ORDER BY day, baseline_id',
      fromDay,
      toDay,
    )) {
      const list = baselines.get(row.day) ?? [];
      list.push({ baselineId: row.baseline_id, kb: row.kb, name: row.name, applicable: row.applicable, compliant: row.compliant, compliancePercent: row.compliance_percent });
      baselines.set(row.day, list);
    }
    return this.sql
      .all<{ day: string; devices: number; failing_devices: number; devices_with_corruption: number; compliance_percent: number | null; families: string }>(
        'SELECT * FROM trend_snapshots WHERE day >= ? AND day <= ? ORDER BY day',
        fromDay,
        toDay,
      )
      .map((row) => ({
        day: row.day,
        devices: row.devices,
        failingDevices: row.failing_devices,
        devicesWithCorruption: row.devices_with_corruption,
        compliancePercent: row.compliance_percent,
        families: JSON.parse(row.families) as TrendPoint['families'],
        baselines: baselines.get(row.day) ?? [],
      }));
  }

  async pruneSnapshots(beforeDay: string): Promise<number> {
    const prune = this.db.transaction(() => {
      for (const scope of Object.values(DAY_SCOPES)) this.sql.run('DELETE FROM aggregate_counters WHERE scope = ? AND key < ?', scope, beforeDay);
      this.sql.run('DELETE FROM trend_baseline_snapshots WHERE day < ?', beforeDay);
      return this.sql.run('DELETE FROM trend_snapshots WHERE day < ?', beforeDay).changes;
    });
    return prune();
  }
}
