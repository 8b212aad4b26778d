// Small builders shared by the corruption and scan handlers: Report v1 facts from parsed pieces.
import { REPORT_LIMITS } from '../../protocol/report';
import type { CorruptionKind, CorruptionRecord, CorruptionSource, ScanRecord } from '../../protocol/report';
import type { ComponentIdentity } from '../component-identity';
import type { LogRecord } from '../record';

/**
 * Family used when the log flags the component store as corrupt without naming a component
 * (`(F) STATUS_SXS_COMPONENT_STORE_CORRUPT …`, `Attempting to mark store corrupt with category …`).
 * It is not a component name, so it never merges with a real family.
 */
export const STORE_FAMILY = 'component-store';

/** Evidence as Report v1 bounds it: at most five non-blank raw lines, each capped. */
export function evidenceLines(lines: readonly string[]): string[] {
  const kept = lines.filter((line) => line.trim().length > 0).slice(0, REPORT_LIMITS.evidenceLines);
  if (kept.length === 0) kept.push('(empty)');
  const cap = REPORT_LIMITS.evidenceLineChars;
  return kept.map((line) => (line.length > cap ? line.slice(0, cap - 3) + '...' : line));
}

/** The head line and its continuation lines, as raw evidence. */
export function recordLines(record: LogRecord): string[] {
  return [record.raw, ...record.continuation];
}

/**
 * The message of a record with its continuation lines appended. CSI re-splits long records mid-token,
 * so continuation lines are joined without a separator.
 */
export function fullMessage(record: LogRecord): string {
  const text = record.text.replace(/^[0-9a-f]{8}(?:@\S*)?\s+(?=\S)/i, '');
  return record.continuation.length === 0 ? text : text + record.continuation.join('');
}

export interface CorruptionParts {
  at: string;
  identity: ComponentIdentity | null;
  /** Stands in for the family when the log names no component (a file name, the store). */
  fallbackFamily?: string;
  file: string | null;
  kind: CorruptionKind;
  source: CorruptionSource;
  repaired: boolean;
  hresult?: string | null;
  evidence: readonly string[];
}

/** A corruption entry; the family falls back to the file name, then to the store itself. */
export function corruptionOf(parts: CorruptionParts): CorruptionRecord {
  const family = parts.identity?.family || parts.fallbackFamily || baseName(parts.file) || STORE_FAMILY;
  const record: CorruptionRecord = {
    at: parts.at,
    component: parts.identity?.text.slice(0, 1_000) ?? null,
    family: family.slice(0, 500),
    arch: parts.identity?.arch ?? null,
    version: parts.identity?.version ?? null,
    file: parts.file ? parts.file.slice(0, 1_000) : null,
    kind: parts.kind,
    source: parts.source,
    repaired: parts.repaired,
    evidence: evidenceLines(parts.evidence),
  };
  if (parts.hresult) record.hresult = parts.hresult;
  return record;
}

/** True for records of a CheckSUR log: the framer gives each of its physical lines, without time, its own record. */
export function isCheckSurRecord(record: LogRecord): boolean {
  return record.time === null && record.level === null && /checksur/i.test(record.file);
}

/** The last segment of a Windows path (`C:\WINDOWS\System32\drivers\BthA2dp.sys` → `BthA2dp.sys`). */
export function baseName(path: string | null | undefined): string | null {
  if (!path) return null;
  const parts = path.split(/[\\/]+/).filter((part) => part.length > 0);
  return parts[parts.length - 1] ?? null;
}

export type DetectedCounts = ScanRecord['detected'];
export type RepairedCounts = ScanRecord['repaired'];

export function emptyDetected(): DetectedCounts {
  return { total: 0, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 0 };
}

export function emptyRepaired(): RepairedCounts {
  return { total: 0, cbsManifest: 0, csiManifest: 0, csiPayload: 0 };
}

/** Whole seconds between two `YYYY-MM-DD HH:MM:SS` local times, or null when either is missing. */
export function secondsBetween(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const from = Date.parse(start.replace(' ', 'T') + 'Z');
  const to = Date.parse(end.replace(' ', 'T') + 'Z');
  if (Number.isNaN(from) || Number.isNaN(to) || to < from) return null;
  return Math.round((to - from) / 1000);
}
