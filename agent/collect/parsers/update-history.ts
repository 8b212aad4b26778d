// Windows Update Agent history (IUpdateHistoryEntry): list-format text and structured rows, as Report v1 entries.
import type { UpdateHistoryRecord } from '../../../protocol/report';
import { normalizeHresult } from '../../../protocol/hresult';
import { detectDateOrder, parseHistoryDateTime } from './dates';

/** One history entry as PowerShell gives it, before interpretation. */
export interface RawHistoryEntry {
  operation: number | string;
  resultCode: number | string;
  /** Signed decimal (`-2145116140`) or any HRESULT spelling. */
  hresult: number | string | null;
  date?: string | null;
  title: string;
}

/** The KB named in an update title: `… (KB2607047)`, `… - KB2267602 (Definition …)`. */
export function kbOfTitle(title: string): string | null {
  const match = /\bKB(\d{4,9})\b/i.exec(title);
  return match ? `KB${match[1]}` : null;
}

export function toUpdateHistoryRecords(entries: readonly RawHistoryEntry[], cultureHint: string | null = null): UpdateHistoryRecord[] {
  const order = detectDateOrder(entries.map((entry) => entry.date ?? ''), cultureHint);
  const records: UpdateHistoryRecord[] = [];
  for (const entry of entries) {
    const resultCode = Number(entry.resultCode);
    const operation = Number(entry.operation);
    if (!Number.isInteger(resultCode) || resultCode < 0 || resultCode > 5 || !Number.isInteger(operation)) continue;
    const title = entry.title.trim().slice(0, 1_000);
    records.push({
      kb: kbOfTitle(title),
      title,
      operation,
      resultCode,
      hresult: entry.hresult === null || entry.hresult === '' ? null : normalizeHresult(String(entry.hresult)),
      date: entry.date ? parseHistoryDateTime(entry.date, order) : null,
    });
  }
  return records;
}

/**
 * PowerShell list format (`Name : value` blocks separated by blank lines). Long values wrap onto
 * lines indented to the value column; those are joined back to their property.
 */
export function parseHistoryList(text: string, cultureHint: string | null = null): UpdateHistoryRecord[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const rawLine of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = rawLine.replace(/\r+$/, '');
    if (line.trim() === '') {
      current = null;
      lastKey = null;
      continue;
    }
    const property = /^(\w+)\s*:\s?(.*)$/.exec(line);
    if (property && !/^\s/.test(line)) {
      if (current === null || (property[1] === 'Operation' && current.has('Operation'))) {
        current = new Map();
        blocks.push(current);
      }
      lastKey = property[1] ?? null;
      if (lastKey) current.set(lastKey, (property[2] ?? '').trim());
    } else if (current && lastKey) {
      current.set(lastKey, (current.get(lastKey) ?? '') + line.trim());
    }
  }
  const entries: RawHistoryEntry[] = blocks
    .filter((block) => block.has('ResultCode') && block.has('Title'))
    .map((block) => ({
      operation: block.get('Operation') ?? '1',
      resultCode: block.get('ResultCode') ?? '',
      hresult: block.get('HResult') ?? null,
      date: block.get('Date') ?? null,
      title: block.get('Title') ?? '',
    }));
  return toUpdateHistoryRecords(entries, cultureHint);
}
