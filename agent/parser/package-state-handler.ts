// Package state lines: Reporting package change (SQM and plain), Exec: lines, cached applicability read-outs.
import { PACKAGE_STATES, type PackageState } from '../../protocol/report';
import { findHresult } from './hresult-text';
import { readKeyValues } from './key-values';
import { cleanIdentity, kbOfUpdateName } from './package-identity';
import type { FactSink, LogRecord, PackageObservation, ParseContext, RecordHandler } from './record';

type StateWord = Exclude<PackageState, 'Failed'>;

const STATE_WORDS = new Set<string>(PACKAGE_STATES.filter((state) => state !== 'Failed'));

/** Decimal servicing states as `Read out cached package applicability` prints them (CBS state chart). */
const DECIMAL_STATES: ReadonlyMap<number, StateWord> = new Map([
  [0, 'Absent'], [5, 'Uninstall Pending'], [16, 'Resolving'], [32, 'Resolved'], [48, 'Staging'], [64, 'Staged'],
  [80, 'Superseded'], [96, 'Install Pending'], [101, 'Partially Installed'], [112, 'Installed'], [128, 'Permanent'],
]);

function stateWord(value: string | undefined): StateWord | null {
  if (!value) return null;
  const word = value.replace(/[.,]+$/, '').trim();
  return STATE_WORDS.has(word) ? (word as StateWord) : null;
}

export function decimalState(value: string | undefined): StateWord | null {
  if (!value || !/^\d{1,3}$/.test(value.trim())) return null;
  return DECIMAL_STATES.get(Number(value.trim())) ?? null;
}

function statusOf(values: Map<string, string>, key: string): string | null {
  const raw = values.get(key);
  return raw ? (findHresult(`status: ${raw.split(/\s/)[0] ?? ''}`)?.code ?? null) : null;
}

/** Console-wrapped pastes break lines mid-word; the wrapped pieces are joined back without a separator. */
function unwrapped(record: LogRecord): string {
  return record.continuation.length === 0 ? record.text : record.text + record.continuation.join('');
}

/** Keys of the package change / completion lines (and the longer keys that contain them). */
const CHANGE_KEYS = [
  'package', 'current', 'pending', 'start', 'applicable', 'target', 'targeted', 'limit', 'original', 'hotpatch status',
  'status', 'failure source', 'failure details', 'reboot required', 'client id', 'initiated offline', 'download status',
  'overall result',
];
const EXEC_KEYS = ['Package', 'Update', 'current', 'targeted', 'Client', 'Session', 'Identifier'];
const CACHED = 'Read out cached package applicability for package: ';
/** An identity that needs no cleaning (no blanks, quotes or trailing punctuation). */
const PLAIN_IDENTITY = /^[\w~.-]+[\w]$/;

const CHANGE = /^(?:SQM: )?Reporting package change for package: /;
const COMPLETION = /^(?:SQM: )?Reporting package change completion for package: /;

export function createPackageStateHandler(): RecordHandler<null> {
  function observe(sink: FactSink, observation: PackageObservation): void {
    sink.observePackage?.(observation);
  }

  return {
    name: 'package-state',
    handle(record, context: ParseContext, sink) {
      if (record.component !== 'CBS' && record.component !== '') return false;
      const text = record.text;
      const first = text.charCodeAt(0);
      // R(eporting / Read out), S(QM:), E(xec:)
      if (first !== 82 && first !== 83 && first !== 69) return false;

      if (text.startsWith('SQM: Reporting selectable update change') || text.startsWith('Reporting selectable update change')) {
        return true;
      }
      const completion = COMPLETION.test(text);
      if (completion || CHANGE.test(text)) {
        const values = readKeyValues(unwrapped(record), CHANGE_KEYS);
        const identity = cleanIdentity(values.get('package'));
        if (!identity) return false;
        const result = statusOf(values, 'status');
        observe(sink, {
          identity,
          at: context.timestampOf(record),
          state: stateWord(values.get('current')),
          weight: 'attempt',
          result: completion ? result : null,
          failureSource: values.get('failure source') ?? null,
          targetState: values.get('target') ?? values.get('targeted') ?? null,
          client: values.get('client id') ?? null,
        });
        return true;
      }
      if (text.startsWith(CACHED)) {
        const comma = text.indexOf(',', CACHED.length);
        const raw = text.slice(CACHED.length, comma === -1 ? text.length : comma);
        const identity = PLAIN_IDENTITY.test(raw) ? raw : cleanIdentity(raw);
        if (!identity) return false;
        const current = /CurrentState:\s*(\d+)/.exec(text)?.[1];
        observe(sink, { identity, at: context.timestampOf(record), state: decimalState(current), weight: 'observed' });
        return true;
      }
      if (!text.startsWith('Exec: ')) return false;

      if (text.startsWith('Exec: Package: ') && text.includes('is already in the correct state')) {
        const values = readKeyValues(text, EXEC_KEYS);
        const identity = cleanIdentity(values.get('Package'));
        if (!identity) return false;
        observe(sink, { identity, at: context.timestampOf(record), state: stateWord(values.get('current')), weight: 'observed' });
        return true;
      }
      const step = /^Exec: (Staging|Installing|Skipping|Uninstalling|Resolving|Staging and installing) Package: /.exec(text);
      if (step) {
        const values = readKeyValues(text, EXEC_KEYS);
        const identity = cleanIdentity(values.get('Package'));
        if (!identity) return false;
        observe(sink, {
          identity,
          at: context.timestampOf(record),
          state: step[1] === 'Staging' ? 'Staging' : step[1] === 'Resolving' ? 'Resolving' : null,
          weight: step[1] === 'Skipping' ? 'observed' : 'attempt',
          kb: kbOfUpdateName(values.get('Update')),
        });
        return true;
      }
      if (text.startsWith('Exec: Processing started.')) {
        const values = readKeyValues(text, EXEC_KEYS);
        const identity = cleanIdentity(values.get('Package'));
        if (!identity) return true;
        observe(sink, {
          identity,
          at: context.timestampOf(record),
          state: null,
          weight: 'attempt',
          client: values.get('Client') ?? null,
          kb: kbOfUpdateName(values.get('Identifier')),
        });
        return true;
      }
      if (text.startsWith('Exec: Processing complete')) {
        const full = unwrapped(record);
        const identity = cleanIdentity(readKeyValues(full, EXEC_KEYS).get('Package'));
        const result = findHresult(full)?.code ?? null;
        if (identity && result) observe(sink, { identity, at: context.timestampOf(record), state: null, weight: 'attempt', result });
        return true;
      }
      return false;
    },
    flush() {},
    snapshot() {
      return null;
    },
    restore() {},
  };
}
