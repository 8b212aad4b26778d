// The row categories of DISM's System Update Readiness block and of CheckSUR.log, with their kind and summary counter.
import type { CorruptionKind } from '../../protocol/report';
import { hresultFromWin32, normalizeHresult } from '../../protocol/hresult';
import { findComponentKey, parsePackageIdentity, type ComponentIdentity } from '../component-identity';
import { baseName } from './facts';

/** Which `Summary:` counter a row category is counted under (`csiPayload` ↔ `CSI Payload Corruption`). */
export type CounterBucket = 'cbsManifest' | 'cbsMetadata' | 'csiManifest' | 'csiMetadata' | 'csiPayload';

export interface RowCategory {
  name: string;
  kind: CorruptionKind;
  bucket: CounterBucket;
}

/**
 * Every category seen in real `(p)`/`(w)`/`(f)`/`(fix)` rows. Choices where no kind fits exactly:
 * - `CBS Catalog Missing` → catalog-corrupt: there is no catalog-missing kind, and a package without
 *   its catalog fails verification exactly like one with a damaged catalog.
 * - `CBS Package Index Package Missing`, `CBS Watchlist Package Missing`, `CBS Registry Error` →
 *   metadata-corrupt: the package index, watch lists and registry are CBS store metadata.
 * - `CSI Missing Identity`, `CSI Missing Pinned Component Key` → metadata-corrupt (component registry data).
 * - `CSI Store Directory Missing` → payload-missing: the component's folder, and so its payload, is gone.
 * - `CBS Paired File` only appears in `(fix)` rows (the .cat replaced alongside a .mum).
 * Longer names come first so a prefix never shadows them.
 */
export const ROW_CATEGORIES: readonly RowCategory[] = [
  { name: 'CBS Package Index Package Missing', kind: 'metadata-corrupt', bucket: 'cbsMetadata' },
  { name: 'CSI Missing Pinned Component Key', kind: 'metadata-corrupt', bucket: 'csiMetadata' },
  { name: 'CSI Manifest Failed Catalog Check', kind: 'manifest-corrupt', bucket: 'csiManifest' },
  { name: 'CBS Watchlist Package Missing', kind: 'metadata-corrupt', bucket: 'cbsMetadata' },
  { name: 'CSI Store Directory Missing', kind: 'payload-missing', bucket: 'csiPayload' },
  { name: 'CSI Payload File Missing', kind: 'payload-missing', bucket: 'csiPayload' },
  { name: 'CSI Payload File Corrupt', kind: 'payload-corrupt', bucket: 'csiPayload' },
  { name: 'CSI Manifest All Zeros', kind: 'manifest-corrupt', bucket: 'csiManifest' },
  { name: 'CSI Missing Identity', kind: 'metadata-corrupt', bucket: 'csiMetadata' },
  { name: 'CSI Payload Corrupt', kind: 'payload-corrupt', bucket: 'csiPayload' },
  { name: 'CSI Manifest Corrupt', kind: 'manifest-corrupt', bucket: 'csiManifest' },
  { name: 'CSI Manifest Missing', kind: 'manifest-missing', bucket: 'csiManifest' },
  { name: 'CSI Metadata Corrupt', kind: 'metadata-corrupt', bucket: 'csiMetadata' },
  { name: 'CBS Catalog Corrupt', kind: 'catalog-corrupt', bucket: 'cbsManifest' },
  { name: 'CBS Catalog Missing', kind: 'catalog-corrupt', bucket: 'cbsManifest' },
  { name: 'CBS Registry Error', kind: 'metadata-corrupt', bucket: 'cbsMetadata' },
  { name: 'CBS MUM Corrupt', kind: 'mum-corrupt', bucket: 'cbsManifest' },
  { name: 'CBS MUM Missing', kind: 'mum-missing', bucket: 'cbsManifest' },
  { name: 'CBS Paired File', kind: 'catalog-corrupt', bucket: 'cbsManifest' },
];

