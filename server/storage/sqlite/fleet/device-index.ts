// SQLite device index for fleet views: the device list with its fact filters, family members, donor candidates.
import type { DeviceListQuery } from '../../../../protocol/fleet-api';
import type { DeviceListRow, DeviceListSpec, FactFilter, FleetDeviceIndex } from '../../../fleet/fleet-store';
import { decodeCounterKey, encodeCounterKey, type CounterKey, type CounterScope } from '../../counter-keys';
import { sqlExecutor, type SqlExecutor, type SqliteDatabase, type StatementCache } from '../database';

interface DeviceListDbRow {
  id: string;
  hostname: string;
  os_build: string | null;
  last_seen_at: number;
  stale: number;
}

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

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** A fact filter as the scope and key texts stored in fleet_device_keys. */
function stored(fact: FactFilter): { scope: string; keys: string[] } {
  const encoded = fact.keys.map(encodeCounterKey);
  return { scope: encoded[0]!.scope, keys: encoded.map((key) => key.key) };
}

export class SqliteFleetDeviceIndex implements FleetDeviceIndex {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    statements: StatementCache,
  ) {
    this.sql = sqlExecutor(statements);
  }

  /**
   * A page of devices. A filter on a fleet fact (KB state, HRESULT, family) drives the query from
   * fleet_device_keys when that is cheap: always for the id order (the index is already in device
   * order), and for other orders when the counters say few devices match. Otherwise the devices
   * table is walked in sort order and each row is checked with EXISTS, which stops early because
   * many rows match. Only a filter whose keys a device holds at most one of may drive, so no device
   * comes back twice.
   */
  async listDevices(spec: DeviceListSpec): Promise<DeviceListRow[]> {
    if (spec.facts.some((fact) => fact.keys.length === 0)) return [];
    const cheap = (fact: FactFilter) => fact.devices <= DRIVE_FROM_KEYS_LIMIT;
    const driver =
      spec.facts.find((fact) => fact.exclusive && fact.keys.length === 1 && (spec.sort === 'id' || cheap(fact))) ??
      spec.facts.find((fact) => fact.exclusive && spec.sort !== 'id' && cheap(fact));
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'devices d';
    const idColumn = driver ? 'k.device_id' : 'd.id';
    if (driver) {
      const { scope, keys } = stored(driver);
      from = 'fleet_device_keys k JOIN devices d ON d.id = k.device_id';
      where.push(`k.scope = ? AND k.key IN (${placeholders(keys.length)})`);
      params.push(scope, ...keys);
    }
    for (const fact of spec.facts) {
      if (fact === driver) continue;
      const { scope, keys } = stored(fact);
      where.push(`EXISTS (SELECT 1 FROM fleet_device_keys f WHERE f.scope = ? AND f.key IN (${placeholders(keys.length)}) AND f.device_id = d.id)`);
      params.push(scope, ...keys);
    }
    if (spec.osBuild) {
      const [major, revision] = spec.osBuild.split('.').map(Number);
      where.push(revision === undefined ? 'd.os_major = ?' : 'd.os_major = ? AND d.os_revision = ?');
      params.push(major, ...(revision === undefined ? [] : [revision]));
    }
    if (spec.stale !== undefined) {
      where.push('d.stale = ?');
      params.push(spec.stale ? 1 : 0);
    }
    if (spec.q) {
      const variants = [...new Set([spec.q, spec.q.toLowerCase(), spec.q.toUpperCase()])];
      const ranges = variants.flatMap((text) => [
        ['d.id', text],
        ['d.hostname', text],
      ]);
      where.push(`(${ranges.map(([column]) => `(${column} >= ? AND ${column} < ?)`).join(' OR ')})`);
      params.push(...ranges.flatMap(([, text]) => [text, `${text}\uffff`]));
    }
    const column = spec.sort === 'id' ? idColumn : SORT_COLUMNS[spec.sort];
    const direction = spec.order === 'desc' ? 'DESC' : 'ASC';
    const compare = spec.order === 'desc' ? '<' : '>';
    if (spec.after) {
      where.push(spec.sort === 'id' ? `${idColumn} ${compare} ?` : `(${column}, ${idColumn}) ${compare} (?, ?)`);
      params.push(...(spec.sort === 'id' ? [spec.after.id] : [spec.after.value, spec.after.id]));
    }
    const text = `SELECT d.id, d.hostname, d.os_build, d.last_seen_at, d.stale FROM ${from}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${spec.sort === 'id' ? `${idColumn} ${direction}` : `${column} ${direction}, ${idColumn} ${direction}`} LIMIT ?`;
    return this.sql.all<DeviceListDbRow>(text, ...params, spec.limit).map(toListRow);
  }

  async factsOf(deviceIds: readonly string[], scopes: readonly CounterScope[]): Promise<Map<string, CounterKey[]>> {
    const out = new Map<string, CounterKey[]>();
    if (deviceIds.length === 0) return out;
    const rows = this.db
      .prepare(`SELECT device_id, scope, key FROM fleet_device_keys WHERE device_id IN (${placeholders(deviceIds.length)}) AND scope IN (${placeholders(scopes.length)})`)
      .all(...deviceIds, ...scopes) as { device_id: string; scope: CounterScope; key: string }[];
    for (const row of rows) {
      const list = out.get(row.device_id) ?? [];
      list.push(decodeCounterKey(row.scope, row.key));
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
    const rows = this.db.prepare(`SELECT id FROM devices WHERE stale = 1 AND id IN (${placeholders(deviceIds.length)})`).all(...deviceIds) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  }
}
