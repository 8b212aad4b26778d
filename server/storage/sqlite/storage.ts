// The SQLite Storage: one database file in DATA_DIR, migrated on open, all repositories on one connection.
import { join } from 'node:path';
import type { Storage } from '../repository';
import { openDatabase, StatementCache, type OpenOptions, type SqliteDatabase } from './database';
import { SqliteAudit, SqliteSettings } from './audit';
import { SqliteCredentials } from './credentials';
import { SqliteCounters } from './counters';
import { SqliteDevices } from './devices';
import { SqliteEnrollmentRequests } from './enrollment-requests';
import { SqliteFleetStore } from './fleet/store';
import { SqliteIngest } from './ingest';
import { migrate } from './migrate';
import { SqliteReports } from './reports';
import { SqliteLoginThrottle, SqliteSessions, SqliteUsers } from './users';

export const DATABASE_FILE = 'patchlens.sqlite';

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

export class SqliteStorage implements Storage {
  /** The connection (tests and benchmarks inspect it; nothing outside this folder writes SQL to it). */
  readonly db: SqliteDatabase;
  readonly statements: StatementCache;
  readonly devices: SqliteDevices;
  readonly reports: SqliteReports;
  readonly counters: SqliteCounters;
  readonly credentials: SqliteCredentials;
  readonly enrollmentRequests: SqliteEnrollmentRequests;
  readonly users: SqliteUsers;
  readonly sessions: SqliteSessions;
  readonly throttle: SqliteLoginThrottle;
  readonly audit: SqliteAudit;
  readonly settings: SqliteSettings;
  readonly fleet: SqliteFleetStore;
  /** Migrations applied while opening. */
  readonly migrated: string[];
  /** Loose file permissions found (and fixed where safe) while opening; the caller logs them. */
  readonly permissionWarnings: string[] = [];

  constructor(file: string, options: OpenOptions = {}) {
    this.db = openDatabase(file, { ...options, warn: (message) => this.permissionWarnings.push(message) });
    this.migrated = migrate(this.db);
    this.statements = new StatementCache(this.db);
    this.devices = new SqliteDevices(this.db, this.statements);
    this.reports = new SqliteReports(this.statements, new SqliteIngest(this.db, this.statements));
    this.counters = new SqliteCounters(this.statements);
    this.credentials = new SqliteCredentials(this.db, this.statements);
    this.enrollmentRequests = new SqliteEnrollmentRequests(this.db, this.statements, this.credentials);
    this.users = new SqliteUsers(this.statements);
    this.sessions = new SqliteSessions(this.statements);
    this.throttle = new SqliteLoginThrottle(this.db, this.statements);
    this.audit = new SqliteAudit(this.statements);
    this.settings = new SqliteSettings(this.statements);
    this.fleet = new SqliteFleetStore(this.db, this.statements);
  }

  async ping(): Promise<boolean> {
    return this.statements.get('SELECT 1 AS ok').get() !== undefined;
  }

  close(): void {
    if (this.db.open) {
      this.db.pragma('optimize');
      this.db.close();
    }
  }
}

/** Opens (creating and migrating when needed) the database under `dataDir`. */
export function openSqliteStorage(dataDir: string, options: OpenOptions = {}): SqliteStorage {
  return new SqliteStorage(databasePath(dataDir), options);
}
