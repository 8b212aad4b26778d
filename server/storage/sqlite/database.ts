// Opens a SQLite database file with the settings the server relies on (WAL, foreign keys, busy timeout).
import Database from 'better-sqlite3';
import { checkDatabaseCompanions, prepareDatabaseFile } from './file-permissions';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** FULL survives power loss; NORMAL survives process crashes (kill -9) and is faster. */
  synchronous?: 'FULL' | 'NORMAL';
  readonly?: boolean;
  /** Told about loose file permissions found (and fixed where safe) while opening. */
  warn?: (message: string) => void;
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  const onDisk = file !== ':memory:' && !options.readonly;
  const warn = options.warn ?? (() => undefined);
  if (onDisk) prepareDatabaseFile(file, warn);
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) db.pragma('journal_mode = WAL');
  if (onDisk) checkDatabaseCompanions(file, warn);
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  return db;
}

/** Prepared statements by SQL text, prepared once per connection. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: SqliteDatabase) {}

  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Synchronous SQL over the connection's cached statements, for the dialect's own modules. */
export interface SqlExecutor {
  run(sql: string, ...params: unknown[]): { changes: number };
  get<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T | undefined;
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
}

/** A synchronous SQL executor over cached statements. */
export function sqlExecutor(statements: StatementCache): SqlExecutor {
  return {
    run: (text, ...params) => statements.get(text).run(...params),
    get: <T>(text: string, ...params: unknown[]) => statements.get(text).get(...params) as T | undefined,
    all: <T>(text: string, ...params: unknown[]) => statements.get(text).all(...params) as T[],
  };
}
