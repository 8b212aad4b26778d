// ServicingLogParser: bytes in (any chunking), Report v1 facts out; resumable through a bounded snapshot.
import { updateCatalog, type UpdateCatalog } from '../protocol/catalog';
import type { CorruptionRecord, FailureRecord, PackageRecord, ParseStats, ScanRecord } from '../protocol/report';
import { REPORT_LIMITS } from '../protocol/report';
import { csiStampMillis, isoTimestamp, offsetMinutesBetween, universalTimeMillis, wallClockMillis } from './clock';
import { FactStore, type FactStoreState } from './fact-store';
import type { FramedSink } from './framed-batch';
import { RecordFramer, type FramerState } from './framer';
import { createHandlers } from './handlers';
import { isToleratedUnconsumed } from './noise';
import type { LogKind, LogRecord, ParseContext, RecordHandler } from './record';

export interface ParserOptions {
  catalog?: UpdateCatalog;
  /**
   * Local-time offset from UTC in minutes when the caller knows it (the agent reads the host's zone).
   * When absent or null the parser derives it from CSI `@` stamps and `Universal Time is:` lines.
   */
  utcOffsetMinutes?: number | null;
  /**
   * Told when a handler throws on a record. Parsing goes on either way (the record counts as
   * unrecognized); tests use this to catch handler bugs that would otherwise stay silent.
   */
  onHandlerError?(error: unknown, handler: string): void;
}

export interface ParsedLogFacts {
  device: { osBuild?: string; servicingStack?: string };
  packages: PackageRecord[];
  failures: FailureRecord[];
  corruption: CorruptionRecord[];
  scans: ScanRecord[];
  parse: ParseStats;
}

interface FileStats {
  name: string;
  bytes: number;
  lines: number;
}

export interface ParserSnapshot {
  version: 1;
  framer: FramerState;
  files: FileStats[];
  /** Offset derived from the log (null until seen). */
  derivedOffsetMinutes: number | null;
  /** Newest valid local time seen, the fallback for time-less records. */
  lastTime: string | null;
  /** Fallback instant for a file with no time stamps at all (its modification time). */
  fileTime: string | null;
  /** Bytes of a UTF-8 sequence cut by the end of the last chunk. */
  utf8Carry: number[];
  handlers: Record<string, unknown>;
  facts: FactStoreState;
}

export interface BeginFileOptions {
  /** File modification time (epoch ms): the time of records in files that print none. */
  modifiedAt?: number;
  /**
   * `new` (default): another file, listed separately in `parse.files`. `resume`: an earlier pass over
   * the same file continues (counts go on). `restart`: the file is read again from its start after
   * rotation or truncation (its counts start over).
   */
  mode?: 'new' | 'resume' | 'restart';
}

const EPOCH_FALLBACK = '1980-01-01T00:00:00';

export class ServicingLogParser {
  private readonly catalog: UpdateCatalog;
  private readonly fixedOffset: number | null;
  private readonly onHandlerError: ParserOptions['onHandlerError'];
  private readonly store: FactStore;
  private readonly handlers: RecordHandler[];
  private readonly framer: RecordFramer;
  private readonly context: ParseContext;
  private files: FileStats[] = [];
  private current: FileStats | null = null;
  private derivedOffset: number | null = null;
  private lastTime: string | null = null;
  private fileTime: string | null = null;
  private checkedTime = '';
  private stampedTime = '';
  private stampedOffset: number | null = null;
  private stamped = '';
  private checkedTimeValid = false;

  constructor(options: ParserOptions = {}) {
    this.catalog = options.catalog ?? updateCatalog();
    this.fixedOffset = typeof options.utcOffsetMinutes === 'number' ? options.utcOffsetMinutes : null;
    this.onHandlerError = options.onHandlerError;
    this.store = new FactStore(this.catalog, (reason) => this.onHandlerError?.(new Error(`fact dropped: ${reason}`), 'fact-store'));
    this.handlers = createHandlers();
    this.framer = new RecordFramer({
      record: (record) => this.dispatch(record),
      clockSample: (local, stamp) => this.sampleClock(local, csiStampMillis(stamp)),
    });
    this.context = { catalog: this.catalog, timestampOf: (record) => this.timestampOf(record) };
  }

