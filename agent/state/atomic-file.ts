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
  const temp = join(dirname(path), `${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(temp, 'w', options.mode ?? 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(dirname(path));
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
