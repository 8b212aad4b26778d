// Locale-rendered install dates (Get-HotFix, wmic, WUA list output) turned into ISO dates without guessing wrong.
export type DateOrder = 'MDY' | 'DMY' | 'YMD';

const NUMERIC_DATE = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})/;

function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1980 || year > 2200) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null; // 31/02 and friends
  return date.toISOString().slice(0, 10);
}

/**
 * Picks the day/month order of a column of dates: a first field above 12 proves day-first, a
 * second above 12 proves month-first; otherwise the culture hint decides (`es-ES` → DMY), and
 * WMI's own un-localized M/D/YYYY is the fallback.
 */
export function detectDateOrder(samples: readonly string[], cultureHint: string | null = null): DateOrder {
  let dayFirst = false;
  let monthFirst = false;
  for (const sample of samples) {
    const match = NUMERIC_DATE.exec(sample.trim());
    if (!match) continue;
    const [, a, b] = match;
    if ((a ?? '').length === 4) return 'YMD';
    if (Number(a) > 12) dayFirst = true;
    if (Number(b) > 12) monthFirst = true;
  }
  if (dayFirst && !monthFirst) return 'DMY';
  if (monthFirst && !dayFirst) return 'MDY';
  if (samples.some((sample) => /\b[ap]\.\s?m\./i.test(sample))) return 'DMY'; // Spanish `a. m.`
  if (cultureHint && !/^en-(US|PH)$/i.test(cultureHint) && /^[a-z]{2}(-[A-Za-z]+)*$/i.test(cultureHint)) {
    return /^(ja|zh|ko|hu|lt|sv)\b/i.test(cultureHint) ? 'YMD' : 'DMY';
  }
  return 'MDY';
}

/**
 * Every install-date spelling Windows emits: `5/16/2019 00:00:00`, `27/09/2019 12:00:00 a. m.`,
 * `2011-12-15 13:26:13`, `20170523`, `23-10-2013`, and a hex FILETIME (`01ce83596afd20a7`).
 * Returns `YYYY-MM-DD`, or null when the text is empty or not a date.
 */
export function parseInstallDate(text: string, order: DateOrder = 'MDY'): string | null {
  const value = text.trim();
  if (value === '') return null;
  if (/^[0-9a-f]{16}$/i.test(value) && /[a-f]/i.test(value)) return fromFileTime(BigInt(`0x${value}`));
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (compact) return isoDate(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  const match = NUMERIC_DATE.exec(value);
  if (!match) return null;
  const [a, b, c] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if ((match[1] ?? '').length === 4) return isoDate(a, b, c);
  const year = c < 100 ? 2000 + c : c;
  // `23-10-2013` with dashes is day-first in every culture that writes it.
  if (order === 'DMY' || (value.includes('-') && a > 12)) return isoDate(year, b, a);
  if (order === 'MDY' && a > 12 && b <= 12) return isoDate(year, b, a);
  return isoDate(year, a, b);
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

function fromFileTime(ticks: bigint): string | null {
  const ms = ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS;
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return null;
  return isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/**
 * A WUA history date to ISO 8601. WUA dates are UTC; the list output renders them in the
 * culture's format without a zone, so the result is marked `Z` only when the input said so.
 */
export function parseHistoryDateTime(text: string, order: DateOrder = 'MDY'): string | null {
  const value = text.trim();
  if (value === '') return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4]}:${iso[5]}:${iso[6]}${iso[7] ?? 'Z'}`;
  const day = parseInstallDate(value, order);
  if (day === null) return null;
  const time = /(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?\s?m?\.?\s*$/i.exec(value);
  if (!time) return `${day}T00:00:00Z`;
  let hour = Number(time[1]);
  const meridiem = time[4]?.toLowerCase();
  if (meridiem === 'p' && hour < 12) hour += 12;
  if (meridiem === 'a' && hour === 12) hour = 0;
  return `${day}T${String(hour).padStart(2, '0')}:${time[2]}:${time[3] ?? '00'}Z`;
}
