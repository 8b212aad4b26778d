// Accumulates parsed facts, keyed so re-reading the same bytes never double-counts, and bounded in size.
import type { UpdateCatalog } from '../protocol/catalog';
import type { CorruptionRecord, FailureRecord, PackageRecord, PackageState, ScanRecord } from '../protocol/report';
import { corruptionSchema, failureSchema, REPORT_LIMITS, scanSchema } from '../protocol/report';
import type { z } from 'zod';
import { detach } from './framer';
import { isFailureCode } from './hresult-text';
import { kbOfPackage, rollupBuildOf } from './package-identity';
import { leftOutWarnings, NAME_FIELDS, withSafeNames, type LeftOutNames, type NameField } from './safe-names';
import type { DeviceObservation, FactSink, LogRecord, PackageMemo, PackageObservation } from './record';

/** How many of each fact a parser keeps (the newest win). Smaller than the report limits so snapshots stay small. */
export const FACT_LIMITS = {
  packages: REPORT_LIMITS.packages,
  failures: 500,
  corruption: 2_000,
  scans: 200,
} as const;

interface PackageEntry {
  identity: string;
  kb: string | null;
  /** Null until a line names a state; such packages are not reported. */
  state: PackageState | null;
  lastResult: string | null;
  failureSource: string | null;
  lastChangeAt: string | null;
  client: string | null;
  /** Local wall-clock of the newest line applied (`YYYY-MM-DDTHH:MM:SS`), '' for time-less lines. */
  seen: string;
  /** Target state of the failed attempt while state is Failed. */
  failedTarget: string | null;
}

/** A package entry with its `seen` clock as a number, which compares far faster than the text. */
interface StoredEntry extends PackageEntry {
  /** clockOrder(seen), or UNREAD until first needed (a restore does not read every entry's clock). */
  seenOrder: number;
}

const UNREAD = -2;

/** Wall clock `YYYY-MM-DDTHH:MM:SS` as a number that sorts like the text; -1 for '' (no time); NaN for any other text. */
function clockOrder(seen: string): number {
  if (seen.length === 0) return -1;
  if (seen.length !== 19 || seen.charCodeAt(4) !== 45 || seen.charCodeAt(7) !== 45 || seen.charCodeAt(10) !== 84 ||
    seen.charCodeAt(13) !== 58 || seen.charCodeAt(16) !== 58) {
    return NaN;
  }
  let order = 0;
  for (let i = 0; i < 19; i++) {
    if (i === 4 || i === 7 || i === 10 || i === 13 || i === 16) continue;
    const digit = seen.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    order = order * 10 + digit;
  }
  return order;
}

/** Built field by field, so every entry (new or restored from JSON) has the same object shape. */
function storedEntry(entry: PackageEntry): StoredEntry {
  return {
    identity: entry.identity, kb: entry.kb, state: entry.state, lastResult: entry.lastResult, failureSource: entry.failureSource,
    lastChangeAt: entry.lastChangeAt, client: entry.client, seen: entry.seen, failedTarget: entry.failedTarget,
    seenOrder: UNREAD,
  };
}

/** Fields of a package row, in order, separated by `|`. */
const ROW_FIELDS = ['identity', 'kb', 'state', 'lastResult', 'failureSource', 'lastChangeAt', 'client', 'seen', 'failedTarget'] as const;

/** A field of a row: null is empty, '' is `%`, and `%` and `|` in text are written `%25` and `%7C`. */
function rowField(value: string | null): string {
  if (value === null) return '';
  if (value === '') return '%';
  return value.includes('%') || value.includes('|') ? value.replace(/%/g, '%25').replace(/\|/g, '%7C') : value;
}

function fieldOfRow(field: string | undefined): string | null {
  if (field === undefined || field === '') return null;
  if (field === '%') return '';
  return field.includes('%') ? field.replace(/%7C/g, '|').replace(/%25/g, '%') : field;
}

function packageRow(entry: PackageEntry): string {
  return ROW_FIELDS.map((field) => rowField(entry[field])).join('|');
}

/**
 * Reads a row's fields one after another, each as `fieldOfRow` gives it, without cutting the row into
 * an array first; a row without `%` has no escapes, so its fields need no check each.
 */
class RowFields {
  private row = '';
  private at = 0;
  private escaped = false;

  of(row: string): this {
    this.row = row;
    this.at = 0;
    this.escaped = row.includes('%');
    return this;
  }

  /** The next field (past the end of a short row: null). */
  next(): string | null {
    const row = this.row;
    const at = this.at;
    if (at > row.length) return null;
    const bar = row.indexOf('|', at);
    const end = bar === -1 ? row.length : bar;
    this.at = end + 1;
    if (end === at) return null;
    return this.escaped ? fieldOfRow(row.slice(at, end)) : row.slice(at, end);
  }
}

