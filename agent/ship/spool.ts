// The on-disk outbox: every report is fsynced here before any send and removed only after the server acknowledges it.
import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../protocol/report';
import { sweepTempFiles, writeFileAtomic } from '../state/atomic-file';
import type { AgentLogger } from '../log';

export interface SpoolEntry {
  name: string;
  sequence: number;
  reportId: string;
  bytes: number;
}

/** A spooled report ready to send: the file whose exact bytes go to the server. */
export interface SpooledReport {
  entry: SpoolEntry;
  body: { file: string; bytes: number };
}

const ENTRY_NAME = /^(\d{12})-([A-Za-z0-9._-]+)\.json$/;
const QUARANTINE_KEEP = 20;

/**
 * Reports are named `<sequence>-<reportId>.json`, so a folder listing is the send order.
 * Every report carries the device's full state, so an older report is superseded by any newer
 * one: when the spool is over its limit the oldest go first and the newest is always kept.
 */
export class Spool {
  readonly dir: string;
  private readonly quarantineDir: string;

  constructor(
    stateDir: string,
    private readonly limitBytes: number,
    private readonly log: AgentLogger,
  ) {
    this.dir = join(stateDir, 'spool');
    this.quarantineDir = join(this.dir, 'quarantine');
    mkdirSync(this.dir, { recursive: true });
    const swept = sweepTempFiles(this.dir);
    if (swept > 0) log.info({ swept }, 'removed unfinished spool writes left by an interrupted run');
  }

  entries(): SpoolEntry[] {
    const entries: SpoolEntry[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = ENTRY_NAME.exec(name);
      if (!match) continue;
      let bytes: number;
      try {
        bytes = statSync(join(this.dir, name)).size;
      } catch {
        continue; // removed meanwhile
      }
      entries.push({ name, sequence: Number(match[1]), reportId: match[2] ?? '', bytes });
    }
    return entries.sort((a, b) => a.sequence - b.sequence || a.name.localeCompare(b.name));
  }

  /** Highest sequence on disk, so a crash between spooling and saving state never reuses a number. */
  maxSequence(): number {
    return this.entries().reduce((max, entry) => Math.max(max, entry.sequence), -1);
  }

  totalBytes(): number {
    return this.entries().reduce((sum, entry) => sum + entry.bytes, 0);
  }

  /** Durably stores a report (temp + fsync + rename), then trims the oldest superseded ones. */
  put(report: Report, sequence: number): SpoolEntry {
    if (!/^[A-Za-z0-9._-]+$/.test(report.reportId)) throw new Error(`reportId '${report.reportId}' is not file-name safe`);
    const name = `${String(sequence).padStart(12, '0')}-${report.reportId}.json`;
    const body = JSON.stringify(report);
    writeFileAtomic(join(this.dir, name), body);
    const entry = { name, sequence, reportId: report.reportId, bytes: Buffer.byteLength(body) };
    this.enforceLimit(entry);
    return entry;
  }

  private enforceLimit(newest: SpoolEntry): void {
    const entries = this.entries();
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    const dropped: string[] = [];
    for (const entry of entries) {
      if (total <= this.limitBytes) break;
      if (entry.name === newest.name) continue;
      rmSync(join(this.dir, entry.name), { force: true });
      total -= entry.bytes;
      dropped.push(entry.reportId);
    }
    if (dropped.length > 0) {
      this.log.warn({ dropped: dropped.length, limitBytes: this.limitBytes }, 'spool full: dropped the oldest superseded reports');
    }
    if (total > this.limitBytes) {
      this.log.warn({ bytes: newest.bytes, limitBytes: this.limitBytes }, 'newest report alone exceeds the spool limit; kept anyway');
    }
  }

  /**
   * A spooled report ready to be streamed to the server, never read into memory whole. A file that
   * is no longer its whole report (disk damage, manual edits: it does not open as the JSON object of
   * the report its name gives, or does not close) is moved to `spool/quarantine/` with a warning
   * and null is returned, so the rest of the queue still ships. The agent only forwards these bytes,
   * so they are not checked against Report v1 here: the server does that, and its 400 sets a file
   * damaged in the middle aside too.
   */
  read(entry: SpoolEntry): SpooledReport | null {
    const file = join(this.dir, entry.name);
    let ends: { head: string; tail: string; bytes: number };
    try {
      ends = fileEnds(file);
    } catch {
      return null;
    }
    const damage = damageOf(entry, ends);
    if (damage !== null) {
      this.quarantine(entry, damage);
      return null;
    }
    return { entry, body: { file, bytes: ends.bytes } };
  }

  remove(entry: SpoolEntry): void {
    rmSync(join(this.dir, entry.name), { force: true });
  }

  /** Sets aside a report the server rejected for good, so it stops blocking the queue. */
  quarantine(entry: SpoolEntry, reason: string): void {
    mkdirSync(this.quarantineDir, { recursive: true });
    try {
      renameSync(join(this.dir, entry.name), join(this.quarantineDir, entry.name));
    } catch {
      rmSync(join(this.dir, entry.name), { force: true });
    }
    this.log.warn({ file: entry.name, reason }, 'spooled report skipped and moved to spool/quarantine');
    const kept = readdirSync(this.quarantineDir).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - QUARANTINE_KEEP))) rmSync(join(this.quarantineDir, old), { force: true });
  }
}

/** The start of a spooled report holds its top-level `reportId` (the agent writes it second). */
const HEAD_BYTES = 1024;
const TAIL_BYTES = 64;

/** Why a spool file is not the whole report its name gives, or null when it is. */
function damageOf(entry: SpoolEntry, ends: { head: string; tail: string }): string | null {
  if (!/^\s*\{/.test(ends.head)) return 'not a JSON object';
  const reportId = /"reportId":"([A-Za-z0-9._:-]+)"/.exec(ends.head)?.[1];
  if (reportId === undefined) return 'no reportId at its start';
  if (reportId !== entry.reportId) return `not the report its name says (reportId "${reportId}")`;
  if (!/\}\s*$/.test(ends.tail)) return 'not a whole JSON document (cut short)';
  return null;
}

/** The first and last bytes of a file, as text, and its size. */
function fileEnds(path: string): { head: string; tail: string; bytes: number } {
  const fd = openSync(path, 'r');
  try {
    const bytes = statSync(path).size;
    const head = Buffer.alloc(Math.min(HEAD_BYTES, bytes));
    const tail = Buffer.alloc(Math.min(TAIL_BYTES, bytes));
    readSync(fd, head, 0, head.length, 0);
    readSync(fd, tail, 0, tail.length, bytes - tail.length);
    return { head: head.toString('utf8'), tail: tail.toString('utf8'), bytes };
  } finally {
    closeSync(fd);
  }
}
