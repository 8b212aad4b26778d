// SQLite dashboard users, their sessions, and the login throttle.
import type {
  LoginThrottleRepository,
  Role,
  SessionRecord,
  SessionRepository,
  ThrottleChange,
  ThrottleKey,
  ThrottleState,
  UserRecord,
  UserRepository,
} from '../repository';
import type { SqliteDatabase, StatementCache } from './database';

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  must_change_password: number;
  created_at: number;
  password_changed_at: number;
  disabled_at: number | null;
  last_login_at: number | null;
}

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  role: r.role,
  mustChangePassword: r.must_change_password === 1,
  createdAt: r.created_at,
  passwordChangedAt: r.password_changed_at,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
});

export class SqliteUsers implements UserRepository {
  constructor(private readonly statements: StatementCache) {}

  async count() {
    return (this.statements.get('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  async create(input: { username: string; passwordHash: string; role: Role; mustChangePassword: boolean; now: number }) {
    const row = this.statements
      .get(
        `INSERT INTO users (username, password_hash, role, must_change_password, created_at, password_changed_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(input.username, input.passwordHash, input.role, input.mustChangePassword ? 1 : 0, input.now, input.now) as UserRow;
    return toUser(row);
  }

  async byId(id: number) {
    const row = this.statements.get('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async byUsername(username: string) {
    const row = this.statements.get('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async list() {
    return (this.statements.get('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async update(id: number, changes: { role?: Role; disabledAt?: number | null }) {
    const row = this.statements
      .get(
        `UPDATE users SET role = coalesce(?, role), disabled_at = CASE WHEN ? THEN ? ELSE disabled_at END WHERE id = ? RETURNING *`,
      )
      .get(changes.role ?? null, changes.disabledAt !== undefined ? 1 : 0, changes.disabledAt ?? null, id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async setPassword(id: number, passwordHash: string, mustChange: boolean, now: number) {
    this.statements
      .get('UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ? WHERE id = ?')
      .run(passwordHash, mustChange ? 1 : 0, now, id);
  }

  async recordLogin(id: number, now: number) {
    this.statements.get('UPDATE users SET last_login_at = ? WHERE id = ?').run(now, id);
  }

  async countActiveAdmins() {
    return (this.statements.get("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL").get() as { n: number }).n;
  }
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export class SqliteSessions implements SessionRepository {
  constructor(private readonly statements: StatementCache) {}

  async create(s: SessionRecord) {
    this.statements
      .get('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.expiresAt);
  }

  async get(idHash: string) {
    const r = this.statements.get('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    return r
      ? { idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at }
      : null;
  }

  async touch(idHash: string, lastSeenAt: number, expiresAt: number) {
    this.statements.get('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(lastSeenAt, expiresAt, idHash);
  }

  async delete(idHash: string) {
    this.statements.get('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteForUser(userId: number) {
    return this.statements.get('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  async deleteExpired(now: number) {
    return this.statements.get('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  async expiriesOfLive(idHashes: readonly string[]) {
    const expiries = new Map<string, number>();
    if (idHashes.length === 0) return expiries;
    // One statement for any number of sessions: the hashes travel as one JSON array parameter.
    const rows = this.statements
      .get(
        `SELECT s.id_hash, s.expires_at FROM json_each(?) AS wanted
         JOIN sessions AS s ON s.id_hash = wanted.value
         JOIN users AS u ON u.id = s.user_id
         WHERE u.disabled_at IS NULL`,
      )
      .all(JSON.stringify(idHashes)) as { id_hash: string; expires_at: number }[];
    for (const row of rows) expiries.set(row.id_hash, row.expires_at);
    return expiries;
  }
}

export class SqliteLoginThrottle implements LoginThrottleRepository {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {}

  async update<T>(keys: ThrottleKey[], change: (states: (ThrottleState | null)[]) => ThrottleChange<T>): Promise<T> {
    const read = this.statements.get('SELECT failures, window_start, locked_until FROM login_throttle WHERE scope = ? AND key = ?');
    const write = this.statements.get(
      `INSERT INTO login_throttle (scope, key, account, failures, window_start, locked_until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
    );
    const remove = this.statements.get('DELETE FROM login_throttle WHERE scope = ? AND key = ?');
    const transaction = this.db.transaction(() => {
      const states = keys.map(({ scope, key }) => {
        const r = read.get(scope, key) as { failures: number; window_start: number; locked_until: number | null } | undefined;
        return r ? { failures: r.failures, windowStart: r.window_start, lockedUntil: r.locked_until } : null;
      });
      const { states: next, result } = change(states);
      keys.forEach(({ scope, key, account }, i) => {
        const state = next[i];
        if (state === null) remove.run(scope, key);
        else if (state !== undefined) write.run(scope, key, account, state.failures, state.windowStart, state.lockedUntil);
      });
      return result;
    });
    // IMMEDIATE: take the write lock before reading, so two processes cannot both count from the same state.
    return transaction.immediate();
  }

  async clearAccount(account: string) {
    return this.statements.get('DELETE FROM login_throttle WHERE account = ?').run(account).changes;
  }

  async deleteStale(windowStartBefore: number, now: number) {
    return this.statements
      .get('DELETE FROM login_throttle WHERE window_start < ? AND (locked_until IS NULL OR locked_until <= ?)')
      .run(windowStartBefore, now).changes;
  }
}
