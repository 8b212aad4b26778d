// Picks the storage dialect from the config: SQLite in DATA_DIR, the embedded default. Another dialect is selected here.
import type { Config } from '../config';
import type { Storage } from './repository';
import { openSqliteStorage } from './sqlite/storage';

export interface OpenedStorage {
  storage: Storage;
  /** Problems found while opening (loose file permissions, fixed where safe), to log at start. */
  warnings: string[];
  /** Migrations applied while opening. */
  migrated: string[];
}

export function openStorage(config: Pick<Config, 'dataDir' | 'sqliteSynchronous'>): OpenedStorage {
  const storage = openSqliteStorage(config.dataDir, { synchronous: config.sqliteSynchronous });
  return { storage, warnings: storage.permissionWarnings, migrated: storage.migrated };
}
