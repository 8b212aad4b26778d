// SQLite re-enrollment requests: a known device id asking for a new key waits here for an admin's decision.
import type { EnrollmentRequestInfo, EnrollmentRequestRepository, EnrollmentRequestStatus, OpenEnrollmentRequest } from '../repository';
import type { SqliteCredentials } from './credentials';
import type { SqliteDatabase, StatementCache } from './database';

interface RequestRow {
  id: number;
  device_id: string;
  hostname: string;
  secret_id: number | null;
  ip: string | null;
  requested_at: number;
  expires_at: number;
  status: EnrollmentRequestStatus;
  decided_at: number | null;
  decided_by: string | null;
}

interface OpenRow extends RequestRow {
  secret_name: string | null;
  known_hostname: string | null;
  last_seen_at: number | null;
}

const COLUMNS = 'id, device_id, hostname, secret_id, ip, requested_at, expires_at, status, decided_at, decided_by';
const QUALIFIED = COLUMNS.split(', ').map((column) => `r.${column}`).join(', ');

const toRequest = (r: RequestRow): EnrollmentRequestInfo => ({
  id: r.id,
  deviceId: r.device_id,
  hostname: r.hostname,
  secretId: r.secret_id,
  ip: r.ip,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
  status: r.status,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
});

export class SqliteEnrollmentRequests implements EnrollmentRequestRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
    /** Keys are revoked and issued through the credentials store, which keeps its key cache in step. */
    private readonly credentials: SqliteCredentials,
  ) {}

  private row(id: number): RequestRow | undefined {
    return this.statements.get(`SELECT ${COLUMNS} FROM enrollment_requests WHERE id = ?`).get(id) as RequestRow | undefined;
  }

  async create(input: { deviceId: string; hostname: string; secretId: number | null; ip: string | null; pickupHash: string; now: number; expiresAt: number }) {
    const row = this.statements
      .get(
        `INSERT INTO enrollment_requests (device_id, hostname, secret_id, ip, pickup_hash, requested_at, expires_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending') RETURNING ${COLUMNS}`,
      )
      .get(input.deviceId, input.hostname, input.secretId, input.ip, input.pickupHash, input.now, input.expiresAt) as RequestRow;
    return toRequest(row);
  }

  async countPending(deviceId: string, now: number) {
    const row = this.statements
      .get("SELECT count(*) AS n FROM enrollment_requests WHERE device_id = ? AND status = 'pending' AND expires_at > ?")
      .get(deviceId, now) as { n: number };
    return row.n;
  }

  async byPickupHash(pickupHash: string) {
    const row = this.statements.get(`SELECT ${COLUMNS} FROM enrollment_requests WHERE pickup_hash = ?`).get(pickupHash) as RequestRow | undefined;
    return row ? toRequest(row) : null;
  }

  async get(id: number) {
    const row = this.row(id);
    return row ? toRequest(row) : null;
  }

  async listOpen(now: number): Promise<OpenEnrollmentRequest[]> {
    const rows = this.statements
      .get(
        `SELECT ${QUALIFIED}, s.name AS secret_name,
           coalesce((SELECT k.hostname FROM device_keys k WHERE k.device_id = r.device_id ORDER BY k.id DESC LIMIT 1), d.hostname) AS known_hostname,
           d.last_seen_at AS last_seen_at
         FROM enrollment_requests r
         LEFT JOIN enrollment_secrets s ON s.id = r.secret_id
         LEFT JOIN devices d ON d.id = r.device_id
         WHERE r.status IN ('pending', 'approved') AND r.expires_at > ?
         ORDER BY r.requested_at, r.id`,
      )
      .all(now) as OpenRow[];
    return rows.map((r) => ({ ...toRequest(r), secretName: r.secret_name, knownHostname: r.known_hostname, lastSeenAt: r.last_seen_at }));
  }

  async approve(id: number, decidedBy: string, now: number) {
    const approve = this.db.transaction(() => {
      const row = this.row(id);
      if (!row || row.status !== 'pending' || row.expires_at <= now) return null;
      // The pickup gets the request's whole lifetime again, counted from the decision.
      const expiresAt = now + (row.expires_at - row.requested_at);
      this.statements
        .get("UPDATE enrollment_requests SET status = 'approved', decided_at = ?, decided_by = ?, expires_at = ? WHERE id = ?")
        .run(now, decidedBy, expiresAt, id);
      const others = this.statements
        .get(
          `UPDATE enrollment_requests SET status = 'rejected', decided_at = ?, decided_by = ?
           WHERE device_id = ? AND id <> ? AND status IN ('pending', 'approved') RETURNING id`,
        )
        .all(now, decidedBy, row.device_id, id) as { id: number }[];
      const revokedKeys = this.credentials.revokeKeysNow(row.device_id, now);
      return { request: toRequest(this.row(id)!), revokedKeys, rejected: others.map((other) => other.id) };
    });
    return approve.immediate();
  }

  async reject(id: number, decidedBy: string, now: number) {
    const row = this.statements
      .get(
        `UPDATE enrollment_requests SET status = 'rejected', decided_at = ?, decided_by = ?
         WHERE id = ? AND status IN ('pending', 'approved') AND expires_at > ? RETURNING ${COLUMNS}`,
      )
      .get(now, decidedBy, id, now) as RequestRow | undefined;
    return row ? toRequest(row) : null;
  }

  async collect(id: number, keyHash: string, now: number) {
    const collect = this.db.transaction(() => {
      const row = this.row(id);
      if (!row || row.status !== 'approved' || row.expires_at <= now) return null;
      this.statements.get("UPDATE enrollment_requests SET status = 'collected' WHERE id = ?").run(id);
      return this.credentials.replaceKeys({ deviceId: row.device_id, hostname: row.hostname, keyHash, secretId: row.secret_id, now });
    });
    return collect.immediate();
  }

  async purge(before: number) {
    return this.statements
      .get(
        `DELETE FROM enrollment_requests
         WHERE (status IN ('pending', 'approved') AND expires_at < @before) OR (status IN ('rejected', 'collected') AND decided_at < @before)`,
      )
      .run({ before }).changes;
  }
}
