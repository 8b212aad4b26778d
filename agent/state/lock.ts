// One agent per state dir: a pid lock file, taken over when its owner is gone (killed, crashed, rebooted).
import { openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export class StateDirBusyError extends Error {
  override name = 'StateDirBusyError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws StateDirBusyError naming the running agent; returns the release function. */
export function lockStateDir(stateDir: string): () => void {
  const path = join(stateDir, 'agent.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) rmSync(path, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readSafe(path), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new StateDirBusyError(`another agent (pid ${owner}) is using ${stateDir}; stop it or use another --state-dir`);
      }
      rmSync(path, { force: true }); // stale: its owner died without cleaning up
    }
  }
  throw new StateDirBusyError(`cannot take the lock in ${stateDir}`);
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
