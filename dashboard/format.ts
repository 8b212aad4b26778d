// Locale-aware formatting of numbers, percentages, dates and ages (Intl), one formatter per locale.
export interface Formatter {
  locale: string;
  number(value: number): string;
  /** `value` is already a percentage (0–100). */
  percent(value: number): string;
  /** Date and time in the viewer's time zone, e.g. `2024/11/21 13:55` (zh-CN) or `Nov 21, 2024, 1:55 PM` (en). */
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** How long before `now`: `3 hours ago` / `3小时前`. */
  ago(iso: string | null | undefined, now: number): string;
  bytes(value: number): string;
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** Log times without an offset are device-local wall-clock times; they are shown as written, not shifted. */
function parseTime(iso: string): { date: Date; zone: 'UTC' | undefined } | null {
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso);
  const date = new Date(hasZone ? iso : `${iso}Z`);
  return Number.isNaN(date.getTime()) ? null : { date, zone: hasZone ? undefined : 'UTC' };
}

export function createFormatter(locale: string, timeZone?: string): Formatter {
  const numbers = new Intl.NumberFormat(locale);
  const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const dateTimeIn = (zone: string | undefined) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(zone ?? timeZone ? { timeZone: zone ?? timeZone } : {}) });
  const dateIn = (zone: string | undefined) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...(zone ?? timeZone ? { timeZone: zone ?? timeZone } : {}) });
  const show = (iso: string | null | undefined, pick: (zone: string | undefined) => Intl.DateTimeFormat): string => {
    if (!iso) return '—';
    const parsed = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? { date: new Date(`${iso}T00:00:00Z`), zone: 'UTC' as const } : parseTime(iso);
    return parsed ? pick(parsed.zone).format(parsed.date) : iso;
  };
  return {
    locale,
    number: (value) => numbers.format(value),
    percent: (value) => percents.format(value / 100),
    dateTime: (iso) => show(iso, dateTimeIn),
    date: (iso) => show(iso, dateIn),
    ago(iso, now) {
      const parsed = iso ? parseTime(iso) : null;
      if (!parsed) return '—';
      let amount = (parsed.date.getTime() - now) / 1000;
      for (const [unit, size] of RELATIVE_STEPS) {
        if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
        amount /= size;
      }
      return relative.format(Math.round(amount), 'year');
    },
    bytes(value) {
      const units = ['B', 'KB', 'MB', 'GB'];
      let size = value;
      let unit = 0;
      while (size >= 1024 && unit < units.length - 1) {
        size /= 1024;
        unit++;
      }
      return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(size)} ${units[unit]}`;
    },
  };
}