  /** Starts a file; `name` is the base name shown in `parse.files`. */
  beginFile(name: string, kind: LogKind, options: BeginFileOptions = {}): void {
    this.framer.flushCarry();
    const mode = options.mode ?? 'new';
    const previous = mode === 'new' ? undefined : this.files.find((file) => file.name === name);
    if (previous) {
      if (mode === 'restart') {
        previous.bytes = 0;
        previous.lines = 0;
      }
      this.current = previous;
    } else {
      // Another file may come from another machine or season: its zone offset is learnt afresh.
      this.derivedOffset = null;
      this.current = { name, bytes: 0, lines: 0 };
      this.files.push(this.current);
      if (this.files.length > REPORT_LIMITS.files) this.files.shift();
    }
    this.fileTime = options.modifiedAt !== undefined ? new Date(options.modifiedAt).toISOString().slice(0, 19) + 'Z' : null;
    this.framer.beginFile(name, kind, this.current.lines);
  }

  /** Feeds bytes of the current file; any chunk size, lines and UTF-8 sequences may be split anywhere. */
  write(chunk: Uint8Array): void {
    if (!this.current) this.beginFile('(input)', 'cbs');
    (this.current as FileStats).bytes += chunk.length;
    this.framer.pushBytes(chunk);
  }

  /** End of the current file's bytes: an unterminated last line is parsed as a line. */
  endFile(): void {
    this.framer.flushCarry();
    this.syncLineCount();
  }

  /**
   * Takes records framed elsewhere (a pipelined scan's worker) for the files `names`: the same steps
   * as `beginFile`, `write` and `endFile` on those files, with the framing already done.
   */
  framedInput(names: string[]): Omit<FramedSink, 'progress'> {
    return {
      // Handlers read `raw` while they handle a record, never later.
      rawOnDemand: true,
      beginFile: (index, kind, modifiedAt) => this.beginFile(names[index] as string, kind, { modifiedAt }),
      record: (record) => this.dispatch(record),
      clockSample: (local, stamp) => this.sampleClock(local, csiStampMillis(stamp)),
      endFile: (bytes, lines) => {
        if (this.current) this.current.bytes += bytes;
        this.framer.lineCount = lines;
        this.syncLineCount();
      },
    };
  }

  /**
   * Forgets the unterminated last line (and `bytes` of it from the stats) without parsing it: the
   * caller will read it again, complete, on its next pass.
   */
  dropUnterminatedLine(bytes: number): void {
    this.framer.takeCarry();
    if (this.current) this.current.bytes = Math.max(0, this.current.bytes - bytes);
  }

  /**
   * The facts so far. `final` closes open records and blocks (a one-shot scan); without it, open
   * state stays open so appended bytes can still complete it.
   */
  result(final: boolean): ParsedLogFacts {
    if (final) {
      this.endFile();
      this.framer.flushPending();
    }
    for (const handler of this.handlers) {
      try {
        handler.flush(this.context, this.store, final);
      } catch (error) {
        // A handler bug must not lose what every other handler found.
        this.onHandlerError?.(error, handler.name);
      }
    }
    this.syncLineCount();
    const device: ParsedLogFacts['device'] = {};
    const packages = this.store.packageRecords();
    const osBuild = this.store.osBuild(packages);
    const servicingStack = this.store.servicingStackVersion();
    if (osBuild) device.osBuild = osBuild;
    if (servicingStack) device.servicingStack = servicingStack;
    return {
      device,
      packages,
      failures: this.store.failureRecords(),
      corruption: this.store.corruptionRecords(),
      scans: this.store.scanRecords(),
      parse: this.parseStats(),
    };
  }

