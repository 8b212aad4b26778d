// SQLite webhooks and their delivery outbox.
import type { AlertKind, Webhook } from '../../../../protocol/fleet-api';
import type { OutboxItem, WebhookStore } from '../../../fleet/fleet-store';
import { sqlExecutor, type SqlExecutor, type StatementCache } from '../database';

interface WebhookRow {
  id: number;
  url: string;
  secret: string;
  kinds: string;
  enabled: number;
  created_at: number;
}

const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id,
  url: row.url,
  kinds: JSON.parse(row.kinds) as AlertKind[],
  enabled: row.enabled === 1,
  createdAt: new Date(row.created_at).toISOString(),
});

export class SqliteWebhooks implements WebhookStore {
  private readonly sql: SqlExecutor;

  constructor(statements: StatementCache) {
    this.sql = sqlExecutor(statements);
  }

  async list(): Promise<Webhook[]> {
    return this.sql.all<WebhookRow>('SELECT * FROM webhooks ORDER BY id').map(toWebhook);
  }

  async create(input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string, now: number): Promise<Webhook> {
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

  async update(id: number, input: { url?: string | undefined; kinds?: AlertKind[] | undefined; enabled?: boolean | undefined; secret?: string | undefined }): Promise<Webhook | null> {
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

  async delete(id: number): Promise<boolean> {
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
}
