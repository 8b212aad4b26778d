// Crash-safe file writes: write a temp file beside the target, fsync it, rename over the target, fsync the folder.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp files carry this marker so a restart can sweep the ones a crash left behind. */
export const TEMP_MARKER = '.tmp-';

export interface AtomicWriteOptions {
  /** File mode for new files (0o600 for secrets). Ignored by Windows, which uses ACLs. */
  mode?: number;
}

/**
 * After this returns, the target holds either the old or the new content in full, even if the
 * process is killed or the machine loses power at any instant (rename is atomic on NTFS and POSIX).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  stageFile(path, data, options).commit();
}

/** New content written and fsynced beside its target, not yet in place. */
export interface StagedFile {
  /** Renames the staged content over the target (atomic), then makes the rename durable. */
  commit(): void;
  /** Removes the staged content; the target keeps what it had. */
  discard(): void;
}

/**
 * The first half of `writeFileAtomic`: the content is durable in a temp file (which `sweepTempFiles`
 * removes if the process dies first) and replaces the target only on `commit`. Lets a caller write
 * something early, let go of it in memory, and decide later whether it takes effect.
 */
export function stageFile(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): StagedFile {
  const temp = join(dirname(path), `${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(temp, 'w', options.mode ?? 0o644);
  try {
    if (typeof data === 'string') writeText(fd, data);
    else writeBytes(fd, data, data.length);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  return {
    commit() {
      try {
        renameSync(temp, path);
      } catch (error) {
        rmSync(temp, { force: true });
        throw error;
      }
      fsyncDirectory(dirname(path));
    },
    discard() {
      rmSync(temp, { force: true });
    },
  };
}

/** Encoding window: a report or state of several MiB never exists a second time as one UTF-8 buffer. */
const TEXT_CHUNK_BYTES = 64 * 1024;

/** Writes `text` as UTF-8 through one small buffer (`encodeInto` never splits a character). */
function writeText(fd: number, text: string): void {
  const encoder = new TextEncoder();
  const chunk = new Uint8Array(Math.min(TEXT_CHUNK_BYTES, Math.max(4, text.length * 3)));
  let rest = text;
  while (rest.length > 0) {
    const { read, written } = encoder.encodeInto(rest, chunk);
    writeBytes(fd, chunk, written);
    rest = rest.slice(read);
  }
}

function writeBytes(fd: number, bytes: Uint8Array, length: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, bytes, done, length - done);
}

/** Makes a rename durable. Windows cannot open folders for fsync; NTFS journals the rename itself. */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Removes temp files a killed process left in `dir`; returns how many. */
export function sweepTempFiles(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.includes(TEMP_MARKER)) continue;
    rmSync(join(dir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}
