// Package state lines: Reporting package change (SQM and plain), Exec: lines, cached applicability read-outs.
import { PACKAGE_STATES, type PackageState } from '../protocol/report';
import { detach } from './framer';
import { findHresult } from './hresult-text';
import { keyValueReader } from './key-values';
import { MessageCache } from './message-cache';
import { cleanIdentity, kbOfUpdateName } from './package-identity';
import type { LogRecord, PackageMemo, PackageObservation, ParseContext, RecordHandler } from './record';

type StateWord = Exclude<PackageState, 'Failed'>;

const STATE_WORDS = new Set<string>(PACKAGE_STATES.filter((state) => state !== 'Failed'));

/** Decimal servicing states as `Read out cached package applicability` prints them (CBS state chart). */
const DECIMAL_STATES: ReadonlyMap<number, StateWord> = new Map([
  [0, 'Absent'], [5, 'Uninstall Pending'], [16, 'Resolving'], [32, 'Resolved'], [48, 'Staging'], [64, 'Staged'],
  [80, 'Superseded'], [96, 'Install Pending'], [101, 'Partially Installed'], [112, 'Installed'], [128, 'Permanent'],
]);

function stateWord(value: string | undefined): StateWord | null {
  if (!value) return null;
  if (STATE_WORDS.has(value)) return value as StateWord;
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

/** `decimalState(text.slice(from))` without the copy when the rest is one to three digits, as it nearly always is. */
function decimalStateAt(text: string, from: number): StateWord | null {
  const length = text.length - from;
  if (length < 1 || length > 3) return decimalState(text.slice(from));
  let number = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return decimalState(text.slice(from));
    number = number * 10 + code - 48;
  }
  return DECIMAL_STATES.get(number) ?? null;
}

/** `text.lastIndexOf(search)` at or after `from`, with indexOf (a fast built-in; lastIndexOf is a runtime call). */
function lastIndexOf(text: string, search: string, from: number): number {
  let found = text.indexOf(search, from);
  for (let next = found; next !== -1; next = text.indexOf(search, next + 1)) found = next;
  return found;
}

/** Status values by their text: a log prints a handful (`0x0`, a few failure codes) thousands of times. */
const STATUS_CODES = new Map<string, string | null>();
const STATUS_CODES_LIMIT = 256;