/**
 * The category a row text starts with, and the text after it. Runs of spaces/TABs inside the name
 * are accepted, and so is a name glued to what follows (`CSI Missing Identity0x00000000…`).
 */
export function matchRowCategory(text: string): { category: RowCategory; rest: string } | null {
  const trimmed = text.replace(/^\s+/, '');
  for (const [category, pattern] of CATEGORY_PATTERNS) {
    const match = pattern.exec(trimmed);
    if (match) return { category, rest: trimmed.slice(match[0].length) };
  }
  return null;
}

const CATEGORY_PATTERNS: readonly (readonly [RowCategory, RegExp])[] = ROW_CATEGORIES.map(
  (category) => [category, new RegExp('^' + category.name.split(' ').join('\\s+'), 'i')] as const,
);

/** An unknown category still gets a row: its name is the text up to the first column break. */
export function unknownRowCategory(text: string): { category: RowCategory; rest: string } | null {
  const match = /^\s*((?:CBS|CSI)(?: [A-Za-z]+)+?)(?=\t| {2,}| \((?:n|w)\)| 0x[0-9a-f]{8}|$)/i.exec(text);
  if (!match?.[1]) return null;
  const name = match[1];
  const bucket: CounterBucket = name.toUpperCase().startsWith('CBS') ? 'cbsManifest' : 'csiPayload';
  return { category: { name, kind: 'other', bucket }, rest: text.slice(match[0].length) };
}

/** What a row names: the component or package, the file, and the code printed in the row. */
export interface RowObject {
  identity: ComponentIdentity | null;
  file: string | null;
  /** Stands in for the family when neither a key nor a package identity could be read. */
  fallbackFamily: string | null;
  hresult: string | null;
}

const PACKAGE_TOKEN = /^[^\s~]+~[0-9a-f]{16}~[^~\s]*~[^~\s]*~\S+$/i;

/**
 * Reads the object part of a row: `key\path` (SUR), one or two package identities
 * (`(w) CBS Package Index Package Missing 0x80070490 pkg~…~0.0.0.0 pkg~…~version` — the first real version wins),
 * `servicing\Packages\X.mum Line 1: …`, `file key` and `key` + registry path (CheckSUR, separators
 * possibly gone).
 */
export function parseRowObject(text: string): RowObject {
  let rest = text.trim();
  let hresult: string | null = null;
  const code = /^0x([0-9a-f]{8})/i.exec(rest);
  if (code) {
    const value = Number.parseInt(code[1] ?? '0', 16);
    // CheckSUR prints plain Win32 codes (`0x00000002`) in the HRESULT column.
    hresult = value === 0 ? null : value < 0x10000 ? hresultFromWin32(value) : normalizeHresult('0x' + (code[1] ?? ''));
    rest = rest.slice(code[0].length).trim();
  }
  const packages = rest.includes('~') ? rest.split(/\s+/).filter((token) => PACKAGE_TOKEN.test(token)) : [];
  if (packages.length > 0) {
    const chosen = packages.find((token) => !/~0\.0\.0\.0$/.test(token)) ?? packages[0] ?? '';
    const identity = parsePackageIdentity(chosen);
    const file = /\.(?:mum|cat)$/i.test(chosen) ? baseName(chosen) : null;
    if (identity) return { identity, file, fallbackFamily: null, hresult };
  }
  const key = findComponentKey(rest);
  if (key) {
    let file: string | null = null;
    const path = /^\\(\S.*)$/.exec(key.after.trim());
    if (path?.[1]) file = path[1].trim();
    else {
      const before = key.before.trim().split(/\s+/).pop() ?? '';
      if (before && !/^identity$/i.test(before)) file = before;
    }
    return { identity: key.identity, file, fallbackFamily: null, hresult };
  }
  const first = rest.split(/\s+/)[0] ?? '';
  const name = baseName(first);
  return { identity: null, file: name, fallbackFamily: name, hresult };
}
