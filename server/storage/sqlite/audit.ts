// SQLite audit log of admin actions and the small settings table.
import type { AuditEntry, AuditRepository, SettingsRepository } from '../repository';
import type { StatementCache } from './database';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
}

export class SqliteAudit implements AuditRepository {
  constructor(private readonly statements: StatementCache) {}

  async append(entry: Omit<AuditEntry, 'id'>) {
    this.statements
      .get('INSERT INTO audit_log (at, actor, action, target, details, ip) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.target, entry.details === undefined ? null : JSON.stringify(entry.details), entry.ip);
  }

  async list(input: { limit: number; before?: number; action?: string }) {
    const rows = this.statements
      .get(
        `SELECT * FROM audit_log WHERE (@before IS NULL OR id < @before) AND (@action IS NULL OR action = @action) ORDER BY id DESC LIMIT @limit`,
      )
      .all({ before: input.before ?? null, action: input.action ?? null, limit: input.limit }) as AuditRow[];
    return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as unknown) }));
  }
}

export class SqliteSettings implements SettingsRepository {
  constructor(private readonly statements: StatementCache) {}

  async get<T>(key: string): Promise<T | null> {
    const row = this.statements.get('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async put(key: string, value: unknown, now: number) {
    this.statements
      .get('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), now);
  }
}
