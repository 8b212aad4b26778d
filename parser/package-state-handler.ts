// Package state lines: Reporting package change (SQM and plain), Exec: lines, cached applicability read-outs.
//
// The CBS lines this handler reads (component CBS, or none in a paste), by the message after the head:
//
//   Read out cached package applicability for package: IDENTITY, ApplicableState: N, CurrentState:N
//     Read out cached package applicability for package: Package_for_KB3121255~31bf3856ad364e35~amd64~~6.1.1.0, ApplicableState: 112, CurrentState:112
//     → observed; the state is CurrentState as a number of the CBS state chart (DECIMAL_STATES).
//
//   [SQM: ]Reporting package change for package: IDENTITY, current: STATE, pending: …, start: …, applicable: …,
//           target: STATE, limit: …, hotpatch status: …, status: 0x0, failure source: PHASE, reboot required: …, client id: CLIENT, …
//     SQM: Reporting package change for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, current: Resolved, pending: Default, start: Resolved, applicable: Installed, target: Installed, limit: Installed, hotpatch status: StillGoing, status: 0x0, failure source: Stage, reboot required: False, client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1186, first merged sequence: 1186
//     → attempt; state `current:`, where it is heading `target:`, the client; no result yet.
//
//   [SQM: ]Reporting package change completion for package: IDENTITY, current: STATE, original: …, target: STATE,
//           status: HRESULT, failure source: PHASE, failure details: …, client id: CLIENT, …
//     SQM: Reporting package change completion for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, current: Resolved, original: Resolved, target: Installed, status: 0x80070002, failure source: Stage, failure details: "(null)", client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1186, first merged sequence: 1186
//     → attempt, as above, with `status:` as its result (a failure code makes the package Failed).
//
//   [SQM: ]Reporting selectable update change …  → consumed, no fact.
//
//   Exec: Package: IDENTITY is already in the correct state, current: STATE, targeted: STATE
//     Exec: Package: Package_561_for_KB4462926~31bf3856ad364e35~amd64~~6.3.1.5 is already in the correct state, current: Installed, targeted: Installed
//     → observed, state `current:`.
//
//   Exec: (Staging|Installing|Skipping|Uninstalling|Resolving|Staging and installing) Package: IDENTITY, Update: UPDATE, …
//     Exec: Staging Package: Package_3_for_KB2706045~31bf3856ad364e35~amd64~~6.1.1.0, Update: 2706045-8_neutral_GDR, PinDeployment: amd64_695c405833e475d1d5937b41a3983d92_31bf3856ad364e35_8.0.7601.17866_none_f28003cc92801a49
//     → attempt (Skipping: observed); state Staging or Resolving for those verbs, none for the others; KB from `Update:`.
//
//   Exec: Processing started.  Client: CLIENT, Session: …, Package: IDENTITY, Identifier: KB…
//     Exec: Processing started.  Client: WindowsUpdateAgent, Session: 31143742_1852339671, Package: Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9, Identifier: KB5043064
//     → attempt with its client and KB, no state (without a package: consumed, no fact).
//
//   Exec: Processing complete.  Session: …, Package: IDENTITY [HRESULT = CODE - NAME]
//     Exec: Processing complete.  Session: 31143742_1852339671, Package: Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9 [HRESULT = 0x8007000d - ERROR_INVALID_PARAMETER]
//     → attempt with the HRESULT as its result (without a package or a code: consumed, no fact).
//
// `key: value` lines are split on their known keys (key-values.ts), since CBS does not always print the commas.
// A line a console wrapped (continuation lines) is joined back first. Any other message is not this handler's.
import { PACKAGE_STATES, type PackageState } from '../protocol/report';
import { findHresult } from './hresult-text';
import { KeySet, readKeyValues } from './key-values';
import { cleanIdentity, kbOfUpdateName } from './package-identity';
import type { LogRecord, PackageObservation, RecordHandler } from './record';

type StateWord = Exclude<PackageState, 'Failed'>;

const STATE_WORDS = new Set<string>(PACKAGE_STATES.filter((state) => state !== 'Failed'));

