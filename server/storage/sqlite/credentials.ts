// SQLite enrollment secrets, device keys and API tokens (only hashes are stored).
import type { ApiTokenInfo, CredentialRepository, DeviceKeyInfo, EnrollmentSecretInfo, Role } from '../repository';
import type { SqliteDatabase, StatementCache } from './database';

interface SecretRow {
  id: number;
  name: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  uses: number;
  last_used_at: number | null;
}
interface KeyRow {
  id: number;
  device_id: string;
  hostname: string;
  created_at: number;
  revoked_at: number | null;
}
interface TokenRow {
  id: number;
  name: string;
  role: Role;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
  last_used_at: number | null;
}

type NewDeviceKey = { deviceId: string; hostname: string; keyHash: string; secretId: number | null; now: number };

const SECRET_COLUMNS = 'id, name, created_at, created_by, expires_at, revoked_at, uses, last_used_at';
const KEY_COLUMNS = 'id, device_id, hostname, created_at, revoked_at';
const TOKEN_COLUMNS = 'id, name, role, created_at, created_by, revoked_at, last_used_at';

const toSecret = (r: SecretRow): EnrollmentSecretInfo => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  uses: r.uses,
  lastUsedAt: r.last_used_at,
});
const toKey = (r: KeyRow): DeviceKeyInfo => ({
  id: r.id,
  deviceId: r.device_id,
  hostname: r.hostname,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});
const toToken = (r: TokenRow): ApiTokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  createdBy: r.created_by,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/**
 * Active device keys seen recently, by hash: every report presents one, so the lookup is cached.
 * Issuing or revoking keys here drops the device's entries at once; the TTL bounds how long a key
 * revoked by another process (another server node) keeps working.
 */
const KEY_CACHE_TTL_MS = 30_000;
const KEY_CACHE_MAX = 200_000;

export class SqliteCredentials implements CredentialRepository {
  private readonly keyCache = new Map<string, { info: DeviceKeyInfo; cachedAt: number }>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {}

  async createEnrollmentSecret(input: { name: string; secretHash: string; createdBy: string; expiresAt: number | null; now: number }) {
    const row = this.statements
      .get(
        `INSERT INTO enrollment_secrets (name, secret_hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING ${SECRET_COLUMNS}`,
      )
      .get(input.name, input.secretHash, input.now, input.createdBy, input.expiresAt) as SecretRow;
    return toSecret(row);
  }

  async listEnrollmentSecrets() {
    return (this.statements.get(`SELECT ${SECRET_COLUMNS} FROM enrollment_secrets ORDER BY id DESC`).all() as SecretRow[]).map(toSecret);
  }

  async revokeEnrollmentSecret(id: number, now: number) {
    return this.statements.get('UPDATE enrollment_secrets SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  async useEnrollmentSecret(secretHash: string, now: number) {
    const row = this.statements
      .get(
        `UPDATE enrollment_secrets SET uses = uses + 1, last_used_at = @now
         WHERE secret_hash = @secretHash AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)
         RETURNING ${SECRET_COLUMNS}`,
      )
      .get({ now, secretHash }) as SecretRow | undefined;
    return row ? toSecret(row) : null;
  }

  async issueFirstDeviceKey(input: NewDeviceKey) {
    const issue = this.db.transaction(() => {
      const known = this.statements
        .get('SELECT EXISTS (SELECT 1 FROM device_keys WHERE device_id = @id) OR EXISTS (SELECT 1 FROM devices WHERE id = @id) AS known')
        .get({ id: input.deviceId }) as { known: number };
      return known.known ? null : this.insertKey(input);
    });
    const row = issue.immediate();
    return row ? toKey(row) : null;
  }

  async issueDeviceKey(input: NewDeviceKey) {
    return this.db.transaction(() => this.replaceKeys(input)).immediate();
  }

  /**
   * Revokes the device's keys and stores a new one. Synchronous, for callers that hold a transaction
   * open (collecting an approved re-enrollment).
   */
  replaceKeys(input: NewDeviceKey): DeviceKeyInfo {
    this.revokeKeysNow(input.deviceId, input.now);
    return toKey(this.insertKey(input));
  }

  private insertKey(input: NewDeviceKey): KeyRow {
    return this.statements
      .get(`INSERT INTO device_keys (device_id, key_hash, secret_id, hostname, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${KEY_COLUMNS}`)
      .get(input.deviceId, input.keyHash, input.secretId, input.hostname, input.now) as KeyRow;
  }

  async findDeviceKey(keyHash: string) {
    const cached = this.keyCache.get(keyHash);
    if (cached && performance.now() - cached.cachedAt < KEY_CACHE_TTL_MS) return cached.info;
    const row = this.statements.get(`SELECT ${KEY_COLUMNS} FROM device_keys WHERE key_hash = ? AND revoked_at IS NULL`).get(keyHash) as
      | KeyRow
      | undefined;
    if (!row) {
      this.keyCache.delete(keyHash);
      return null;
    }
    const info = toKey(row);
    if (this.keyCache.size >= KEY_CACHE_MAX) this.keyCache.clear();
    this.keyCache.set(keyHash, { info, cachedAt: performance.now() });
    return info;
  }

  private forgetDeviceKeys(deviceId: string): void {
    for (const [hash, entry] of this.keyCache) if (entry.info.deviceId === deviceId) this.keyCache.delete(hash);
  }

  async listDeviceKeys(deviceId: string) {
    return (this.statements.get(`SELECT ${KEY_COLUMNS} FROM device_keys WHERE device_id = ? ORDER BY id DESC`).all(deviceId) as KeyRow[]).map(toKey);
  }

  async revokeDeviceKeys(deviceId: string, now: number) {
    return this.revokeKeysNow(deviceId, now);
  }

  /** Revokes every active key of the device and drops them from the cache; synchronous, like `replaceKeys`. */
  revokeKeysNow(deviceId: string, now: number): number {
    this.forgetDeviceKeys(deviceId);
    return this.statements.get('UPDATE device_keys SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL').run(now, deviceId).changes;
  }

  async createApiToken(input: { name: string; role: Role; tokenHash: string; createdBy: string; now: number }) {
    const row = this.statements
      .get(`INSERT INTO api_tokens (name, token_hash, role, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING ${TOKEN_COLUMNS}`)
      .get(input.name, input.tokenHash, input.role, input.now, input.createdBy) as TokenRow;
    return toToken(row);
  }

  async listApiTokens() {
    return (this.statements.get(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC`).all() as TokenRow[]).map(toToken);
  }

  async revokeApiToken(id: number, now: number) {
    return this.statements.get('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  async useApiToken(tokenHash: string, now: number) {
    const row = this.statements.get(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`).get(tokenHash) as
      | TokenRow
      | undefined;
    if (!row) return null;
    // Last use is recorded at minute precision so read requests do not each cost a write.
    if (row.last_used_at === null || now - row.last_used_at >= 60_000) {
      this.statements.get('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
      row.last_used_at = now;
    }
    return toToken(row);
  }

  async activeApiTokenIds(ids: readonly number[]) {
    if (ids.length === 0) return new Set<number>();
    const rows = this.statements
      .get('SELECT t.id FROM json_each(?) AS wanted JOIN api_tokens AS t ON t.id = wanted.value WHERE t.revoked_at IS NULL')
      .all(JSON.stringify(ids)) as { id: number }[];
    return new Set(rows.map((row) => row.id));
  }
}
