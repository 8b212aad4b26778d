// Aggregate counter keys, typed by scope, and the one place that writes them down as the (scope, key text) pairs stores and live deltas carry.
import type { PackageState } from '../../protocol/report';

/** How a device stands against one baseline (see fleet/compliance.ts). */
export type BaselineStanding = 'compliant' | 'pending' | 'failed' | 'unsatisfied';

/** Details of a family's open corruption, each counted per family and value. */
export const FAMILY_DETAIL_SCOPES = [
  'family_version',
  'family_file',
  'family_kind',
  'family_source',
  'family_component',
  'family_blocked_kb',
  'family_hresult',
] as const;
export type FamilyDetailScope = (typeof FAMILY_DETAIL_SCOPES)[number];

/** Devices whose corruption of a family opened (detected) or closed (repaired) on a UTC day. */
export const DAY_SCOPES = ['family_detected_day', 'family_repaired_day'] as const;
export type DayScope = (typeof DAY_SCOPES)[number];

type FamilyDetailKey = { [S in FamilyDetailScope]: { scope: S; family: string; value: string } }[FamilyDetailScope];
type DayKey = { [S in DayScope]: { scope: S; day: string; family: string } }[DayScope];

/**
 * One aggregate counter. Every counter counts devices: a device contributes each key at most once, so
 * a counter's value is the number of devices that have the fact.
 */
export type CounterKey =
  /** Devices known, and devices marked stale (kept by every storage's ingest and stale sweep). */
  | { scope: 'devices'; name: 'total' | 'stale' }
  /** Devices failing (an open failure or a failed KB), and devices with open corruption. */
  | { scope: 'fleet'; name: 'failing' | 'corrupt' }
  /** Devices per OS build (`19045.4894`). */
  | { scope: 'os_build'; osBuild: string }
  /** One state per KB per device (`Absent` when only a failure names the KB). */
  | { scope: 'kb_state'; kb: string; state: PackageState }
  /** Devices with an open failure with this code. */
  | { scope: 'hresult'; hresult: string }
  /** Devices with an open failure of this KB with this code. */
  | { scope: 'hresult_kb'; hresult: string; kb: string }
  /** Devices with open corruption of the family (`dual_wpdmtp.inf`). */
  | { scope: 'family'; family: string }
  /** A version, file, kind, source, component, blocked KB or code seen in the family's open corruption. */
  | FamilyDetailKey
  /** OS build majors of the family's devices (cluster remediation). */
  | { scope: 'family_build'; family: string; major: number }
  /** Devices where DISM reported no replacement payload for the family. */
  | { scope: 'family_source_missing'; family: string }
  /** Devices per baseline and standing. */
  | { scope: 'baseline'; baselineId: number; standing: BaselineStanding }
  | DayKey;

export type CounterScope = CounterKey['scope'];
export type CounterKeyOf<S extends CounterScope> = Extract<CounterKey, { scope: S }>;

/** A counter of one scope as read back: its key and the number of devices it counts. */
export interface Counted<S extends CounterScope> {
  key: CounterKeyOf<S>;
  value: number;
}

/** A key as stores keep it and live deltas carry it: the scope and the key's fields as one text. */
export interface EncodedCounterKey {
  scope: CounterScope;
  key: string;
}

/** New counter values as `scope` → encoded key → value: the shape of `fleet:delta` on the wire. */
export type CounterValues = Record<string, Record<string, number>>;

type FieldsOf<S extends CounterScope> = readonly Exclude<keyof CounterKeyOf<S>, 'scope'>[];

/**
 * The fields of each scope in the order they are written, joined by TAB. Leading fields never hold a TAB;
 * the last one may (decoding gives it the rest). Day keys start with the day, so they sort by day.
 */
const FIELDS: { [S in CounterScope]: FieldsOf<S> } = {
  devices: ['name'],
  fleet: ['name'],
  os_build: ['osBuild'],
  kb_state: ['kb', 'state'],
  hresult: ['hresult'],
  hresult_kb: ['hresult', 'kb'],
  family: ['family'],
  family_version: ['family', 'value'],
  family_file: ['family', 'value'],
  family_kind: ['family', 'value'],
  family_source: ['family', 'value'],
  family_component: ['family', 'value'],
  family_blocked_kb: ['family', 'value'],
  family_hresult: ['family', 'value'],
  family_build: ['family', 'major'],
  family_source_missing: ['family'],
  baseline: ['baselineId', 'standing'],
  family_detected_day: ['day', 'family'],
  family_repaired_day: ['day', 'family'],
};
const NUMBER_FIELDS = new Set(['major', 'baselineId']);
const SEPARATOR = '\t';

export function encodeCounterKey(key: CounterKey): EncodedCounterKey {
  return { scope: key.scope, key: keyText(key) };
}

function keyText(key: CounterKey): string {
  const fields = FIELDS[key.scope] as readonly string[];
  const values = key as unknown as Record<string, string | number>;
  let text = String(values[fields[0]!]);
  for (let i = 1; i < fields.length; i++) text += SEPARATOR + values[fields[i]!];
  return text;
}

export function decodeCounterKey<S extends CounterScope>(scope: S, text: string): CounterKeyOf<S> {
  const fields = FIELDS[scope] as readonly string[];
  const key: Record<string, string | number> = { scope };
  let rest = text;
  fields.forEach((field, index) => {
    const at = index === fields.length - 1 ? -1 : rest.indexOf(SEPARATOR);
    const part = at < 0 ? rest : rest.slice(0, at);
    rest = at < 0 ? '' : rest.slice(at + 1);
    key[field] = NUMBER_FIELDS.has(field) ? Number(part) : part;
  });
  return key as CounterKeyOf<S>;
}

/** A text naming the key uniquely across scopes, for sets and maps of keys. */
export function counterId(key: CounterKey): string {
  return `${key.scope}\u0000${keyText(key)}`;
}

/** Sets a counter's new value in a `CounterValues`. */
export function setCounterValue(values: CounterValues, key: EncodedCounterKey, value: number): void {
  (values[key.scope] ??= {})[key.key] = value;
}

/** The counters of one scope in a `CounterValues`, with typed keys. */
export function countersIn<S extends CounterScope>(values: CounterValues, scope: S): Counted<S>[] {
  return Object.entries(values[scope] ?? {}).map(([key, value]) => ({ key: decodeCounterKey(scope, key), value }));
}

/** Counters every storage keeps itself: devices known and devices marked stale. */
export const DEVICE_COUNTERS = {
  total: { scope: 'devices', name: 'total' },
  stale: { scope: 'devices', name: 'stale' },
} as const satisfies Record<string, CounterKey>;