/** One reader for every row: rows are read one at a time, start to end. */
const rowFields = new RowFields();

/** The entry a restored row stands for, once a line names its package. */
function storedEntryOfRow(row: string): StoredEntry {
  const fields = rowFields.of(row);
  const identity = fields.next() ?? '';
  const kb = fields.next();
  const state = fields.next() as PackageState | null;
  const lastResult = fields.next();
  const failureSource = fields.next();
  const lastChangeAt = fields.next();
  const client = fields.next();
  const seen = fields.next() ?? '';
  const failedTarget = fields.next();
  return { identity, kb, state, lastResult, failureSource, lastChangeAt, client, seen, failedTarget, seenOrder: UNREAD };
}

/** The reported fields of a row (the first seven), or null when it names no state (not reported); the clock fields are not read. */
function recordOfRow(row: string): PackageRecord | null {
  const fields = rowFields.of(row);
  const identity = fields.next() ?? '';
  const kb = fields.next();
  const state = fields.next() as PackageState | null;
  if (!state) return null;
  const lastResult = fields.next();
  const failureSource = fields.next();
  const lastChangeAt = fields.next();
  const client = fields.next();
  return { identity, kb, state, lastResult, failureSource, lastChangeAt, client };
}

function identityOfRow(row: string): string {
  return rowFields.of(row).next() ?? '';
}

/** Whether a line seen at `seen` (`order` its clockOrder) is older than what the entry already holds. */
function isOlder(seen: string, order: number, entry: StoredEntry): boolean {
  if (entry.seenOrder === UNREAD) entry.seenOrder = clockOrder(entry.seen);
  const held = entry.seenOrder;
  // Both numbers when both are wall clocks (or empty); text comparison otherwise, as before.
  return order === order && held === held ? order < held : seen < entry.seen;
}

export interface FactStoreState {
  /** Entries as objects (snapshots before `packageRows` existed; still read). */
  packages: PackageEntry[];
  /**
   * Entries as compact rows (`packageRow`): a third smaller than objects in JSON, read by a restored
   * store only when a line names the package, and written back unchanged when none did.
   */
  packageRows?: string[];
  failures: FailureRecord[];
  corruption: CorruptionRecord[];
  scans: ScanRecord[];
  servicingStack: { version: string; seen: string } | null;
  unrecognizedLines: number;
  /** Corruption names left out for breaking the naming rules, per field (absent in older snapshots). */
  leftOutNames?: LeftOutNames;
}

/** Local wall-clock part of an ISO timestamp, comparable as text whatever offset was known when it was made. */
function wallClock(at: string | null | undefined): string {
  return at ? at.slice(0, 19) : '';
}

/**
 * The sink is where handler output becomes report data, so it is checked here, once. A string over
 * its schema limit is cut to fit (an over-long log field must not cost the whole report); anything
 * else invalid is dropped and reported.
 */
