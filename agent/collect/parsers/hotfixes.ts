// Installed updates from Get-HotFix tables, wmic qfe tables / CSV and raw WMI values, as Report v1 hotfixes.
import type { HotfixRecord } from '../../../protocol/report';
import { detectDateOrder, parseInstallDate, type DateOrder } from './dates';
import { parseHeaderAlignedTable, parseUnderlinedTable, parseWmicCsv, type TableRow } from './text-table';

/** One Win32_QuickFixEngineering row as any of the renderings gives it. */
export interface RawHotfix {
  hotFixId: string;
  description?: string | null;
  installedBy?: string | null;
  installedOn?: string | null;
}

/** `KB2849697-1` → `KB2849697`; `File 1` and other non-KB ids → null. */
export function kbOfHotfixId(id: string): string | null {
  const match = /^\s*KB(\d{4,9})\b/i.exec(id);
  return match ? `KB${match[1]}` : null;
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed.slice(0, 200);
}

/**
 * Maps raw rows to hotfix records: one per KB (wmic repeats rows), install dates read with one
 * day/month order for the whole column so `8/02/2020` and `27/09/2019` agree.
 */
export function toHotfixRecords(rows: readonly RawHotfix[], cultureHint: string | null = null): HotfixRecord[] {
  const order: DateOrder = detectDateOrder(rows.map((row) => row.installedOn ?? ''), cultureHint);
  const byKb = new Map<string, HotfixRecord>();
  for (const row of rows) {
    const kb = kbOfHotfixId(row.hotFixId);
    if (kb === null) continue;
    const record: HotfixRecord = {
      kb,
      installedOn: parseInstallDate(row.installedOn ?? '', order),
      description: blankToNull(row.description),
      installedBy: blankToNull(row.installedBy),
    };
    const known = byKb.get(kb);
    if (!known || (known.installedOn === null && record.installedOn !== null)) byKb.set(kb, record);
  }
  return [...byKb.values()];
}

function fromTableRow(row: TableRow): RawHotfix {
  return {
    hotFixId: row.HotFixID ?? '',
    description: row.Description ?? null,
    installedBy: row.InstalledBy ?? null,
    installedOn: row.InstalledOn ?? null,
  };
}

/** `Get-HotFix` / `Get-WmiObject Win32_QuickFixEngineering` console table. */
export function parseGetHotFixTable(text: string, cultureHint: string | null = null): HotfixRecord[] {
  return toHotfixRecords(parseUnderlinedTable(text).map(fromTableRow), cultureHint);
}

/** `wmic qfe` / `wmic qfe list brief` console table. */
export function parseWmicQfeTable(text: string): HotfixRecord[] {
  return toHotfixRecords(parseHeaderAlignedTable(text).map(fromTableRow));
}

/** `wmic qfe get … /format:csv` (columns by header name, never by position). */
export function parseWmicQfeCsv(text: string): HotfixRecord[] {
  return toHotfixRecords(parseWmicCsv(text).map(fromTableRow));
}
