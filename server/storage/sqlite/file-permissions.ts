// Keeps the database private to the server's own user: DATA_DIR 0700, the database and its WAL and SHM files 0600, checked (and fixed where safe) at every open.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Group and other permission bits. */
const SHARED_BITS = 0o077;

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** POSIX modes only; on Windows the ACL of the folder decides. */
const enforced = process.platform !== 'win32';

/**
 * Before SQLite opens `file`: creates its directory 0700 and the file itself 0600 when missing, and
 * tightens a loose existing file, whatever the umask. SQLite gives the WAL and SHM files it creates
 * the mode of the database file, so they follow. The directory is only reported, never changed:
 * DATA_DIR may be a folder the operator shares on purpose.
 */
export function prepareDatabaseFile(file: string, warn: (message: string) => void): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (!enforced) return;
  const dirMode = statSync(dir).mode;
  if (dirMode & SHARED_BITS) {
    warn(`DATA_DIR ${dir} has mode ${octal(dirMode)}: other local users can list it; run chmod 700 ${dir}`);
  }
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE));
  tighten(file, warn);
}

/** After SQLite has opened `file` in WAL mode: tightens WAL and SHM files left loose (e.g. by an older version). */
export function checkDatabaseCompanions(file: string, warn: (message: string) => void): void {
  if (!enforced) return;
  for (const companion of [`${file}-wal`, `${file}-shm`]) if (existsSync(companion)) tighten(companion, warn);
}

function tighten(path: string, warn: (message: string) => void): void {
  const mode = statSync(path).mode;
  if (!(mode & SHARED_BITS)) return;
  try {
    chmodSync(path, PRIVATE_FILE);
    warn(`${path} had mode ${octal(mode)}, readable by other local users; changed to ${octal(PRIVATE_FILE)}`);
  } catch (err) {
    warn(`${path} has mode ${octal(mode)}, readable by other local users, and could not be changed (${(err as Error).message}); run chmod 600 ${path}`);
  }
}