/** Decimal servicing states as `Read out cached package applicability` prints them (CBS state chart). */
const DECIMAL_STATES: ReadonlyMap<number, StateWord> = new Map([
  [0, 'Absent'], [5, 'Uninstall Pending'], [16, 'Resolving'], [32, 'Resolved'], [48, 'Staging'], [64, 'Staged'],
  [80, 'Superseded'], [96, 'Install Pending'], [101, 'Partially Installed'], [112, 'Installed'], [128, 'Permanent'],
]);

const CACHED = 'Read out cached package applicability for package: ';
const CHANGE = 'Reporting package change for package: ';
const COMPLETION = 'Reporting package change completion for package: ';
const SELECTABLE = 'Reporting selectable update change';
const ALREADY = 'Exec: Package: ';
const EXEC_STEP = /^Exec: (Staging|Installing|Skipping|Uninstalling|Resolving|Staging and installing) Package: /;

/** Keys of the package change / completion lines (and the longer keys that contain them). */
const CHANGE_KEYS = new KeySet([
  'package', 'current', 'pending', 'start', 'applicable', 'target', 'targeted', 'limit', 'original', 'hotpatch status',
  'status', 'failure source', 'failure details', 'reboot required', 'client id', 'initiated offline', 'download status',
  'overall result',
]);
const EXEC_KEYS = new KeySet(['Package', 'Update', 'current', 'targeted', 'Client', 'Session', 'Identifier']);

function stateWord(value: string | undefined): StateWord | null {
  if (!value) return null;
  const word = value.replace(/[.,]+$/, '').trim();
  return STATE_WORDS.has(word) ? (word as StateWord) : null;
}

export function decimalState(value: string | undefined): StateWord | null {
  const digits = value?.trim();
  if (!digits || !/^\d{1,3}$/.test(digits)) return null;
  return DECIMAL_STATES.get(Number(digits)) ?? null;
}

function statusOf(values: Map<string, string>): string | null {
  const raw = values.get('status');
  return raw ? (findHresult(`status: ${raw.split(/\s/)[0] ?? ''}`)?.code ?? null) : null;
}

