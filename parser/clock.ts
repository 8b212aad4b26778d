// Log time stamps: local wall-clock times, the UTC offset the log reveals, and ISO 8601 rendering.

/** The number `text[at, at + count)` spells in ASCII digits, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}

/** Milliseconds of a `YYYY-MM-DD HH:MM:SS` wall-clock time read as if it were UTC; null when not a real date. */
export function wallClockMillis(local: string): number | null {
  if (local.length !== 19 || local.charCodeAt(4) !== 45 || local.charCodeAt(7) !== 45 || local.charCodeAt(10) !== 32 ||
    local.charCodeAt(13) !== 58 || local.charCodeAt(16) !== 58) {
    return null;
  }
  const y = digitsAt(local, 0, 4);
  const mo = digitsAt(local, 5, 2);
  const d = digitsAt(local, 8, 2);
  const h = digitsAt(local, 11, 2);
  const mi = digitsAt(local, 14, 2);
  const s = digitsAt(local, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return null;
  const millis = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(millis);
  // Reject 2024-02-31, 25:61:61 and the like (Date.UTC silently rolls them over).
  if (check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) return null;
  if (check.getUTCMonth() !== mo - 1 || y < 1980) return null;
  return millis;
}

/** CSI `YYYY/M/D:HH:MM:SS.mmm` (UTC, month and day not zero-padded) → epoch milliseconds. */
export function csiStampMillis(stamp: string): number | null {
  const match = /^(\d{4})\/(\d{1,2})\/(\d{1,2}):(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(stamp);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as number[];
  const millis = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, Number(match[7] ?? 0));
  return Number.isFinite(millis) ? millis : null;
}

/** `Universal Time is: 2026-09-25 18:12:34.383` → epoch milliseconds of that UTC instant. */
export function universalTimeMillis(text: string): number | null {
  const match = /Universal Time is:\s*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})/.exec(text);
  return match?.[1] ? wallClockMillis(match[1]) : null;
}

/**
 * Local minus UTC, rounded to 15 minutes (every real zone offset is a multiple of 15 minutes, and
 * the CSI stamp is up to a second off the line's own time). Null when implausible (beyond ±14 h).
 */
export function offsetMinutesBetween(localMillis: number, utcMillis: number): number | null {
  const minutes = Math.round((localMillis - utcMillis) / 60_000 / 15) * 15;
  return Math.abs(minutes) <= 14 * 60 ? minutes : null;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `2024-11-21 13:55:22` + 480 → `2024-11-21T13:55:22+08:00`; without an offset, the local form `2024-11-21T13:55:22`. */
export function isoTimestamp(local: string, offsetMinutes: number | null): string {
  const base = local.slice(0, 10) + 'T' + local.slice(11, 19);
  if (offsetMinutes === null) return base;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const magnitude = Math.abs(offsetMinutes);
  return `${base}${sign}${pad(Math.floor(magnitude / 60))}:${pad(magnitude % 60)}`;
}
