// SQLite alerts: one open row per condition (a partial unique index), raised together with its webhook deliveries.
import type { Alert, AlertKind } from '../../../../protocol/fleet-api';
import { alertParams } from '../../../../protocol/fleet-api';
import type { AlertStore, RaiseAlert } from '../../../fleet/fleet-store';
import { sqlExecutor, type SqlExecutor, type SqliteDatabase, type StatementCache } from '../database';
import { iso } from '../../../../protocol/units';

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

export class SqliteAlerts implements AlertStore {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    statements: StatementCache,
  ) {
    this.sql = sqlExecutor(statements);
  }

  async raise(alert: RaiseAlert, now: number): Promise<Alert | null> {
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
      const hooks = this.sql.all<{ id: number; kinds: string }>('SELECT id, kinds FROM webhooks WHERE enabled = 1');
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

  async clear(conditionKeys: readonly string[], now: number): Promise<number> {
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

  async list(input: { limit: number; before?: number | undefined; kind?: AlertKind | undefined; open?: boolean | undefined }): Promise<Alert[]> {
    const where = ['id < ?'];
    const params: unknown[] = [input.before ?? Number.MAX_SAFE_INTEGER];
    if (input.kind) {
      where.push('kind = ?');
      params.push(input.kind);
    }
    if (input.open !== undefined) where.push(input.open ? 'cleared_at IS NULL' : 'cleared_at IS NOT NULL');
    return this.sql.all<AlertRow>(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, ...params, input.limit).map(toAlert);
  }
}
