// Incremental collection of CBS.log, CbsPersist_*.log|.cab and CheckSUR.log: reads only new bytes, follows rotation.
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { headFingerprint, logKindOf, scanFile, type FileCursor, type ServicingLogParser } from '../../parser';
import type { StoredCursor } from '../state/agent-state';
import type { AgentLogger } from '../log';
import { expandCab, type SystemAdapter } from '../windows/adapter';
import type { ScanThrottle } from '../runtime/throttle';

export interface LogCollectionInput {
  logsDir: string;
  /** Cursors from the last saved state, keyed by file base name. */
  cursors: Readonly<Record<string, StoredCursor>>;
  parser: ServicingLogParser;
  adapter: SystemAdapter;
  /** Scratch folder for expanded cabinets (inside the state dir; swept on start). */
  tempRoot: string;
  log: AgentLogger;
  throttle?: ScanThrottle;
  signal?: AbortSignal;
}

export interface LogCollectionResult {
  cursors: Record<string, StoredCursor>;
  filesRead: number;
  bytesRead: number;
}

const LIVE_LOG = 'CBS.log';
const PERSIST = /^CbsPersist_(\d{14})\.(log|cab)$/i;

/** Reads `length` bytes from the start of a file (fewer if it is shorter). */
function readHead(path: string, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** True when `path` starts with the same bytes the cursor saw, i.e. it is the same log (maybe renamed). */
function sameLog(path: string, cursor: StoredCursor): boolean {
  try {
    if (statSync(path).size < cursor.headLength) return false;
    return headFingerprint(readHead(path, cursor.headLength)) === cursor.headFingerprint;
  } catch {
    return false;
  }
}

function fileSize(path: string): number {
  return statSync(path).size;
}

/** Rotated files oldest first (the UTC stamp in the name), then CheckSUR.log, then the live CBS.log. */
function collectionOrder(names: string[]): string[] {
  const persisted = names.filter((name) => PERSIST.test(name)).sort((a, b) => a.localeCompare(b));
  const others = names.filter((name) => !PERSIST.test(name) && name.toLowerCase() !== LIVE_LOG.toLowerCase());
  const live = names.filter((name) => name.toLowerCase() === LIVE_LOG.toLowerCase());
  return [...persisted, ...others, ...live];
}

/**
 * One pass over the log folder.
 *
 * - A file whose head still matches its cursor is read from the cursor's offset (only appended bytes).
 * - CBS.log whose head changed was rotated: Windows renamed it to CbsPersist_<stamp>.log (or packed
 *   it into a .cab). The rotated file whose head matches the old CBS.log cursor is continued from
 *   that cursor's offset, then the new CBS.log is read from 0: nothing missed, nothing read twice.
 * - A file shorter than its cursor with the same head was truncated and is read again from 0; the
 *   parser deduplicates facts by key, so re-read records are not counted twice.
 * - A cabinet is expanded once with expand.exe into a temp folder that is removed afterwards;
 *   its cursor marks it done (cabinets never change).
 */
export async function collectLogs(input: LogCollectionInput): Promise<LogCollectionResult> {
  const { logsDir, cursors, parser, log } = input;
  const names = readdirSync(logsDir).filter((name) => logKindOf(name) !== null || PERSIST.test(name));
  const next: Record<string, StoredCursor> = {};
  let filesRead = 0;
  let bytesRead = 0;

  const liveCursor = cursors[LIVE_LOG];
  const livePath = join(logsDir, LIVE_LOG);
  const liveIsSame = liveCursor !== undefined && names.includes(LIVE_LOG) && sameLog(livePath, liveCursor);
  /** The old CBS.log's cursor, waiting for its rotated copy to show up among the CbsPersist files. */
  let rotatedAway: StoredCursor | null = liveCursor !== undefined && !liveIsSame ? liveCursor : null;

  const scan = async (path: string, key: string, from: StoredCursor | null): Promise<StoredCursor> => {
    const before = from?.offset ?? 0;
    const throttle = input.throttle;
    const onProgress = throttle ? () => throttle.pace() : undefined;
    const cursor: FileCursor = await scanFile(parser, path, from === null ? null : { ...from, path }, {
      onProgress,
      signal: input.signal,
    });
    if (cursor.offset !== before) filesRead++;
    bytesRead += Math.max(0, cursor.offset - before);
    return { ...cursor, path: key };
  };

  /** Which cursor a file continues from: its own, the rotated-away CBS.log's, or none (read from 0). */
  const startingCursor = (path: string, key: string): StoredCursor | null => {
    const own = cursors[key];
    if (own !== undefined && sameLog(path, own)) {
      if (fileSize(path) >= own.offset) return own;
      log.info({ file: key }, 'log was truncated; reading it again from the start');
      return null;
    }
    if (own !== undefined) log.info({ file: key }, 'log was replaced or rotated; reading the new file from the start');
    if (rotatedAway !== null && PERSIST.test(key) && sameLog(path, rotatedAway)) {
      const continued = rotatedAway;
      rotatedAway = null;
      log.info({ from: LIVE_LOG, to: key, offset: continued.offset }, 'CBS.log was rotated; continuing the rotated copy');
      return continued;
    }
    return null;
  };

  for (const name of collectionOrder(names)) {
    input.signal?.throwIfAborted();
    const path = join(logsDir, name);
    if (/\.cab$/i.test(name)) {
      const done = cursors[name];
      if (done !== undefined) {
        next[name] = done;
        continue;
      }
      const cabCursor = await scanCabinet(input, path, name, (expanded) => scan(expanded, name, startingCursor(expanded, name)));
      if (cabCursor !== null) next[name] = cabCursor;
      continue;
    }
    next[name] = await scan(path, name, startingCursor(path, name));
  }

  if (rotatedAway !== null) {
    log.warn(
      { offset: (rotatedAway as StoredCursor).offset },
      'CBS.log was replaced and its rotated copy was not found; lines written after the last read of the old file are not available',
    );
  }
  return { cursors: next, filesRead, bytesRead };
}

/** Expands a CbsPersist cabinet into a private temp folder, scans the log inside, and removes the folder. */
async function scanCabinet(
  input: LogCollectionInput,
  cabPath: string,
  cabName: string,
  scanExpanded: (path: string) => Promise<StoredCursor>,
): Promise<StoredCursor | null> {
  mkdirSync(input.tempRoot, { recursive: true });
  const dir = mkdtempSync(join(input.tempRoot, 'cab-'));
  try {
    await expandCab(input.adapter, cabPath, dir);
    const inner = readdirSync(dir).find((name) => /\.log$/i.test(name));
    if (inner === undefined) throw new Error(`${cabName} holds no .log file`);
    const cursor = await scanExpanded(join(dir, inner));
    return { ...cursor, path: cabName };
  } catch (error) {
    if (input.signal?.aborted) throw error;
    // Without a cursor the cabinet is tried again next cycle; re-read facts deduplicate.
    input.log.warn({ file: cabName, error: (error as Error).message }, 'could not read a rotated log cabinet; it will be retried next cycle');
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
