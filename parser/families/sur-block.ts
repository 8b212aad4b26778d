// DISM ScanHealth/RestoreHealth: the "Checking System Update Readiness." block — its (p) rows and its Summary scan.
import type { CorruptionRecord, ScanRecord } from '../../protocol/report';
import { normalizeHresult } from '../../protocol/hresult';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from '../record';
import { matchRowCategory, parseRowObject, unknownRowCategory } from './corruption-categories';
import { corruptionOf, emptyDetected, emptyRepaired, isCheckSurRecord, type DetectedCounts, type RepairedCounts } from './facts';

/**
 * One open block. The block has three layouts and this state machine reads them all line by line:
 * (a) 26100/19045: every line its own record, TAB-separated fields;
 * (b) 14393: ONE record — a head with an empty message, then unprefixed continuation lines;
 * (c) documentation pastes: indented lines (TAB, 1 or 4 spaces) without any prefix.
 */
interface OpenBlock {
  at: string;
  /** Opened by `Checking System Update Readiness.` or `Summary:`; bare rows alone produce no scan. */
  hasHeader: boolean;
  rows: CorruptionRecord[];
  repairFailures: number;
  summarySeen: boolean;
  operation: string | null;
  result: string | null;
  lastSuccessfulStep: string | null;
  durationSeconds: number | null;
  detected: DetectedCounts;
  repaired: RepairedCounts;
}

interface SurState {
  block: OpenBlock | null;
}

type BlockLine =
  | { type: 'opener' }
  | { type: 'summary' }
  | { type: 'filler' }
  | { type: 'row'; marker: string; text: string }
  | { type: 'repair-failed' }
  | { type: 'value'; key: string; value: string }
  | { type: 'end'; seconds: number | null };

const DETECTED_KEYS: Readonly<Record<string, keyof DetectedCounts>> = {
  'total detected corruption': 'total',
  'cbs manifest corruption': 'cbsManifest',
  'cbs metadata corruption': 'cbsMetadata',
  'csi manifest corruption': 'csiManifest',
  'csi metadata corruption': 'csiMetadata',
  'csi payload corruption': 'csiPayload',
};

const REPAIRED_KEYS: Readonly<Record<string, keyof RepairedCounts>> = {
  'total repaired corruption': 'total',
  'cbs manifest repaired': 'cbsManifest',
  'csi manifest repaired': 'csiManifest',
  'csi payload repaired': 'csiPayload',
};

/** Keys that belong to the Summary but carry nothing the scan reports (26100 FileFlags, flags, staging). */
const ACCEPTED_KEYS = new Set([
  'csi fileflags corrupt',
  'csi fileflags repaired',
  'csi registry metadata refreshed',
  'csi store metadata refreshed',
  'cbs staged packages',
  'cbs staged packages removed',
]);

