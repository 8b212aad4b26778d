// The on-disk outbox: every report is fsynced here before any send and removed only after the server acknowledges it.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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

/** A spooled report ready to send: the exact bytes on disk. */
export interface SpooledReport {
  entry: SpoolEntry;
  body: string;
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
   * Reads a spooled report. A file that is no longer one whole JSON document of its own report
   * (disk damage, manual edits) is moved to `spool/quarantine/` with a warning and null is returned,
   * so the rest of the queue still ships. The agent only forwards these bytes, so they are not
   * checked against Report v1 here (the server does that, and a 400 sets the file aside too).
   */
  read(entry: SpoolEntry): SpooledReport | null {
    let body: string;
    try {
      body = readFileSync(join(this.dir, entry.name), 'utf8');
    } catch {
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      this.quarantine(entry, 'not valid JSON');
      return null;
    }
    const reportId = typeof json === 'object' && json !== null ? (json as Partial<Report>).reportId : undefined;
    if (reportId !== entry.reportId) {
      this.quarantine(entry, `not the report its name says (reportId ${JSON.stringify(reportId ?? null)})`);
      return null;
    }
    return { entry, body };
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
