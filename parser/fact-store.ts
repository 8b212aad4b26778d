// Accumulates parsed facts, keyed so re-reading the same bytes never double-counts, and bounded in size.
import type { UpdateCatalog } from '../protocol/catalog';
import type { CorruptionRecord, FailureRecord, PackageRecord, PackageState, ScanRecord } from '../protocol/report';
import { corruptionSchema, failureSchema, REPORT_LIMITS, scanSchema } from '../protocol/report';
import type { z } from 'zod';
import { detach } from './framer';
import { isFailureCode } from './hresult-text';
import { kbOfPackage, rollupBuildOf } from './package-identity';
import { leftOutWarnings, NAME_FIELDS, withSafeNames, type LeftOutNames, type NameField } from './safe-names';
import type { DeviceObservation, FactSink, LogRecord, PackageObservation } from './record';

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

/** Fields of a package row, in order, separated by `|`. */
const ROW_FIELDS = ['identity', 'kb', 'state', 'lastResult', 'failureSource', 'lastChangeAt', 'client', 'seen', 'failedTarget'] as const;

/** A field of a row: null is empty, '' is `%`, and `%` and `|` in text are written `%25` and `%7C`. */
function rowField(value: string | null): string {
  if (value === null) return '';
  if (value === '') return '%';
  return value.includes('%') || value.includes('|') ? value.replace(/%/g, '%25').replace(/\|/g, '%7C') : value;
}

function fieldOfRow(field: string): string | null {
  if (field === '') return null;
  if (field === '%') return '';
  return field.includes('%') ? field.replace(/%7C/g, '|').replace(/%25/g, '%') : field;
}

function packageRow(entry: PackageEntry): string {
  return ROW_FIELDS.map((field) => rowField(entry[field])).join('|');
}

/** Reads a row's fields one after another, as `fieldOfRow` gives them (past the end of a short row: null). */
function rowReader(row: string): () => string | null {
  let at = 0;
  return () => {
    if (at > row.length) return null;
    const bar = row.indexOf('|', at);
    const end = bar === -1 ? row.length : bar;
    const field = row.slice(at, end);
    at = end + 1;
    return fieldOfRow(field);
  };
}

/** The entry a row stands for. */
function entryOfRow(row: string): PackageEntry {
  const next = rowReader(row);
  const identity = next() ?? '';
  const kb = next();
  const state = next() as PackageState | null;
  const lastResult = next();
  const failureSource = next();
  const lastChangeAt = next();
  const client = next();
  const seen = next() ?? '';
  const failedTarget = next();
  return { identity, kb, state, lastResult, failureSource, lastChangeAt, client, seen, failedTarget };
}

function identityOfRow(row: string): string {
  return rowReader(row)() ?? '';
}

/** The reported fields of an entry, or null when it names no state (not reported). */
function recordOf(entry: PackageEntry): PackageRecord | null {
  if (!entry.state) return null;
  const { identity, kb, state, lastResult, failureSource, lastChangeAt, client } = entry;
  return { identity, kb, state, lastResult, failureSource, lastChangeAt, client };
}

export interface FactStoreState {
  /** Entries as objects (snapshots before `packageRows` existed; still read). */
  packages: PackageEntry[];
  /**
   * Entries as compact rows (`packageRow`): much smaller than objects in JSON, read by a restored
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

  /** Inserts or replaces; beyond the limit the oldest insertion is dropped (input arrives in time order). */
  put(key: string, value: V): void {
    this.items.set(key, value);
    if (this.items.size <= this.limit) return;
    const oldest = this.items.keys().next().value;
    if (oldest !== undefined) this.items.delete(oldest);
  }
}

const failureKey = (f: FailureRecord) => `${wallClock(f.at)}|${f.package ?? ''}|${f.hresult}`;
const corruptionKey = (c: CorruptionRecord) =>
  `${wallClock(c.at)}|${c.source}|${c.family}|${c.version ?? ''}|${c.file ?? ''}|${c.kind}`;
const scanKey = (s: ScanRecord) => `${wallClock(s.at)}|${s.tool}|${s.operation}`;

export class FactStore implements FactSink {
  /** Entries by identity; a restored entry stays its snapshot row until a line names the package. */
  private readonly packages = new BoundedMap<PackageEntry | string>(FACT_LIMITS.packages);
  private readonly failures = new BoundedMap<FailureRecord>(FACT_LIMITS.failures);
  private readonly corruption = new BoundedMap<CorruptionRecord>(FACT_LIMITS.corruption);
  private readonly scans = new BoundedMap<ScanRecord>(FACT_LIMITS.scans);
  private servicingStack: { version: string; seen: string } | null = null;
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
    if (seen < entry.seen) return;
    entry.seen = seen;
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

  observePackage(observation: PackageObservation): void {
    const entry = this.entryFor(observation.identity);
    if (observation.kb && !entry.kb) entry.kb = observation.kb;
    const seen = wallClock(observation.at);
    // An older line read again (re-read after rotation): the newer fact stands.
    if (seen < entry.seen) return;
    const failed = observation.result ? isFailureCode(observation.result) : false;
    if (observation.weight === 'observed') {
      if (!observation.state) return;
      if (entry.state === 'Failed' && observation.state !== entry.failedTarget) return;
      entry.seen = seen;
      if (entry.state !== observation.state) entry.lastChangeAt = observation.at;
      entry.state = observation.state;
      entry.failedTarget = null;
      return;
    }
    entry.seen = seen;
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
      const record = recordOf(typeof entry === 'string' ? entryOfRow(entry) : entry);
      if (record) out.push(record);
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
    for (const entry of state.packages) this.packages.put(entry.identity, entry);
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

  private entryFor(identity: string): PackageEntry {
    let entry = this.packages.items.get(identity);
    if (typeof entry === 'string') {
      entry = entryOfRow(entry);
      this.packages.items.set(identity, entry);
    } else if (!entry) {
      const clean = detached(identity);
      entry = {
        identity: clean, kb: kbOfPackage(clean, this.catalog), state: null, lastResult: null, failureSource: null,
        lastChangeAt: null, client: null, seen: '', failedTarget: null,
      };
      this.packages.put(clean, entry);
    }
    return entry;
  }
}
