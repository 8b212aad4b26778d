// SQLite device state reads and the stale sweep.
import { DEVICE_COUNTERS, type CounterValues } from '../counter-keys';
import { SECTIONS, type DeviceRow, type StoredDeviceState } from '../device-state';
import type { DeviceRepository } from '../repository';
import { applyCounterDeltas, CounterDeltas } from './counters';
import type { SqliteDatabase, StatementCache } from './database';
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
      const deltas = new CounterDeltas();
      deltas.add(DEVICE_COUNTERS.stale, rows.length);
      const counters = applyCounterDeltas(this.statements, deltas);
      return { deviceIds: rows.map((row) => row.id), counters };
    });
    return sweep.immediate();
  }
}