function admit<T>(schema: z.ZodType<T>, fact: T, onRejected: ((reason: string) => void) | undefined): T | null {
  let result = schema.safeParse(fact);
  if (result.success) return result.data;
  const fitted = { ...(fact as Record<string, unknown>) };
  for (const issue of result.error.issues) {
    const [field] = issue.path;
    if (issue.code === 'too_big' && issue.origin === 'string' && issue.path.length === 1 && typeof fitted[field as string] === 'string') {
      fitted[field as string] = (fitted[field as string] as string).slice(0, Number(issue.maximum));
    }
  }
  result = schema.safeParse(fitted);
  if (result.success) return result.data;
  onRejected?.(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return null;
}

/** Fresh copies of every string, so stored facts never pin the large decoded chunks they were sliced from. */
function detached<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

class BoundedMap<V> {
  readonly items = new Map<string, V>();
  constructor(private readonly limit: number) {}

  /** Inserts or replaces; beyond the limit the oldest insertion is dropped (input arrives in time order). Returns whether one was. */
  put(key: string, value: V): boolean {
    this.items.set(key, value);
    if (this.items.size <= this.limit) return false;
    const oldest = this.items.keys().next().value;
    if (oldest !== undefined) this.items.delete(oldest);
    return true;
  }
}

const failureKey = (f: FailureRecord) => `${wallClock(f.at)}|${f.package ?? ''}|${f.hresult}`;
const corruptionKey = (c: CorruptionRecord) =>
  `${wallClock(c.at)}|${c.source}|${c.family}|${c.version ?? ''}|${c.file ?? ''}|${c.kind}`;
const scanKey = (s: ScanRecord) => `${wallClock(s.at)}|${s.tool}|${s.operation}`;

export class FactStore implements FactSink {
  /** Entries by identity; a restored entry stays its snapshot row until a line names the package. */
  private readonly packages = new BoundedMap<StoredEntry | string>(FACT_LIMITS.packages);
  private readonly failures = new BoundedMap<FailureRecord>(FACT_LIMITS.failures);
  private readonly corruption = new BoundedMap<CorruptionRecord>(FACT_LIMITS.corruption);
  private readonly scans = new BoundedMap<ScanRecord>(FACT_LIMITS.scans);
  private servicingStack: { version: string; seen: string } | null = null;
  /** The last observation time, its wall clock and that clock's order: consecutive lines mostly share their second. */
  private lastAt: string | null = null;
  private lastSeen = '';
  private lastOrder = -1;
  /** Entries that have left `packages` (the oldest, beyond the limit): a memo made before one left is not trusted. */
  private departures = 0;
  unrecognizedLines = 0;
  private leftOutNames: LeftOutNames = {};
  private readonly noteLeftOut = (field: NameField) => {
    this.leftOutNames[field] = (this.leftOutNames[field] ?? 0) + 1;
  };

  /** `onRejected` hears about facts a handler built that no report could carry. */
  constructor(
    private readonly catalog: UpdateCatalog,
    private readonly onRejected?: (reason: string) => void,
  ) {}

  addFailure(failure: FailureRecord): void {
    const admitted = admit(failureSchema, failure, this.onRejected);
    if (!admitted) return;
    const copy = detached(admitted);
    this.failures.put(failureKey(copy), copy);
    if (!copy.package) return;
    const entry = this.entryFor(copy.package);
    const seen = wallClock(copy.at);
    const order = clockOrder(seen);
    if (isOlder(seen, order, entry)) return;
    entry.seen = seen;
    entry.seenOrder = order;
    entry.state = 'Failed';
    entry.kb ??= copy.kb;
    entry.lastResult = copy.hresult;
    entry.failureSource = copy.failureSource;
    entry.failedTarget = copy.targetState;
    entry.lastChangeAt = copy.at;
    entry.client = copy.client ?? entry.client;
  }

  addCorruption(corruption: CorruptionRecord): void {
    const admitted = admit(corruptionSchema, withSafeNames(corruption, this.noteLeftOut), this.onRejected);
    if (!admitted) return;
    const copy = detached(admitted);
    this.corruption.put(corruptionKey(copy), copy);
  }

  addScan(scan: ScanRecord): void {
    const admitted = admit(scanSchema, scan, this.onRejected);
    if (!admitted) return;
    const copy = detached(admitted);
    this.scans.put(scanKey(copy), copy);
  }

  unrecognized(_record: LogRecord): void {
    this.unrecognizedLines++;
  }

  observePackage(observation: PackageObservation, memo?: PackageMemo): void {
    const entry = this.rememberedEntry(observation.identity, memo);
    if (observation.kb && !entry.kb) entry.kb = observation.kb;
    if (observation.at !== this.lastAt) {
      this.lastAt = observation.at;
      this.lastSeen = wallClock(observation.at);
      this.lastOrder = clockOrder(this.lastSeen);
    }
    const seen = this.lastSeen;
    const order = this.lastOrder;
    // An older line read again (re-read after rotation): the newer fact stands.
    if (isOlder(seen, order, entry)) return;
    const failed = observation.result ? isFailureCode(observation.result) : false;
    if (observation.weight === 'observed') {
      if (!observation.state) return;
      if (entry.state === 'Failed' && observation.state !== entry.failedTarget) return;
      entry.seen = seen;
      entry.seenOrder = order;
      if (entry.state !== observation.state) entry.lastChangeAt = observation.at;
      entry.state = observation.state;
      entry.failedTarget = null;
      return;
    }
    entry.seen = seen;
    entry.seenOrder = order;
    entry.lastChangeAt = observation.at;
    if (observation.client && observation.client !== entry.client) entry.client = detach(observation.client);
    if (failed) {
      entry.state = 'Failed';
      entry.lastResult = observation.result ?? null;
      entry.failureSource = observation.failureSource ?? null;
      entry.failedTarget = observation.targetState ?? null;
      return;
    }
    if (observation.result) {
      entry.lastResult = observation.result;
      entry.failureSource = null;
    }
    if (observation.state) {
      entry.state = observation.state;
      entry.failedTarget = null;
    }
  }

  observeDevice(observation: DeviceObservation): void {
    if (!observation.servicingStack) return;
    const seen = wallClock(observation.at);
    if (this.servicingStack && seen < this.servicingStack.seen) return;
    this.servicingStack = { version: detached(observation.servicingStack), seen };
  }

  /** Packages that have a state; a restored row is read for the call, not kept (so it is saved again as it came). */
  packageRecords(): PackageRecord[] {
    const out: PackageRecord[] = [];
    for (const entry of this.packages.items.values()) {
      if (typeof entry === 'string') {
        const record = recordOfRow(entry);
        if (record) out.push(record);
        continue;
      }
      if (!entry.state) continue;
      out.push({
        identity: entry.identity,
        kb: entry.kb,
        state: entry.state,
        lastResult: entry.lastResult,
        failureSource: entry.failureSource,
        lastChangeAt: entry.lastChangeAt,
        client: entry.client,
      });
    }
    return out;
  }

  failureRecords(): FailureRecord[] {
    return [...this.failures.items.values()];
  }

  corruptionRecords(): CorruptionRecord[] {
    return [...this.corruption.items.values()];
  }

  scanRecords(): ScanRecord[] {
    return [...this.scans.items.values()];
  }

  servicingStackVersion(): string | undefined {
    return this.servicingStack?.version;
  }

  /**
   * `major.revision` of the newest installed cumulative update (`Package_for_RollupFix~…~~19041.4894.1.9`
   * → `19041.4894`). For the Windows 10 2004–22H2 family CBS always prints 19041, whatever the
   * marketed build (19045); the agent replaces it with the registry's build when it has one.
   * `packages`: this store's `packageRecords()`, when the caller has them already.
   */
  osBuild(packages: PackageRecord[] = this.packageRecords()): string | undefined {
    let best: { major: number; revision: number } | null = null;
    for (const { identity, state } of packages) {
      if (state !== 'Installed' && state !== 'Permanent') continue;
      const build = rollupBuildOf(identity);
      if (build && (!best || build.major > best.major || (build.major === best.major && build.revision > best.revision))) best = build;
    }
    return best ? `${best.major}.${best.revision}` : undefined;
  }

  snapshot(): FactStoreState {
    return {
      packages: [],
      packageRows: Array.from(this.packages.items.values(), (value) => (typeof value === 'string' ? value : packageRow(value))),
      failures: this.failureRecords(),
      corruption: this.corruptionRecords(),
      scans: this.scanRecords(),
      servicingStack: this.servicingStack,
      unrecognizedLines: this.unrecognizedLines,
      leftOutNames: { ...this.leftOutNames },
    };
  }

  /** Parse warnings: what was left out of the facts and why (see `safe-names.ts`). */
  warnings(): string[] {
    return leftOutWarnings(this.leftOutNames);
  }

  restore(state: FactStoreState): void {
    this.departures++;
    for (const entry of state.packages) this.packages.put(entry.identity, storedEntry(entry));
    for (const row of state.packageRows ?? []) this.packages.put(identityOfRow(row), row);
    for (const failure of state.failures) this.failures.put(failureKey(failure), failure);
    // A snapshot written before the naming rules may hold names they refuse: the same rules apply on the way back in.
    for (const stored of state.corruption) {
      const item = withSafeNames(stored, this.noteLeftOut);
      this.corruption.put(corruptionKey(item), item);
    }
    for (const scan of state.scans) this.scans.put(scanKey(scan), scan);
    this.servicingStack = state.servicingStack;
    this.unrecognizedLines = state.unrecognizedLines;
    for (const field of NAME_FIELDS) {
      const count = state.leftOutNames?.[field];
      if (typeof count === 'number' && Number.isInteger(count) && count > 0) this.leftOutNames[field] = (this.leftOutNames[field] ?? 0) + count;
    }
  }

  /** `entryFor(identity)`, through a memo that held it before when it still can (no entry has left since). */
  private rememberedEntry(identity: string, memo: PackageMemo | undefined): StoredEntry {
    const held = memo?.slot;
    if (held instanceof EntryHandle && held.store === this && held.departures === this.departures) return held.entry;
    const entry = this.entryFor(identity);
    if (memo) memo.slot = new EntryHandle(this, entry, this.departures);
    return entry;
  }

  private entryFor(identity: string): StoredEntry {
    let entry = this.packages.items.get(identity);
    if (typeof entry === 'string') {
      entry = storedEntryOfRow(entry);
      this.packages.items.set(identity, entry);
    } else if (!entry) {
      const clean = detached(identity);
      entry = storedEntry({
        identity: clean, kb: kbOfPackage(clean, this.catalog), state: null, lastResult: null, failureSource: null,
        lastChangeAt: null, client: null, seen: '', failedTarget: null,
      });
      // The oldest entry made room: a memo may hold it, so every memo is checked afresh.
      if (this.packages.put(clean, entry)) this.departures++;
    }
    return entry;
  }
}

/** A store's handle on one entry, kept in a caller's memo; good while no entry has left the store since. */
class EntryHandle {
  constructor(
    readonly store: FactStore,
    readonly entry: StoredEntry,
    readonly departures: number,
  ) {}
}