/** An identity as printed that needs no cleaning: no control character, blank, quote or backtick, and no trailing `.` or `,`. */
const PLAIN_IDENTITY = /^[^\0-\x20"'`]*[^\0-\x20"'`.,]$/;

/** The identity in `text[start, end)`: as printed when it is plain, else cleaned (package-identity.ts). */
function identityAt(text: string, start: number, end: number): string | null {
  const printed = text.slice(start, end);
  return PLAIN_IDENTITY.test(printed) ? printed : cleanIdentity(printed);
}

/** Console-wrapped pastes break lines mid-word; the wrapped pieces are joined back without a separator. */
function unwrapped(record: LogRecord): string {
  return record.continuation.length === 0 ? record.text : record.text + record.continuation.join('');
}

/** What one package line says, apart from its time (the same for every line with the same message). */
type PackageLine = Required<Omit<PackageObservation, 'at'>>;

/** A line's fields, the absent ones null: every observation then has the same fields, which the store reads fastest. */
function packageLine(fields: Pick<PackageLine, 'identity' | 'state' | 'weight'> & Partial<PackageLine>): PackageLine {
  return {
    identity: fields.identity, state: fields.state, weight: fields.weight, result: fields.result ?? null,
    failureSource: fields.failureSource ?? null, targetState: fields.targetState ?? null, client: fields.client ?? null, kb: fields.kb ?? null,
  };
}

/** A package line that names no fact: selectable-update reports, a start or completion without a package. */
const NO_FACT = Symbol('no fact');

/** Whether a message has the start of a line in the grammar above (cheap: most records are other lines). */
function isPackageMessage(text: string): boolean {
  return text.startsWith('Exec: ') || text.startsWith('Reporting ') || text.startsWith('SQM: Reporting ') || text.startsWith(CACHED);
}

/** What a package line says, NO_FACT, or null when it is not a line of the grammar after all. */
function readPackageLine(record: LogRecord): PackageLine | typeof NO_FACT | null {
  const text = record.text;
  if (text.startsWith(CACHED)) {
    const comma = text.indexOf(',', CACHED.length);
    const identity = identityAt(text, CACHED.length, comma === -1 ? text.length : comma);
    if (!identity) return null;
    const marker = text.lastIndexOf('CurrentState:');
    const state = marker < CACHED.length ? null : decimalState(text.slice(marker + 'CurrentState:'.length));
    return packageLine({ identity, state, weight: 'observed' });
  }
  const reportAt = text.startsWith('SQM: ') ? 5 : 0;
  if (text.startsWith(SELECTABLE, reportAt)) return NO_FACT;
  const completion = text.startsWith(COMPLETION, reportAt);
  if (completion || text.startsWith(CHANGE, reportAt)) {
    const values = readKeyValues(unwrapped(record), CHANGE_KEYS);
    const identity = cleanIdentity(values.get('package'));
    if (!identity) return null;
    return packageLine({
      identity,
      state: stateWord(values.get('current')),
      weight: 'attempt',
      result: completion ? statusOf(values) : null,
      failureSource: values.get('failure source') ?? null,
      targetState: values.get('target') ?? values.get('targeted') ?? null,
      client: values.get('client id') ?? null,
    });
  }
  if (!text.startsWith('Exec: ')) return null;
  if (text.startsWith(ALREADY)) {
    const phrase = text.indexOf(' is already in the correct state', ALREADY.length);
    const identity = phrase === -1 ? null : identityAt(text, ALREADY.length, phrase);
    if (!identity) return null;
    const current = text.indexOf('current: ', phrase);
    const end = current === -1 ? -1 : text.indexOf(',', current);
    const state = current === -1 ? null : stateWord(text.slice(current + 'current: '.length, end === -1 ? text.length : end));
    return packageLine({ identity, state, weight: 'observed' });
  }
  const step = EXEC_STEP.exec(text);
  if (step) {
    const values = readKeyValues(text, EXEC_KEYS);
    const identity = cleanIdentity(values.get('Package'));
    if (!identity) return null;
    return packageLine({
      identity,
      state: step[1] === 'Staging' ? 'Staging' : step[1] === 'Resolving' ? 'Resolving' : null,
      weight: step[1] === 'Skipping' ? 'observed' : 'attempt',
      kb: kbOfUpdateName(values.get('Update')),
    });
  }
  if (text.startsWith('Exec: Processing started.')) {
    const values = readKeyValues(text, EXEC_KEYS);
    const identity = cleanIdentity(values.get('Package'));
    if (!identity) return NO_FACT;
    return packageLine({ identity, state: null, weight: 'attempt', client: values.get('Client') ?? null, kb: kbOfUpdateName(values.get('Identifier')) });
  }
  if (text.startsWith('Exec: Processing complete')) {
    const full = unwrapped(record);
    const identity = cleanIdentity(readKeyValues(full, EXEC_KEYS).get('Package'));
    const result = findHresult(full)?.code ?? null;
    return identity && result ? packageLine({ identity, state: null, weight: 'attempt', result }) : NO_FACT;
  }
  return null;
}

/** Messages remembered; a log repeats the same few thousand package lines at every servicing start. */
const REMEMBERED_LIMIT = 8_192;
/**
 * Package lines read before any is remembered. On a short pass (an appended MiB holds about a
 * thousand package lines, nearly all first sightings) remembering costs more than it saves, and a
 * restored parser starts with nothing remembered; a long pass repeats the same lines many times.
 */
const REMEMBER_AFTER_LINES = 4_096;

export function createPackageStateHandler(): RecordHandler<null> {
  // What each package message says, so a repeated line is not read again (whole messages only: a wrapped one is read).
  const remembered = new Map<string, PackageLine | typeof NO_FACT | null>();
  let linesRead = 0;

  return {
    name: 'package-state',
    handle(record, context, sink) {
      if (record.component !== 'CBS' && record.component !== '') return false;
      if (!isPackageMessage(record.text)) return false;
      const rememberable = record.continuation.length === 0 && linesRead++ >= REMEMBER_AFTER_LINES;
      let line = rememberable ? remembered.get(record.text) : undefined;
      if (line === undefined) {
        line = readPackageLine(record);
        if (rememberable) {
          if (remembered.size >= REMEMBERED_LIMIT) remembered.clear();
          remembered.set(record.text, line);
        }
      }
      if (line === null) return false;
      if (line === NO_FACT) return true;
      sink.observePackage?.({
        identity: line.identity, at: context.timestampOf(record), state: line.state, weight: line.weight, result: line.result,
        failureSource: line.failureSource, targetState: line.targetState, client: line.client, kb: line.kb,
      });
      return true;
    },
    flush() {},
    snapshot() {
      return null;
    },
    restore() {},
  };
}
