// CheckSUR.log (Windows Vista/7 System Update Readiness Tool): header, (f)/(fix) rows and the Summary, one scan per run.
import type { CorruptionRecord, ScanRecord } from '../../protocol/report';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from '../record';
import { matchRowCategory, parseRowObject, type CounterBucket, type RowCategory } from './corruption-categories';
import { corruptionOf, emptyDetected, emptyRepaired, isCheckSurRecord } from './facts';

interface CheckSurRow {
  entry: CorruptionRecord;
  category: string;
  /** Lower-case file name and identity text, for pairing a `(fix)` with its `(f)`. */
  file: string | null;
  identity: string | null;
}

interface CheckSurRun {
  /** From the header's `YYYY-MM-DD HH:MM`; null until seen. */
  at: string | null;
  /** Time of the run's first record, used when the header has no date line. */
  fallbackAt: string;
  headerSeen: boolean;
  binaryVersion: string | null;
  rows: CheckSurRow[];
  summaryLines: string[];
  summarySeen: boolean;
  unavailableFiles: string[];
  inUnavailable: boolean;
}

interface CheckSurState {
  run: CheckSurRun | null;
}

/** `(fix)` rows that do not repeat the `(f)` fields name what was done instead. */
const FIX_ACTIONS = /^(?:CBS File also Replaced|CBS File Replaced|CSI Registry Item Repaired)\s*/i;
const SECTION = /^Checking (?:Windows Servicing Packages|Package Manifests and Catalogs|Package Watchlist|Component Watchlist|Packages|Component Store)\s*$/i;

function newRun(fallbackAt: string): CheckSurRun {
  return {
    at: null, fallbackAt, headerSeen: false, binaryVersion: null, rows: [], summaryLines: [], summarySeen: false,
    unavailableFiles: [], inUnavailable: false,
  };
}

function hasContent(run: CheckSurRun): boolean {
  return run.at !== null || run.rows.length > 0 || run.summarySeen || run.binaryVersion !== null;
}

/** The category of an `(f)`/`(fix)` row; an unknown one is named by the text before its code column. */
function categoryOf(text: string): { category: RowCategory; rest: string } | null {
  const known = matchRowCategory(text);
  if (known) return known;
  const unknown = /^\s*((?:CBS|CSI)\s.*?)\s*(?=0x[0-9a-f]{8})/i.exec(text);
  if (!unknown?.[1]) return null;
  const bucket: CounterBucket = unknown[1].toUpperCase().startsWith('CBS') ? 'cbsManifest' : 'csiPayload';
  return { category: { name: unknown[1], kind: 'other', bucket }, rest: text.slice(unknown[0].length) };
}

interface SummaryCounts {
  seconds: number | null;
  found: number | null;
  fixed: number | null;
  detected: ScanRecord['detected'];
  repaired: ScanRecord['repaired'];
}

/**
 * Reads the Summary in all five shapes, line by line or flattened onto one line:
 * `Seconds executed: N`, `Found N errors`, `Fixed|Fix N errors`, `<Category> Total count|Count: N`,
 * `Fixed: <Category>. Total count: N` and `Fix <Category> Total Count: N`.
 */
export function readCheckSurSummary(text: string): SummaryCounts {
  const detected = emptyDetected();
  const repaired = emptyRepaired();
  const number = (pattern: RegExp): number | null => {
    const match = pattern.exec(text);
    return match?.[1] ? Number(match[1]) : null;
  };
  const seconds = number(/Seconds executed:\s*(\d+)/i);
  const found = number(/\bFound\s+(\d+)\s+errors?/i);
  const fixed = number(/\bFix(?:ed)?\s+(\d+)\s+errors?/i);
  let rest = text;
  const fixedCategory = /(?:\bFixed:\s*((?:CBS|CSI)\b[A-Za-z ]*?)\.\s*|\bFix\s+((?:CBS|CSI)\b[A-Za-z ]*?)\s+)Total\s+count:\s*(\d+)/gi;
  for (const match of text.matchAll(fixedCategory)) {
    const bucket = matchRowCategory(match[1] ?? match[2] ?? '')?.category.bucket;
    if (bucket === 'cbsManifest' || bucket === 'csiManifest' || bucket === 'csiPayload') repaired[bucket] += Number(match[3]);
    rest = rest.replace(match[0], ' ');
  }
  for (const match of rest.matchAll(/((?:CBS|CSI)\b[A-Za-z ]*?)\s+Total\s+count:\s*(\d+)/gi)) {
    const bucket = matchRowCategory(match[1] ?? '')?.category.bucket;
    if (bucket) detected[bucket] += Number(match[2]);
  }
  detected.total = found ?? 0;
  repaired.total = fixed ?? 0;
  return { seconds, found, fixed, detected, repaired };
}

function scanOf(run: CheckSurRun): ScanRecord | null {
  if (!run.headerSeen && !run.summarySeen) return null;
  const at = run.at ?? run.fallbackAt;
  const rowsRepaired = run.rows.filter((row) => row.entry.repaired).length;
  if (!run.summarySeen) {
    const detected = emptyDetected();
    for (const row of run.rows) {
      detected.total++;
      const bucket = matchRowCategory(row.category)?.category.bucket;
      if (bucket) detected[bucket]++;
    }
    return {
      at, tool: 'checksur', operation: 'checksur', result: null, detected,
      repaired: { ...emptyRepaired(), total: rowsRepaired }, durationSeconds: null, unrepaired: run.rows.length - rowsRepaired,
    };
  }
  const summary = readCheckSurSummary(run.summaryLines.join(' '));
  const found = summary.found ?? run.rows.length;
  return {
    at,
    tool: 'checksur',
    operation: 'checksur',
    result: null,
    detected: { ...summary.detected, total: found },
    repaired: summary.repaired,
    durationSeconds: summary.seconds,
    unrepaired: Math.max(0, found - (summary.fixed ?? 0)),
  };
}

