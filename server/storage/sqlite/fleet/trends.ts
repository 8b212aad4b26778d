// SQLite trend snapshots: one fleet point per UTC day with its per-baseline compliance.
import type { TrendPoint } from '../../../../protocol/fleet-api';
import type { TrendStore } from '../../../fleet/fleet-store';
import { DAY_SCOPES } from '../../counter-keys';
import { sqlExecutor, type SqlExecutor, type SqliteDatabase, type StatementCache } from '../database';

export class SqliteTrends implements TrendStore {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    statements: StatementCache,
  ) {
    this.sql = sqlExecutor(statements);
  }

  async put(point: TrendPoint, takenAt: number): Promise<void> {
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

  async list(fromDay: string, toDay: string): Promise<TrendPoint[]> {
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

  /** Day counter keys begin with their day (see counter-keys.ts), so "before the day" is a key range. */
  async prune(beforeDay: string): Promise<number> {
    const prune = this.db.transaction(() => {
      for (const scope of DAY_SCOPES) this.sql.run('DELETE FROM aggregate_counters WHERE scope = ? AND key < ?', scope, beforeDay);
      this.sql.run('DELETE FROM trend_baseline_snapshots WHERE day < ?', beforeDay);
      return this.sql.run('DELETE FROM trend_snapshots WHERE day < ?', beforeDay).changes;
    });
    return prune();
  }
}
