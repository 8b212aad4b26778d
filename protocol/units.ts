// Quantities as people write them in settings and flags (durations, byte sizes) and times as the wire carries them (ISO 8601 UTC).
// Plain functions without zod, so the agent's quick commands can use them without loading it.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `30s`, `15m`, `1.5h`, `14d` (or a bare number of milliseconds) → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!);
}

const SIZE_FACTORS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * `512k`, `512kb`, `512KiB`, `20MB`, `1g` (or a bare number of bytes) → bytes; null when it is not a size.
 * Units are binary whatever the spelling: a log folder or a spool is measured the way Windows shows it.
 */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|[kmg](?:i?b)?)?\s*$/i.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * SIZE_FACTORS[(match[2] ?? 'b').charAt(0).toLowerCase()]!);
}

/** Epoch milliseconds → the ISO 8601 UTC text every API and report field carries. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