/** Classifies one line of the block (leading indentation already irrelevant); null = not a block line. */
export function classifySurLine(line: string): BlockLine | null {
  const text = line.trim();
  if (text === '' || /^=+$/.test(text) || text === 'Staged Packages:') return { type: 'filler' };
  if (/^Checking System Update Readiness\.?$/i.test(text)) return { type: 'opener' };
  if (text === 'Summary:') return { type: 'summary' };
  const row = /^\((p|w)\)\s*(.*)$/.exec(text);
  if (row) return { type: 'row', marker: row[1] ?? 'p', text: row[2] ?? '' };
  if (/^Repair failed:/i.test(text)) return { type: 'repair-failed' };
  const end = /^Total Operation Time:\s*(\d+)?/i.exec(text);
  if (end) return { type: 'end', seconds: end[1] ? Number(end[1]) : null };
  const pair = /^([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(text);
  if (pair) {
    const key = (pair[1] ?? '').replace(/\s+/g, ' ').toLowerCase();
    if (key === 'operation' || key === 'operation result' || key === 'last successful step' ||
        key in DETECTED_KEYS || key in REPAIRED_KEYS || ACCEPTED_KEYS.has(key)) {
      return { type: 'value', key, value: (pair[2] ?? '').trim() };
    }
  }
  return null;
}

function openBlock(at: string, hasHeader: boolean): OpenBlock {
  return {
    at, hasHeader, rows: [], repairFailures: 0, summarySeen: false, operation: null, result: null,
    lastSuccessfulStep: null, durationSeconds: null, detected: emptyDetected(), repaired: emptyRepaired(),
  };
}

/** Builds the corruption entry of a `(p)`/`(w)` row; null when the row names no known category. */
function rowEntry(block: OpenBlock, marker: string, text: string, raw: string, header: boolean): CorruptionRecord | null {
  const matched = matchRowCategory(text) ?? (header ? unknownRowCategory(text) : null);
  if (!matched) return null;
  let rest = matched.rest.trim();
  let fixed = false;
  const column = /^\((n|w)\)\s*(\(Fixed\))?\s*/i.exec(rest);
  if (column) {
    fixed = Boolean(column[2]);
    rest = rest.slice(column[0].length);
  }
  const object = parseRowObject(rest);
  return corruptionOf({
    at: block.at,
    identity: object.identity,
    fallbackFamily: object.fallbackFamily ?? undefined,
    file: object.file,
    kind: matched.category.kind,
    source: 'sur',
    repaired: fixed || (marker === 'w' && /\(Fixed\)/i.test(rest)),
    hresult: object.hresult,
    evidence: [raw],
  });
}

function applyValue(block: OpenBlock, key: string, value: string): void {
  if (key === 'operation') block.operation = value.trim() || null;
  else if (key === 'operation result') block.result = normalizeHresult(value.split(/\s/)[0] ?? '');
  else if (key === 'last successful step') block.lastSuccessfulStep = value.slice(0, 500) || null;
  else {
    const count = /^\d+/.exec(value);
    if (!count) return;
    const n = Number(count[0]);
    const detected = DETECTED_KEYS[key];
    const repaired = REPAIRED_KEYS[key];
    if (detected) block.detected[detected] = n;
    if (repaired) block.repaired[repaired] = n;
  }
}

/** The scan a closed block reports; null for bare rows (no header, no Summary). */
function scanOf(block: OpenBlock): ScanRecord | null {
  if (!block.hasHeader && !block.summarySeen) return null;
  const detected = block.summarySeen ? block.detected : countRows(block.rows);
  const repaired = block.summarySeen ? block.repaired : { ...emptyRepaired(), total: block.rows.filter((r) => r.repaired).length };
  const repairRun = block.operation ? /repair/i.test(block.operation) : block.repairFailures > 0 || block.rows.some((r) => r.repaired);
  const unrepaired = block.repairFailures > 0
    ? block.repairFailures
    : repairRun ? Math.max(0, detected.total - repaired.total) : null;
  return {
    at: block.at,
    tool: 'dism',
    operation: block.operation ?? (repairRun ? 'Detect and Repair' : 'Detect only'),
    result: block.result,
    detected,
    repaired,
    lastSuccessfulStep: block.lastSuccessfulStep,
    durationSeconds: block.durationSeconds,
    unrepaired,
  };
}

function countRows(rows: readonly CorruptionRecord[]): DetectedCounts {
  const counts = emptyDetected();
  for (const row of rows) {
    counts.total++;
    if (row.kind === 'payload-corrupt' || row.kind === 'payload-missing') counts.csiPayload++;
    else if (row.kind === 'manifest-corrupt' || row.kind === 'manifest-missing') counts.csiManifest++;
    else if (row.kind === 'metadata-corrupt') counts.cbsMetadata++;
    else counts.cbsManifest++;
  }
  return counts;
}

/** Lines CBS writes right after the block: the download outcome of a repair and the corruption-flag reset. */
/** Lines that follow a block and restate its result. */
function isAfterBlock(text: string): boolean {
  const first = text.charCodeAt(0);
  return (first === 67 /* C */ && text.startsWith('CheckSur: hrStatus:')) || (first === 65 /* A */ && text.startsWith('All CSI corruption was fixed'));
}

/** Cheap pre-check of one line (most records are not block lines): opener, `(p)`/`(w)` row or `Summary:`. */
function mayStartBlock(line: string): boolean {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  const first = line.charCodeAt(i);
  if (first === 40 /* ( */) return line.startsWith('(p)', i) || line.startsWith('(w)', i);
  if (first === 83 /* S */ && line.startsWith('Summary:', i)) return true;
  return first === 67 /* C */ && line.startsWith('Checking System Update Readiness', i);
}

/** Can this record start a block, in its message or in a continuation line (14393)? */
function mayOpenBlock(record: LogRecord): boolean {
  if (mayStartBlock(record.text)) return true;
  for (const line of record.continuation) if (mayStartBlock(line)) return true;
  return false;
}

/** Handler for the System Update Readiness block of CBS.log (source `sur`, scans with tool `dism`). */
export function surBlockHandler(): RecordHandler<SurState> {
  let state: SurState = { block: null };

  function close(sink: FactSink): void {
    const block = state.block;
    state.block = null;
    if (!block) return;
    for (const row of block.rows) sink.addCorruption(row);
    const scan = scanOf(block);
    if (scan) sink.addScan(scan);
  }

  /** Feeds one line; returns false when the line is not part of a block (and closes any open one). */
  function feed(line: string, raw: string, at: string, sink: FactSink): boolean {
    const kind = classifySurLine(line);
    let block = state.block;
    if (!kind) {
      if (block) close(sink);
      return false;
    }
    if (kind.type === 'opener') {
      if (block && (block.rows.length > 0 || block.summarySeen)) close(sink);
      if (!state.block) state.block = openBlock(at, true);
      return true;
    }
    if (!block) {
      if (kind.type === 'summary') block = state.block = openBlock(at, true);
      else if (kind.type === 'row' && matchRowCategory(kind.text)) block = state.block = openBlock(at, false);
      else return false;
    }
    switch (kind.type) {
      case 'summary':
        if (block.summarySeen) {
          close(sink);
          state.block = openBlock(at, true);
          state.block.summarySeen = true;
        } else block.summarySeen = true;
        return true;
      case 'filler':
        return true;
      case 'row': {
        if (block.summarySeen) {
          close(sink);
          block = state.block = openBlock(at, false);
        }
        const entry = rowEntry(block, kind.marker, kind.text, raw, block.hasHeader);
        if (!entry) return false;
        block.rows.push(entry);
        return true;
      }
      case 'repair-failed': {
        block.repairFailures++;
        const last = block.rows[block.rows.length - 1];
        if (last && last.evidence.length < 5) last.evidence.push(raw.slice(0, 2_000));
        return true;
      }
      case 'value':
        if (!block.summarySeen && !block.hasHeader) return false;
        block.summarySeen = true;
        applyValue(block, kind.key, kind.value);
        return true;
      case 'end':
        block.durationSeconds = kind.seconds;
        close(sink);
        return true;
    }
    return false;
  }

  return {
    name: 'sur-block',
    handle(record: LogRecord, context: ParseContext, sink: FactSink): boolean {
      if (isCheckSurRecord(record)) return false;
      if (state.block === null) {
        if (isAfterBlock(record.text)) return true;
        if (!mayOpenBlock(record)) return false;
      }
      const at = context.timestampOf(record);
      let consumed: boolean;
      if (record.text.trim() === '') {
        // 14393 writes the whole block as one record whose head has an empty message.
        consumed = state.block !== null || record.continuation.some((line) => classifySurLine(line)?.type === 'opener');
      } else {
        consumed = feed(record.text, record.raw, at, sink);
      }
      for (const line of record.continuation) feed(line, line, at, sink);
      return consumed;
    },
    flush(_context: ParseContext, sink: FactSink, final: boolean): void {
      if (final) close(sink);
    },
    snapshot(): SurState {
      return structuredClone(state);
    },
    restore(saved: SurState): void {
      const block = saved && typeof saved === 'object' ? saved.block : null;
      const valid = block && typeof block === 'object' && Array.isArray(block.rows) &&
        typeof block.detected === 'object' && block.detected !== null && typeof block.repaired === 'object' && block.repaired !== null;
      state = { block: valid ? structuredClone(block) : null };
    },
  };
}