function statusOf(values: { get(key: string): string | undefined }, key: string): string | null {
  const raw = values.get(key);
  if (!raw) return null;
  let code = STATUS_CODES.get(raw);
  if (code === undefined) {
    code = findHresult(`status: ${raw.split(/\s/)[0] ?? ''}`)?.code ?? null;
    if (STATUS_CODES.size >= STATUS_CODES_LIMIT) STATUS_CODES.clear();
    STATUS_CODES.set(detach(raw), code);
  }
  return code;
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
/** The readers of those lines, looked up once rather than per line. */
const changeValues = keyValueReader(CHANGE_KEYS);
const execValues = keyValueReader(EXEC_KEYS);
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

/** What one package line says, apart from its time: shared by every line with the same message. */
type PackageLine = (Required<Omit<PackageObservation, 'at'>> & PackageMemo) | null;

/** Every field present, so all package lines share one object shape (the hot path stays monomorphic). */
function packageLine(fields: Pick<PackageObservation, 'identity' | 'state' | 'weight'> & Partial<PackageObservation>): PackageLine {
  return {
    identity: fields.identity,
    state: fields.state,
    weight: fields.weight,
    result: fields.result ?? null,
    failureSource: fields.failureSource ?? null,
    targetState: fields.targetState ?? null,
    client: fields.client ?? null,
    kb: fields.kb ?? null,
    slot: null,
  };
}

/** `consumed` without a fact: a package line that names none (selectable-update reports, a start without a package). */
const NO_FACT = Symbol('consumed without a fact');

/**
 * What the message of a package-state record says: an observation (without its time), NO_FACT
 * when the line is consumed without one, or null when it is not a package line this handler takes.
 */
function readPackageLine(text: string, record: LogRecord, cachedReadOut = text.startsWith(CACHED)): PackageLine | typeof NO_FACT {
  if (cachedReadOut) {
    const comma = text.indexOf(',', CACHED.length);
    const identity = identityAt(text, CACHED.length, comma === -1 ? text.length : comma);
    if (!identity) return null;
    const marker = lastIndexOf(text, 'CurrentState:', CACHED.length);
    const state = marker === -1 ? null : decimalStateAt(text, marker + 13);
    return packageLine({ identity, state, weight: 'observed' });
  }
  if (text.startsWith('SQM: Reporting selectable update change') || text.startsWith('Reporting selectable update change')) {
    return NO_FACT;
  }
  const reportAt = text.startsWith('SQM: ') ? 5 : 0;
  const completion = text.startsWith(COMPLETION, reportAt);
  if (completion || text.startsWith(CHANGE, reportAt)) {
    const values = changeValues.read(unwrapped(record));
    const identity = cleanIdentity(values.get('package'));
    if (!identity) return null;
    const result = statusOf(values, 'status');
    return packageLine({
      identity,
      state: stateWord(values.get('current')),
      weight: 'attempt',
      result: completion ? result : null,
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
    const state = current === -1 ? null : stateWord(text.slice(current + 9, end === -1 ? text.length : end));
    return packageLine({ identity, state, weight: 'observed' });
  }
  const step = /^Exec: (Staging|Installing|Skipping|Uninstalling|Resolving|Staging and installing) Package: /.exec(text);
  if (step) {
    const values = execValues.read(text);
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
    const values = execValues.read(text);
    const identity = cleanIdentity(values.get('Package'));
    if (!identity) return NO_FACT;
    return packageLine({ identity, state: null, weight: 'attempt', client: values.get('Client') ?? null, kb: kbOfUpdateName(values.get('Identifier')) });
  }
  if (text.startsWith('Exec: Processing complete')) {
    const full = unwrapped(record);
    const identity = cleanIdentity(execValues.read(full).get('Package'));
    const result = findHresult(full)?.code ?? null;
    return identity && result ? packageLine({ identity, state: null, weight: 'attempt', result }) : NO_FACT;
  }
  return null;
}

/** Package identities remembered; a log repeats the same few thousand lines at every servicing start. */
const LINE_CACHE_LIMIT = 8_192;
/**
 * Package lines read directly before the cache is used. Filling a cache costs more than it saves
 * on a short pass (an appended MiB holds about a thousand package lines, nearly all first
 * sightings), and a restored parser starts with an empty one.
 */
const CACHE_AFTER_LINES = 4_096;

/**
 * For the shapes `readPackageLine` reads (Read out cached …, (SQM: )Reporting …, Exec: …), what
 * tells a line from others of its kind, as a number: the identity as written (from the first
 * `ackage: ` on), or the whole message. Null for any other message. Without `keyed` (the cache is
 * not in use yet) only which kind of line it is: CACHED_READ_OUT for `Read out cached …`, else 0.
 */
const CACHED_READ_OUT = 1;

function packageLineKey(text: string, keyed: boolean): number | null {
  let start = -1;
  let stop = 44; // ','
  switch (text.charCodeAt(0)) {
    case 82 /* R */:
      if (text.startsWith(CACHED)) start = CACHED.length;
      else if (!text.startsWith('Read out cached') && !text.startsWith('Reporting ')) return null;
      break;
    case 83 /* S */:
      if (!text.startsWith('SQM: Reporting ')) return null;
      break;
    case 69 /* E */:
      if (!text.startsWith('Exec: ')) return null;
      if (text.startsWith(ALREADY)) {
        start = ALREADY.length;
        stop = 32; // ' '
      }
      break;
    default:
      return null;
  }
  if (!keyed) return start === CACHED.length ? CACHED_READ_OUT : 0;
  if (start === -1) {
    const at = text.indexOf('ackage: ');
    if (at === -1) return spanHash(text, 0, text.length);
    start = at + 8;
  }
  const end = text.indexOf(stop === 44 ? ',' : ' ', start);
  return spanHash(text, start, end === -1 ? text.length : end);
}

/**
 * A number for `text[start, end)` (FNV-1a over its characters): a map keyed by it needs no string
 * hashed or compared per line; the whole message is compared on a hit anyway.
 */
function spanHash(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

export function createPackageStateHandler(): RecordHandler<null> {
  // Message → what it says: a repeated line is not read again.
  const lines = new MessageCache<PackageLine | typeof NO_FACT | null, number>(LINE_CACHE_LIMIT);
  let packageLines = 0;

  return {
    name: 'package-state',
    handle(record, context: ParseContext, sink) {
      if (record.component !== 'CBS' && record.component !== '') return false;
      const text = record.text;
      const counted = record.continuation.length === 0;
      const cached = counted && packageLines >= CACHE_AFTER_LINES;
      const key = packageLineKey(text, cached);
      if (key === null) return false;
      if (counted) packageLines++;
      let line: PackageLine | typeof NO_FACT | undefined;
      if (cached) {
        line = lines.get(key, text);
        if (line === undefined) {
          line = readPackageLine(text, record);
          lines.set(key, text, line);
        }
      } else {
        line = readPackageLine(text, record, key === CACHED_READ_OUT);
      }
      if (line === null) return false;
      if (line === NO_FACT) return true;
      // A remembered line (the cache is in use) names its package again and again: it carries the sink's memo.
      sink.observePackage?.({
        identity: line.identity, at: context.timestampOf(record), state: line.state, weight: line.weight, result: line.result,
        failureSource: line.failureSource, targetState: line.targetState, client: line.client, kb: line.kb,
      }, cached ? line : undefined);
      return true;
    },
    flush() {},
    snapshot() {
      return null;
    },
    restore() {},
  };
}