/** Handler for CheckSUR.log / CheckSUR.persist.log (source `checksur`, scans with tool `checksur`). */
export function checkSurLogHandler(): RecordHandler<CheckSurState> {
  let state: CheckSurState = { run: null };

  function close(sink: FactSink): void {
    const run = state.run;
    state.run = null;
    if (!run) return;
    const at = run.at ?? run.fallbackAt;
    for (const row of run.rows) sink.addCorruption({ ...row.entry, at });
    const scan = scanOf(run);
    if (scan) sink.addScan(scan);
  }

  function current(context: ParseContext, record: LogRecord): CheckSurRun {
    state.run ??= newRun(context.timestampOf(record));
    return state.run;
  }

  function addRow(run: CheckSurRun, text: string, record: LogRecord): boolean {
    const matched = categoryOf(text);
    if (!matched) return false;
    const object = parseRowObject(matched.rest);
    const entry = corruptionOf({
      at: run.at ?? run.fallbackAt,
      identity: object.identity,
      fallbackFamily: object.fallbackFamily ?? undefined,
      file: object.file,
      kind: matched.category.kind,
      source: 'checksur',
      repaired: false,
      hresult: object.hresult,
      evidence: [record.raw],
    });
    run.rows.push({
      entry,
      category: matched.category.name,
      file: object.file?.toLowerCase() ?? null,
      identity: object.identity?.text.toLowerCase() ?? null,
    });
    return true;
  }

  /** A `(fix)` repairs the nearest preceding unrepaired `(f)` of the same object, else of the same category. */
  function applyFix(run: CheckSurRun, text: string, record: LogRecord): boolean {
    const matched = categoryOf(text);
    if (!matched) return false;
    const object = parseRowObject(matched.rest.replace(FIX_ACTIONS, ''));
    const file = object.file?.toLowerCase() ?? null;
    const identity = object.identity?.text.toLowerCase() ?? null;
    const open = [...run.rows].reverse().filter((row) => !row.entry.repaired);
    const sameObject = (row: CheckSurRow) => (file !== null && row.file === file) || (identity !== null && row.identity === identity);
    const pairedFile = matched.category.name === 'CBS Paired File';
    const target = open.find((row) => sameObject(row) && (pairedFile || row.category === matched.category.name)) ??
      (pairedFile ? undefined : open.find((row) => row.category === matched.category.name));
    if (target) {
      target.entry.repaired = true;
      if (target.entry.evidence.length < 5) target.entry.evidence.push(record.raw.slice(0, 2_000));
    }
    return true;
  }

  function handle(record: LogRecord, context: ParseContext, sink: FactSink): boolean {
    if (!isCheckSurRecord(record)) return false;
    const text = record.text.trim();
    if (/^=+$/.test(text)) {
      if (state.run && hasContent(state.run)) close(sink);
      current(context, record).headerSeen = true;
      return true;
    }
    if (/^Checking System Update Readiness\.?$/i.test(text)) {
      if (state.run && hasContent(state.run)) close(sink);
      current(context, record).headerSeen = true;
      return true;
    }
    const run = current(context, record);
    if (text === '') return true;
    const binary = /^Binary Version\s+(\S+)/i.exec(text);
    if (binary) {
      if (run.rows.length > 0 || run.summarySeen) {
        close(sink);
        return handle(record, context, sink);
      }
      run.binaryVersion = binary[1] ?? null;
      run.headerSeen = true;
      return true;
    }
    if (/^Package Version\s+\S+/i.test(text) || SECTION.test(text)) return true;
    const date = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/.exec(text);
    if (date && !run.summarySeen) {
      // The header time is local wall-clock time, like a CBS line head: the parser adds the offset it knows.
      run.at = context.timestampOf({ ...record, time: `${date[1]} ${date[2]}:00` });
      return true;
    }
    const fix = /^\(fix\)\s*(.*)$/i.exec(text);
    if (fix) return applyFix(run, fix[1] ?? '', record);
    const row = /^\(f\)\s*(.*)$/i.exec(text);
    if (row) return addRow(run, row[1] ?? '', record);
    const summary = /^Summary:\s*(.*)$/i.exec(text);
    if (summary) {
      run.summarySeen = true;
      run.summaryLines.push(summary[1] ?? '');
      run.inUnavailable = /Unavailable repair files:\s*$/i.test(text);
      return true;
    }
    if (run.summarySeen) {
      if (run.inUnavailable) run.unavailableFiles.push(text);
      else run.summaryLines.push(text);
      if (/^Unavailable repair files:\s*$/i.test(text)) run.inUnavailable = true;
      return true;
    }
    return false;
  }

  return {
    name: 'checksur-log',
    handle,
    flush(_context: ParseContext, sink: FactSink, final: boolean): void {
      if (final) close(sink);
    },
    snapshot(): CheckSurState {
      return structuredClone(state);
    },
    restore(saved: CheckSurState): void {
      const run = saved && typeof saved === 'object' ? saved.run : null;
      const valid = run && typeof run === 'object' && Array.isArray(run.rows) && Array.isArray(run.summaryLines) && Array.isArray(run.unavailableFiles);
      state = { run: valid ? structuredClone(run) : null };
    },
  };
}
