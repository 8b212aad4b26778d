// SQLite device state reads, the stale sweep, and aggregate counter reads.
import { DEVICE_COUNTERS, SECTIONS, type DeviceRow, type StoredDeviceState } from '../device-state';
import type { CounterRepository, CounterValues, DeviceRepository } from '../repository';
import type { SqliteDatabase, StatementCache } from './database';
import { applyCounterDeltas } from './ingest';
import { toDeviceRow, type DeviceDbRow } from './rows';
import { readSection } from './section-tables';

export class SqliteDevices implements DeviceRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {}

  async getRow(id: string): Promise<DeviceRow | null> {
    const row = this.statements.get('SELECT * FROM devices WHERE id = ?').get(id) as DeviceDbRow | undefined;
    return row ? toDeviceRow(row) : null;
  }

  async get(id: string): Promise<StoredDeviceState | null> {
    const read = this.db.transaction(() => {
      const row = this.statements.get('SELECT * FROM devices WHERE id = ?').get(id) as DeviceDbRow | undefined;
      if (!row) return null;
      const state = { device: toDeviceRow(row) } as StoredDeviceState;
      for (const section of SECTIONS) (state as unknown as Record<string, unknown>)[section] = readSection(this.statements, section, id);
      return state;
    });
    return read();
  }

  async markStale(lastSeenBefore: number): Promise<{ deviceIds: string[]; counters: CounterValues }> {
    const sweep = this.db.transaction(() => {
      const rows = this.statements
        .get('UPDATE devices SET stale = 1 WHERE stale = 0 AND last_seen_at < ? RETURNING id')
        .all(lastSeenBefore) as { id: string }[];
      const counters = applyCounterDeltas(this.statements, [[DEVICE_COUNTERS.scope, DEVICE_COUNTERS.stale, rows.length]]);
      return { deviceIds: rows.map((row) => row.id), counters };
    });
    return sweep.immediate();
  }
}

export class SqliteCounters implements CounterRepository {
  constructor(private readonly statements: StatementCache) {}

  async scope(scope: string): Promise<Record<string, number>> {
    const rows = this.statements.get('SELECT key, value FROM aggregate_counters WHERE scope = ?').all(scope) as { key: string; value: number }[];
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }

  async get(scope: string, key: string): Promise<number> {
    const row = this.statements.get('SELECT value FROM aggregate_counters WHERE scope = ? AND key = ?').get(scope, key) as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }
}
