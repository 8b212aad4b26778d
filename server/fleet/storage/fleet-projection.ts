// The fleet ingest projection: diffs a device's fleet facts inside the ingest transaction and moves the counters.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { Baseline } from '../../../protocol/fleet-api';
import type { DeviceSections, DeviceStateChange } from '../../storage/device-state';
import type { IngestProjection, ProjectionTx, SqlExecutor } from '../../storage/repository';
import { deviceClusterFacts } from '../clusters';
import { contributionDelta, contributionId, DAY_SCOPES, deviceContributions, joinKey, splitContribution } from '../contributions';
import type { DeviceState } from '../device-state';
import { DeviceFacts, timeOf } from '../device-state';

/** Section tables as the platform stores them; only the JSON record column is read. */
const SECTION_SQL: Record<'packages' | 'failures' | 'corruption' | 'scans' | 'hotfixes', string> = {
  packages: 'SELECT record FROM device_packages WHERE device_id = ?',
  failures: 'SELECT record FROM device_failures WHERE device_id = ? ORDER BY ordinal',
  corruption: 'SELECT record FROM device_corruption WHERE device_id = ? ORDER BY ordinal',
  scans: 'SELECT record FROM device_scans WHERE device_id = ? ORDER BY ordinal',
  hotfixes: 'SELECT record FROM device_hotfixes WHERE device_id = ?',
};

function readSection<K extends keyof typeof SECTION_SQL>(sql: SqlExecutor, section: K, deviceId: string): DeviceSections[K] {
  return sql.all<{ record: string }>(SECTION_SQL[section], deviceId).map((row) => JSON.parse(row.record)) as DeviceSections[K];
}

/** The device's full current state: changed sections from the change, the others from their tables. */
export function currentState(sql: SqlExecutor, change: Pick<DeviceStateChange, 'after' | 'sections'>): DeviceState {
  const pick = <K extends keyof typeof SECTION_SQL>(section: K): DeviceSections[K] =>
    (change.sections[section]?.after as DeviceSections[K] | undefined) ?? readSection(sql, section, change.after.id);
  return {
    id: change.after.id,
    hostname: change.after.hostname,
    osBuild: change.after.osBuild,
    lastSeenAt: new Date(change.after.lastSeenAt).toISOString(),
    packages: pick('packages'),
    failures: pick('failures'),
    corruption: pick('corruption'),
    scans: pick('scans'),
    hotfixes: pick('hotfixes'),
  };
}

/**
 * Replaces the stored facts of one device with those of `facts`, moving every affected counter by
 * the difference. Used by ingest and by the re-projection that follows a baseline change.
 */
export function projectDevice(tx: ProjectionTx, facts: DeviceFacts, baselines: readonly Baseline[]): void {
  const deviceId = facts.id;
  const before = new Set(
    tx.sql.all<{ scope: string; key: string }>('SELECT scope, key FROM fleet_device_keys WHERE device_id = ?', deviceId).map((row) =>
      contributionId(row.scope, row.key),
    ),
  );
  const { added, removed } = contributionDelta(before, deviceContributions(facts, baselines));
  for (const id of added) {
    const [scope, key] = splitContribution(id);
    tx.sql.run('INSERT INTO fleet_device_keys (scope, key, device_id) VALUES (?, ?, ?)', scope, key, deviceId);
    tx.counters.add(scope, key, 1);
  }
  for (const id of removed) {
    const [scope, key] = splitContribution(id);
    tx.sql.run('DELETE FROM fleet_device_keys WHERE scope = ? AND key = ? AND device_id = ?', scope, key, deviceId);
    tx.counters.add(scope, key, -1);
  }

  const day = new Date(tx.now).toISOString().slice(0, 10);
  const openBefore = new Set(tx.sql.all<{ family: string }>('SELECT family FROM fleet_device_families WHERE device_id = ?', deviceId).map((row) => row.family));
  const openNow = deviceClusterFacts(facts);
  for (const [family, entry] of openNow) {
    tx.sql.run(
      `INSERT INTO fleet_device_families (family, device_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (family, device_id) DO UPDATE SET first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at`,
      family,
      deviceId,
      timeOf(entry.firstSeenAt),
      timeOf(entry.lastSeenAt),
    );
    if (!openBefore.has(family)) tx.counters.add(DAY_SCOPES.detected, joinKey(day, family), 1);
  }
  for (const family of openBefore) {
    if (openNow.has(family)) continue;
    tx.sql.run('DELETE FROM fleet_device_families WHERE family = ? AND device_id = ?', family, deviceId);
    tx.counters.add(DAY_SCOPES.repaired, joinKey(day, family), 1);
  }
}

/** Keeps fleet counters in step with each report that changed a device's sections or OS build. */
export class FleetProjection implements IngestProjection {
  readonly name = 'fleet';

  constructor(
    private readonly catalog: UpdateCatalog,
    private readonly baselines: () => readonly Baseline[],
  ) {}

  apply(tx: ProjectionTx, change: DeviceStateChange): void {
    const unchanged = change.before !== null && Object.keys(change.sections).length === 0 && change.before.osBuild === change.after.osBuild;
    if (unchanged) return;
    projectDevice(tx, new DeviceFacts(currentState(tx.sql, change), this.catalog), this.baselines());
  }
}
