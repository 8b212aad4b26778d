// Opens a SQLite database file with the settings the server relies on (WAL, foreign keys, busy timeout).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SqlExecutor } from '../repository';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** FULL survives power loss; NORMAL survives process crashes (kill -9) and is faster. */
  synchronous?: 'FULL' | 'NORMAL';
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) db.pragma('journal_mode = WAL');
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

/** A synchronous SQL executor over cached statements (the shape projections and read models use). */
export function sqlExecutor(statements: StatementCache): SqlExecutor {
  return {
    run: (text, ...params) => statements.get(text).run(...params),
    get: <T>(text: string, ...params: unknown[]) => statements.get(text).get(...params) as T | undefined,
    all: <T>(text: string, ...params: unknown[]) => statements.get(text).all(...params) as T[],
  };
}
