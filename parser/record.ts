// The unit the servicing-log parser works on: one logical record (head line + continuation lines),
// and the interfaces that family handlers use to turn records into Report v1 facts.
import type { CorruptionRecord, FailureRecord, PackageState, ScanRecord } from '../protocol/report';
import type { UpdateCatalog } from '../protocol/catalog';

/** Which grammar a file follows: CBS.log / CbsPersist_*.log, or Win7 CheckSUR.log (no line heads). */
export type LogKind = 'cbs' | 'checksur';

/**
 * One logical record. A physical line that starts with a line head (`YYYY-MM-DD HH:MM:SS, Level …`,
 * or a paste that lost the timestamp: `, Error …`) opens a record; every other physical line is a
 * continuation of the record before it (installer details, ` Expected:`, `[gle=…]`, `CSIPERF:`,
 * the 14393 unprefixed SUR block). A head line whose CSI message does not begin with an 8-hex
 * sequence number is also a continuation (CSI records re-split mid-token).
 * In CheckSUR.log every physical line is its own record with `time` null.
 */
export interface LogRecord {
  /** Local wall-clock time of the head, `YYYY-MM-DD HH:MM:SS`; null when the line has none. */
  time: string | null;
  /** `Info`, `Warning`, `Error` (others kept verbatim); null without a head. */
  level: string | null;
  /** `0x01806a` from `Error      [0x01806a] CSI`, else null. */
  messageId: string | null;
  /** `CBS`, `CSI`, `DISM`, `DEPLOY`, `DPX`, `MOUPG`, `SP`, …; '' when the column is blank. */
  component: string;
  /** CSI sequence number (8 hex digits) when the message starts with one. */
  csiSequence: string | null;
  /** CSI inline UTC stamp `YYYY/M/D:HH:MM:SS.mmm` after `seq@`, when present. */
  csiUtc: string | null;
  /** The message after the head (and after the CSI sequence/stamp), trailing whitespace removed. */
  text: string;
  /** Continuation physical lines in order, CR removed, otherwise verbatim. */
  continuation: string[];
  /** The head physical line verbatim (CR removed), for evidence. */
  raw: string;
  /** File the record came from (base name) and 1-based physical line number of its head. */
  file: string;
  line: number;
}

/** Where handlers put what they find. Implemented by the report builder. */
export interface FactSink {
  addFailure(failure: FailureRecord): void;
  addCorruption(corruption: CorruptionRecord): void;
  addScan(scan: ScanRecord): void;
  /** Counts a record no handler understood (feeds `parse.unrecognizedLines`). */
  unrecognized(record: LogRecord): void;
  /** What a CBS line says about one package (optional so minimal sinks in tests need not implement it). */
  observePackage?(observation: PackageObservation): void;
  /** Device facts the log reveals (servicing stack version). */
  observeDevice?(observation: DeviceObservation): void;
}

/**
 * One package fact from one line. `weight` decides how it combines with what is known:
 * an `attempt` line (package change / completion, Exec: staging) replaces the state, even `Failed`;
 * an `observed` line (cached applicability read-out, "already in the correct state") does not clear
 * `Failed` unless it shows the package reached the state the failed attempt was heading for.
 */
export interface PackageObservation {
  identity: string;
  /** ISO timestamp of the line, or null for time-less pastes. */
  at: string | null;
  /** The CBS state word the line reports; null when it names none. */
  state: Exclude<PackageState, 'Failed'> | null;
  weight: 'attempt' | 'observed';
  /** Status the line reports (normalised), when it reports one. */
  result?: string | null;
  failureSource?: string | null;
  /** Where the attempt was heading (`target:`), used to decide when a failure is superseded. */
  targetState?: string | null;
  client?: string | null;
  /** A KB the line names for the package (`Update: 4462926-…`, `Identifier: KB…`). */
  kb?: string | null;
}

export interface DeviceObservation {
  at: string | null;
  servicingStack?: string;
}

/** Read-only context handed to every handler. */
export interface ParseContext {
  catalog: UpdateCatalog;
  /**
   * ISO 8601 timestamp for a record: its local time plus the UTC offset when the log has revealed
   * it (CSI `@` stamps, `Universal Time is:`) or the caller supplied it. Falls back to the time of
   * the last record that had one, and to the file's first time for prefix-less formats.
   */
  timestampOf(record: LogRecord): string;
}

/**
 * A family handler. `handle` returns true when it consumed the record (the dispatcher then stops),
 * false to let other handlers look at it. Stateful handlers (SUR block, SFC run, failure chains)
 * keep their open state in `snapshot()` so an incremental pass can resume mid-block; `flush` is
 * called at the end of input (`final` true for a one-shot scan, false when more bytes may follow).
 */
export interface RecordHandler<State = unknown> {
  readonly name: string;
  handle(record: LogRecord, context: ParseContext, sink: FactSink): boolean;
  flush(context: ParseContext, sink: FactSink, final: boolean): void;
  snapshot(): State;
  restore(state: State): void;
}

/** Evidence is at most five raw lines, each capped, as Report v1 requires. */
export function evidenceOf(record: LogRecord, max = 5): string[] {
  const lines = [record.raw, ...record.continuation].filter((line) => line.trim().length > 0);
  const picked = lines.length > 0 ? lines.slice(0, max) : [record.raw || record.text || '(empty)'];
  return picked.map((line) => (line.length > 2_000 ? line.slice(0, 1_997) + '...' : line));
}
