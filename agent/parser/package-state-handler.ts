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
  if (!value) return null;
  const digits = value.trim();
  if (digits.length === 0 || digits.length > 3) return null;
  let number = 0;
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) return null;
    number = number * 10 + code - 48;
  }
  return DECIMAL_STATES.get(number) ?? null;
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
const ALREADY = 'Exec: Package: ';

/** The identity in `text[start, end)`; cleaned (quotes, blanks, trailing punctuation) only when it needs it. */
function identityAt(text: string, start: number, end: number): string | null {
  if (end <= start) return null;
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const code = text.charCodeAt(i);
    plain = code > 32 && code !== 34 && code !== 39 && code !== 96;
  }
  const lastCode = text.charCodeAt(end - 1);
  if (plain && lastCode !== 46 && lastCode !== 44) return text.slice(start, end);
  return cleanIdentity(text.slice(start, end));
}

const CHANGE = 'Reporting package change for package: ';
const COMPLETION = 'Reporting package change completion for package: ';

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

      if (text.startsWith(CACHED)) {
        const comma = text.indexOf(',', CACHED.length);
        const identity = identityAt(text, CACHED.length, comma === -1 ? text.length : comma);
        if (!identity) return false;
        const marker = text.lastIndexOf('CurrentState:');
        const state = marker === -1 ? null : decimalState(text.slice(marker + 13));
        observe(sink, { identity, at: context.timestampOf(record), state, weight: 'observed' });
        return true;
      }
      if (text.startsWith('SQM: Reporting selectable update change') || text.startsWith('Reporting selectable update change')) {
        return true;
      }
      const reportAt = text.startsWith('SQM: ') ? 5 : 0;
      const completion = text.startsWith(COMPLETION, reportAt);
      if (completion || text.startsWith(CHANGE, reportAt)) {
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
      if (!text.startsWith('Exec: ')) return false;

      if (text.startsWith(ALREADY)) {
        const phrase = text.indexOf(' is already in the correct state', ALREADY.length);
        const identity = phrase === -1 ? null : identityAt(text, ALREADY.length, phrase);
        if (!identity) return false;
        const current = text.indexOf('current: ', phrase);
        const end = current === -1 ? -1 : text.indexOf(',', current);
        const state = current === -1 ? null : stateWord(text.slice(current + 9, end === -1 ? text.length : end));
        observe(sink, { identity, at: context.timestampOf(record), state, weight: 'observed' });
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
