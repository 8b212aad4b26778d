// SQLite side of the fleet projection: each device's counted facts (fleet_device_keys) and open families (fleet_device_families).
import type { FleetFactsDecision, FleetFactsStore, FleetSectionName, FleetSections, StoredFleetFacts, FleetFactsChange } from '../../../fleet/fleet-store';
import { decodeCounterKey, encodeCounterKey, type CounterScope, type CounterValues } from '../../counter-keys';
import type { DeviceRow, DeviceSections, DeviceStateChange } from '../../device-state';
import type { CounterWriter, ProjectionTx } from '../../repository';
import { applyCounterDeltas, CounterDeltas } from '../counters';
import type { SqliteDatabase, StatementCache } from '../database';
import { toDeviceRow, type DeviceDbRow } from '../rows';
import { readSection } from '../section-tables';

export class SqliteFleetFacts implements FleetFactsStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {}

  /** Runs inside the ingest transaction's savepoint for the report, on the same connection. */
  update(tx: ProjectionTx, change: DeviceStateChange, decide: FleetFactsDecision): void {
    const sectionOf = <K extends FleetSectionName>(section: K): DeviceSections[K] =>
      (change.sections[section]?.after as DeviceSections[K] | undefined) ?? readSection(this.statements, section, change.deviceId);
    this.decide(change.after, sectionsOf(sectionOf), decide, tx.counters);
  }

  async reproject(deviceIds: readonly string[], decide: FleetFactsDecision): Promise<CounterValues> {
    const run = this.db.transaction(() => {
      const deltas = new CounterDeltas();
      for (const id of deviceIds) {
        const row = this.statements.get('SELECT * FROM devices WHERE id = ?').get(id) as DeviceDbRow | undefined;
        if (!row) continue;
        this.decide(toDeviceRow(row), sectionsOf((section) => readSection(this.statements, section, id)), decide, deltas);
      }
      return applyCounterDeltas(this.statements, deltas);
    });
    return run.immediate();
  }

  private decide(device: DeviceRow, sections: FleetSections, decide: FleetFactsDecision, counters: CounterWriter): void {
    const change = decide({ device, sections, stored: this.stored(device.id) });
    this.write(device.id, change);
    for (const [key, delta] of change.counters) counters.add(key, delta);
  }

  private stored(deviceId: string): StoredFleetFacts {
    const keys = this.statements.get('SELECT scope, key FROM fleet_device_keys WHERE device_id = ?').all(deviceId) as { scope: CounterScope; key: string }[];
    const families = this.statements.get('SELECT family FROM fleet_device_families WHERE device_id = ?').all(deviceId) as { family: string }[];
    return { keys: keys.map((row) => decodeCounterKey(row.scope, row.key)), families: new Set(families.map((row) => row.family)) };
  }

  private write(deviceId: string, change: FleetFactsChange): void {
    const insertKey = this.statements.get('INSERT INTO fleet_device_keys (scope, key, device_id) VALUES (?, ?, ?)');
    for (const key of change.added) {
      const encoded = encodeCounterKey(key);
      insertKey.run(encoded.scope, encoded.key, deviceId);
    }
    const deleteKey = this.statements.get('DELETE FROM fleet_device_keys WHERE scope = ? AND key = ? AND device_id = ?');
    for (const key of change.removed) {
      const encoded = encodeCounterKey(key);
      deleteKey.run(encoded.scope, encoded.key, deviceId);
    }
    const upsertFamily = this.statements.get(
      `INSERT INTO fleet_device_families (family, device_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (family, device_id) DO UPDATE SET first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at`,
    );
    for (const span of change.open) upsertFamily.run(span.family, deviceId, span.firstSeenAt, span.lastSeenAt);
    const deleteFamily = this.statements.get('DELETE FROM fleet_device_families WHERE family = ? AND device_id = ?');
    for (const family of change.closed) deleteFamily.run(family, deviceId);
  }
}

function sectionsOf(read: <K extends FleetSectionName>(section: K) => DeviceSections[K]): FleetSections {
  return { packages: read('packages'), failures: read('failures'), corruption: read('corruption'), scans: read('scans'), hotfixes: read('hotfixes') };
}
