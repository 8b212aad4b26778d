// Log time stamps: local wall-clock times, the UTC offset the log reveals, and ISO 8601 rendering.

const LOCAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Milliseconds of a `YYYY-MM-DD HH:MM:SS` wall-clock time read as if it were UTC; null when not a real date. */
export function wallClockMillis(local: string): number | null {
  const match = LOCAL.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const millis = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
  const check = new Date(millis);
  // Reject 2024-02-31, 25:61:61 and the like (Date.UTC silently rolls them over).
  if (check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) return null;
  if (check.getUTCMonth() !== (mo as number) - 1 || (y as number) < 1980) return null;
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
