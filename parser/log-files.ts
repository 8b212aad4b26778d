// Which files are servicing logs, in which order to read them, and the one-shot scan of files and folders.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LogKind } from './record';

const LIVE_LOG = /^cbs\.log$/i;
const PERSIST_LOG = /^CbsPersist_(\d{14})\.log$/i;
const CHECKSUR_LOG = /^CheckSUR(?:\.persist)?\.log$/i;

/** `CBS.log` and `CbsPersist_YYYYMMDDHHMMSS.log` → cbs; `CheckSUR.log` / `CheckSUR.persist.log` → checksur; else null. */
export function logKindOf(fileName: string): LogKind | null {
  const name = basename(fileName);
  if (LIVE_LOG.test(name) || PERSIST_LOG.test(name)) return 'cbs';
  if (CHECKSUR_LOG.test(name)) return 'checksur';
  return null;
}

function rank(path: string): number {
  const name = basename(path);
  if (PERSIST_LOG.test(name)) return 0;
  if (LIVE_LOG.test(name)) return 2;
  if (CHECKSUR_LOG.test(name)) return 3;
  return 1;
}

/**
 * Reading order: rotated CbsPersist logs oldest first (by the UTC stamp in the name), then other
 * CBS-format files in the order given, then the live CBS.log, then CheckSUR logs — so records
 * arrive in time order and the newest state of a package is the last one seen.
 */
export function orderLogFiles(paths: string[]): string[] {
  return paths
    .map((path, index) => ({ path, index, rank: rank(path), stamp: PERSIST_LOG.exec(basename(path))?.[1] ?? '' }))
    .sort((a, b) => a.rank - b.rank || a.stamp.localeCompare(b.stamp) || a.index - b.index)
    .map((entry) => entry.path);
}

/** A path given to `scan` that cannot be used; the message is one line for the user. */
export class ScanInputError extends Error {
  override readonly name = 'ScanInputError';
}

/**
 * The log files a list of paths names: files as given (any name; CheckSUR by name), folders
 * expanded to the servicing logs directly inside them. Throws ScanInputError for a missing or
 * unreadable path, or a folder without servicing logs.
 */
export function expandLogPaths(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ScanInputError(code === 'ENOENT' ? `no such file or folder: ${path}` : `cannot read ${path} (${code ?? 'error'})`);
    }
    if (stats.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(path);
      } catch (error) {
        throw new ScanInputError(`cannot read folder ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const logs = names.filter((name) => logKindOf(name) !== null).map((name) => join(path, name));
      if (logs.length === 0) throw new ScanInputError(`no servicing logs (CBS.log, CbsPersist_*.log, CheckSUR.log) in ${path}`);
      files.push(...logs);
    } else {
      files.push(path);
    }
  }
  return orderLogFiles(files);
}
