// Corruption written while servicing: CSI `(F)` errors and CBS store-corruption markers (source `cbs`).
import type { CorruptionKind } from '../../protocol/report';
import { normalizeHresult } from '../../protocol/hresult';
import {
  findComponentKey,
  parseComponentIdentity,
  parsePackageIdentity,
  parseQuotedName,
  type ComponentIdentity,
} from '../component-identity';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from '../record';
import { corruptionOf, fullMessage, recordLines, STORE_FAMILY } from './facts';

/** What one CSI/CBS record says about a corrupt component. */
export interface CsiCorruptionFact {
  kind: CorruptionKind;
  identity: ComponentIdentity | null;
  /** Hydration names the stored component the delta was applied to (`Matching Component = …`). */
  matchingIdentity: ComponentIdentity | null;
  file: string | null;
  hresult: string | null;
  /** A store-wide marker that names no component. */
  storeMarker: boolean;
  /** Also part of a failure chain: let the failure handler see the record too. */
  shared: boolean;
}

const MATCHING_BINARY = /\(F\)\s*Matching binary (.+?) missing for component (.+?)(?:\[gle=|$)/;
const HYDRATION_FOR_COMPONENT =
  /\(F\)\s*Hydration failed for component (.+?) on file (.+?) with NTSTATUS (-?\d+|0x[0-9a-f]+)(?:\.\s*Matching Component = (.+?)\.\s*(?:[A-Z]\w+ = |\[gle=|$))?/i;
const MARKED_DELETED = /\(F\)\s*Component marked deleted and is no longer available for:\s*(.*)/;
const MARK_STORE_CORRUPT = /\(F\)\s*Attempting to mark store corrupt with category\s*(.*)/;
const STORE_CORRUPT_STATUS = /\(F\)\s*STATUS_SXS_COMPONENT_STORE_CORRUPT\b/;
const PACKAGE_MANIFEST_MISSING = /^Store corruption, manifest missing for package:\s*(\S+)/;
const PACKAGE_CORRUPTION_FLAG = /^Mark store corruption flag because of package:\s*(.+)$/;
const HRESULT_FIELD = /\[HRESULT\s*=\s*(0x[0-9a-f]{1,8})/i;

/** Identity text up to the trailing `, type [l:14]'…'` field, which names the component's type, not it. */
function identityText(text: string): string {
  return text.replace(/,\s*type\s*\[.*$/, '').replace(/[\s.,]+$/, '').trim();
}

/** CSI's store-corruption categories (`CorruptPayloadFile`, `CorruptComponentValue`, …) as kinds. */
export function kindOfStoreCategory(category: string): CorruptionKind {
  const word = category.toLowerCase();
  if (word.includes('payload')) return word.includes('missing') ? 'payload-missing' : 'payload-corrupt';
  if (word.includes('manifest')) return word.includes('missing') ? 'manifest-missing' : 'manifest-corrupt';
  if (word.includes('component') || word.includes('identity') || word.includes('key') || word.includes('value')) {
    return 'metadata-corrupt';
  }
  return 'other';
}

function statusOf(text: string): string | null {
  return normalizeHresult(text);
}

/** Reads one record; null when it says nothing about corruption. Pure, never throws. */
export function describeCsiCorruption(record: LogRecord): CsiCorruptionFact | null {
  const text = record.text;
  const cbsMarker = (record.component === 'CBS' || record.component === '') &&
    (text.startsWith('Store corruption') || text.startsWith('Mark store corruption'));
  if (!cbsMarker && !text.includes('(F)') && !record.continuation.some((line) => line.includes('(F)'))) return null;
  const message = fullMessage(record);
  if (cbsMarker) {
    const manifest = PACKAGE_MANIFEST_MISSING.exec(message);
    if (manifest) return packageFact('mum-missing', manifest[1] ?? '', null, false);
    const flag = PACKAGE_CORRUPTION_FLAG.exec(message);
    if (flag) {
      const hresult = HRESULT_FIELD.exec(message)?.[1];
      return packageFact('other', flag[1] ?? '', hresult ? normalizeHresult(hresult) : null, true);
    }
  }
  if (!message.includes('(F)')) return null;

  const binary = MATCHING_BINARY.exec(message);
  if (binary) {
    return {
      kind: 'binary-missing',
      identity: parseComponentIdentity(identityText(binary[2] ?? '')),
      matchingIdentity: null,
      file: (binary[1] ?? '').trim() || null,
      hresult: null,
      storeMarker: false,
      shared: false,
    };
  }
  const hydration = HYDRATION_FOR_COMPONENT.exec(message);
  if (hydration) {
    return {
      kind: 'hydration-failed',
      identity: parseComponentIdentity(identityText(hydration[1] ?? '')),
      matchingIdentity: hydration[4] ? parseComponentIdentity(identityText(hydration[4])) : null,
      file: (hydration[2] ?? '').trim() || null,
      hresult: statusOf(hydration[3] ?? ''),
      storeMarker: false,
      shared: false,
    };
  }
  const deleted = MARKED_DELETED.exec(message);
  if (deleted) {
    const quoted = parseQuotedName(deleted[1] ?? '');
    const identity = findComponentKey(quoted?.value ?? deleted[1] ?? '')?.identity ?? null;
    if (identity) {
      return { kind: 'other', identity, matchingIdentity: null, file: null, hresult: null, storeMarker: false, shared: false };
    }
  }
  const category = MARK_STORE_CORRUPT.exec(message);
  if (category) {
    const name = parseQuotedName(category[1] ?? '')?.value ?? category[1] ?? '';
    return storeFact(kindOfStoreCategory(name), null);
  }
  if (STORE_CORRUPT_STATUS.test(message)) return storeFact('other', '0x80073712');
  return null;
}

/**
 * CSI's failure trace around a corruption: the source location (`(F) …\storelayout.cpp(2142): Error …
 * originated in function …`), the status hop (`(F) STATUS_… #62038# from …`), the component-less
 * `Hydration failed with error …` and advanced-installer `Logged @:` lines. They carry no fact of
 * their own (the lines that name the component do), so they are consumed without one.
 */
export function isCsiErrorTrace(record: LogRecord): boolean {
  if (record.component !== 'CSI' || !record.text.includes('(F)')) return false;
  const message = fullMessage(record);
  return /\(F\)\s.*originated in function/.test(message) ||
    /\(F\)\s*\S+ #\d+# (?:\d+ us )?from /.test(message) ||
    /\(F\)\s*Hydration failed with error/.test(message) ||
    /\(F\)\s*Logged @:/.test(message);
}

function packageFact(kind: CorruptionKind, text: string, hresult: string | null, shared: boolean): CsiCorruptionFact | null {
  const identity = parsePackageIdentity(text.replace(/\.$/, ''));
  if (!identity) return null;
  return { kind, identity, matchingIdentity: null, file: null, hresult, storeMarker: false, shared };
}

function storeFact(kind: CorruptionKind, hresult: string | null): CsiCorruptionFact {
  return { kind, identity: null, matchingIdentity: null, file: null, hresult, storeMarker: true, shared: false };
}

interface CsiCorruptionState {
  /** Local time of the last store-wide marker reported: CSI writes several per incident within a second. */
  lastStoreMarkerTime: string | null;
  /** `time|package` of the last package marker, so `manifest missing` + `Mark store corruption flag` count once. */
  lastPackageMarker: string | null;
}

/** Handler for CSI `(F)` corruption lines and CBS package corruption markers. */
export function csiCorruptionHandler(): RecordHandler<CsiCorruptionState> {
  let state: CsiCorruptionState = { lastStoreMarkerTime: null, lastPackageMarker: null };
  return {
    name: 'csi-corruption',
    handle(record: LogRecord, context: ParseContext, sink: FactSink): boolean {
      const fact = describeCsiCorruption(record);
      if (!fact) return isCsiErrorTrace(record);
      if (fact.storeMarker) {
        if (record.time !== null && record.time === state.lastStoreMarkerTime) return true;
        state.lastStoreMarkerTime = record.time;
      } else if (fact.identity && (fact.kind === 'mum-missing' || fact.shared)) {
        const key = `${record.time ?? ''}|${fact.identity.text}`;
        const repeated = key === state.lastPackageMarker;
        state.lastPackageMarker = key;
        if (repeated) return !fact.shared;
      }
      if (!fact.identity && !fact.storeMarker && !fact.file) return false;
      // A hydration failure names the component being installed; the stored base it hydrates from
      // (`Matching Component`) is what a hash mismatch of the same file is reported against.
      sink.addCorruption(
        corruptionOf({
          at: context.timestampOf(record),
          identity: fact.identity,
          fallbackFamily: fact.storeMarker ? STORE_FAMILY : undefined,
          file: fact.file,
          kind: fact.kind,
          source: 'cbs',
          repaired: false,
          hresult: fact.hresult,
          evidence: recordLines(record),
        }),
      );
      return !fact.shared;
    },
    flush(): void {},
    snapshot(): CsiCorruptionState {
      return { ...state };
    },
    restore(saved: CsiCorruptionState): void {
      state = {
        lastStoreMarkerTime: typeof saved?.lastStoreMarkerTime === 'string' ? saved.lastStoreMarkerTime : null,
        lastPackageMarker: typeof saved?.lastPackageMarker === 'string' ? saved.lastPackageMarker : null,
      };
    },
  };
}