  private parseStats(): ParseStats {
    const stats: ParseStats = { files: this.files.map((file) => ({ ...file })), unrecognizedLines: this.store.unrecognizedLines };
    const warnings = this.store.warnings();
    if (warnings.length > 0) stats.warnings = warnings;
    return stats;
  }

  /** JSON-serialisable state: facts so far, open records and blocks, file positions. */
  snapshot(): ParserSnapshot {
    this.syncLineCount();
    const handlers: Record<string, unknown> = {};
    for (const handler of this.handlers) handlers[handler.name] = handler.snapshot();
    return {
      version: 1,
      framer: this.framer.snapshot(),
      files: this.files.map((file) => ({ ...file })),
      derivedOffsetMinutes: this.derivedOffset,
      lastTime: this.lastTime,
      fileTime: this.fileTime,
      utf8Carry: this.framer.cutSequence(),
      handlers,
      facts: this.store.snapshot(),
    };
  }

  static restore(snapshot: ParserSnapshot, options: ParserOptions = {}): ServicingLogParser {
    if (!snapshot || snapshot.version !== 1) throw new Error('parser snapshot has an unsupported version');
    const parser = new ServicingLogParser(options);
    parser.framer.restore(snapshot.framer, snapshot.utf8Carry);
    parser.files = snapshot.files.map((file) => ({ ...file }));
    parser.current = parser.files.find((file) => file.name === snapshot.framer.file) ?? null;
    parser.derivedOffset = snapshot.derivedOffsetMinutes;
    parser.lastTime = snapshot.lastTime;
    parser.fileTime = snapshot.fileTime;
    for (const handler of parser.handlers) {
      if (handler.name in snapshot.handlers) handler.restore(snapshot.handlers[handler.name]);
    }
    parser.store.restore(snapshot.facts);
    return parser;
  }

  private syncLineCount(): void {
    if (this.current) this.current.lines = this.framer.lineCount;
  }

  private dispatch(record: LogRecord): void {
    if (record.time !== null && record.time > (this.lastTime ?? '') && this.isValidTime(record.time)) {
      this.lastTime = record.time;
    }
    if (record.component === 'CBS' && record.text.startsWith('Universal Time is:')) {
      this.sampleClock(record.time, universalTimeMillis(record.text));
      return;
    }
    for (const handler of this.handlers) {
      try {
        if (handler.handle(record, this.context, this.store)) return;
      } catch (error) {
        // A record that trips a handler is counted as not understood; parsing goes on.
        this.onHandlerError?.(error, handler.name);
        this.store.unrecognized(record);
        return;
      }
    }
    if (!isToleratedUnconsumed(record.component, record.level, record.text)) this.store.unrecognized(record);
  }

  /** Whether a head's time is a real date; the last answer is kept, since consecutive lines share their second. */
  private isValidTime(time: string): boolean {
    if (time === this.checkedTime) return this.checkedTimeValid;
    this.checkedTime = time;
    this.checkedTimeValid = wallClockMillis(time) !== null;
    return this.checkedTimeValid;
  }

  private sampleClock(local: string | null, utcMillis: number | null): void {
    if (local === null || utcMillis === null) return;
    const localMillis = wallClockMillis(local);
    if (localMillis === null) return;
    const offset = offsetMinutesBetween(localMillis, utcMillis);
    if (offset !== null) this.derivedOffset = offset;
  }

  private timestampOf(record: LogRecord): string {
    const offset = this.fixedOffset ?? this.derivedOffset;
    if (record.time !== null && this.isValidTime(record.time)) {
      if (record.time !== this.stampedTime || offset !== this.stampedOffset) {
        this.stampedTime = record.time;
        this.stampedOffset = offset;
        this.stamped = isoTimestamp(record.time, offset);
      }
      return this.stamped;
    }
    if (this.lastTime !== null) return isoTimestamp(this.lastTime, offset);
    return this.fileTime ?? EPOCH_FALLBACK;
  }
}
