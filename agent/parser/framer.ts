// Splits decoded text into physical lines and groups them into logical records (head + continuations).
import { emptyLineHead, readFixedHead, readTolerantHead } from './line-head';
import { isSkippableNoise } from './noise';
import type { LogKind, LogRecord } from './record';

/** Lines longer than this are cut (the rest up to the newline is dropped) so memory stays bounded. */
export const MAX_LINE_CHARS = 1 << 20;
/** A record holding more continuation lines (or characters) than this is closed and the next line starts a new one. */
export const MAX_CONTINUATION_LINES = 20_000;
export const MAX_RECORD_CHARS = 4 * MAX_LINE_CHARS;

export interface FramerOutput {
  /** A finished record that is not known noise. */
  record(record: LogRecord): void;
  /** A CSI `seq@YYYY/M/D:HH:MM:SS.mmm` stamp (UTC) seen on a line whose local time is `localTime`. */
  clockSample(localTime: string, utcStamp: string): void;
}

/** The open record, kept as plain data so it can be saved in a snapshot and resumed. */
export interface PendingRecordState {
  raw: string;
  timeStart: number;
  level: string | null;
  messageId: string | null;
  component: string;
  csiSequence: string | null;
  csiUtc: string | null;
  textStart: number;
  continuation: string[];
  file: string;
  line: number;
}

export interface FramerState {
  file: string;
  kind: LogKind;
  /** Physical lines completed in the current file. */
  lines: number;
  /** Text after the last newline (an unterminated line), capped at MAX_LINE_CHARS. */
  carry: string;
  /** True while dropping the rest of an over-long line up to its newline. */
  discarding: boolean;
  pending: PendingRecordState | null;
  /** True while the open record is known noise: it and its continuation lines are dropped unread. */
  skipping: boolean;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

/** Copies a string so it no longer pins the multi-megabyte chunk it was sliced from. */
export function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

export class RecordFramer {
  private file = '';
  private kind: LogKind = 'cbs';
  private lines = 0;
  private carry = '';
  private discarding = false;
  private pending: PendingRecordState | null = null;
  private skipping = false;
  /** Characters held by the open record, to keep one record's memory bounded. */
  private pendingChars = 0;
  /** `YYYY-MM-DD HH` of the last clock sample: a zone offset changes at most hourly, so sample once an hour. */
  private sampledHour = '';
  private readonly head = emptyLineHead();

  /** `keepNoise` hands known noise to the output too (tests that look at framing alone). */
  constructor(private readonly out: FramerOutput, private readonly options: { keepNoise?: boolean } = {}) {}

  get currentFile(): string {
    return this.file;
  }

  get lineCount(): number {
    return this.lines;
  }

  get hasCarry(): boolean {
    return this.carry.length > 0 || this.discarding;
  }

  /**
   * Starts (or, with `firstLine`, resumes) a file. The open record is kept: only the next head
   * closes it, so a record whose continuation lines arrive in a later read is still one record.
   */
  beginFile(name: string, kind: LogKind, firstLine = 0): void {
    this.file = name;
    this.kind = kind;
    this.lines = firstLine;
    this.sampledHour = '';
    this.carry = '';
    this.discarding = false;
  }

  /** Feeds decoded text; complete lines are framed now, the unterminated remainder is kept. */
  pushText(text: string): void {
    let start = 0;
    let newline = text.indexOf('\n');
    if (newline === -1) {
      this.appendCarry(text);
      return;
    }
    if (this.carry.length > 0 || this.discarding) {
      this.appendCarry(text.slice(0, newline));
      const line = this.carry;
      this.carry = '';
      this.discarding = false;
      this.takeSpan(line, 0, line.length);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      this.takeSpan(text, start, newline - start > MAX_LINE_CHARS ? start + MAX_LINE_CHARS : newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.appendCarry(text.slice(start));
  }

  /** End of the file's bytes: the unterminated last line (if any) becomes a line. */
  flushCarry(): void {
    if (this.carry.length === 0 && !this.discarding) return;
    const line = this.carry;
    this.carry = '';
    this.discarding = false;
    this.takeSpan(line, 0, line.length);
  }

  /** Drops the unterminated tail without framing it (a later read will deliver the whole line). */
  takeCarry(): string {
    const carry = this.carry;
    this.carry = '';
    this.discarding = false;
    return carry;
  }

  /** Closes the open record: nothing that follows can continue it. */
  flushPending(): void {
    const pending = this.pending;
    this.skipping = false;
    if (!pending) return;
    this.pending = null;
    this.out.record(this.toRecord(pending));
  }

  snapshot(): FramerState {
    const pending = this.pending
      ? { ...this.pending, raw: detach(this.pending.raw), continuation: this.pending.continuation.map(detach) }
      : null;
    return {
      file: this.file, kind: this.kind, lines: this.lines, carry: detach(this.carry), discarding: this.discarding,
      pending, skipping: this.skipping,
    };
  }

  restore(state: FramerState): void {
    this.file = state.file;
    this.kind = state.kind;
    this.lines = state.lines;
    this.carry = state.carry;
    this.discarding = state.discarding;
    this.pending = state.pending ? { ...state.pending, continuation: [...state.pending.continuation] } : null;
    this.skipping = state.skipping;
    this.pendingChars = this.pending ? this.pending.raw.length + this.pending.continuation.reduce((sum, line) => sum + line.length, 0) : 0;
  }

  private appendCarry(text: string): void {
    if (this.discarding) return;
    const room = MAX_LINE_CHARS - this.carry.length;
    if (text.length > room) {
      this.carry += text.slice(0, room);
      this.discarding = true;
    } else {
      this.carry += text;
    }
  }

  /**
   * One physical line, `text[start, end)` without its newline. Known noise (most of a log) is
   * recognised from the head and message start in place, without copying the line.
   */
  private takeSpan(text: string, start: number, end: number): void {
    this.lines++;
    while (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (this.kind === 'checksur') {
      const line = text.slice(start, end);
      this.flushPending();
      this.out.record({
        time: null, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
        text: line.trim(), continuation: [], raw: line, file: this.file, line: this.lines,
      });
      return;
    }
    const head = this.head;
    if (readFixedHead(text, head, start, end)) {
      this.openRecord(text, start, end);
      return;
    }
    const line = text.slice(start, end);
    if (readTolerantHead(line, head)) this.openRecord(line, 0, line.length);
    else this.continueWith(line);
  }

  /** A head line (already read into `this.head`, indices absolute in `text`) opens a record. */
  private openRecord(text: string, start: number, end: number): void {
    const head = this.head;
    let textStart = head.messageStart;
    let sequenceStart = -1;
    let stampStart = -1;
    let stampEnd = -1;
    if (head.component === 'CSI') {
      const afterSequence = textStart + 8;
      // First, middle and last digit: re-chunked records continue with text that fails one of them.
      const isSequence = end >= afterSequence && isHex(text.charCodeAt(textStart)) &&
        isHex(text.charCodeAt(textStart + 4)) && isHex(text.charCodeAt(textStart + 7));
      const next = afterSequence < end ? text.charCodeAt(afterSequence) : -1;
      if (isSequence && (next === -1 || next === 32 || next === 64 /* @ */ || next === 9)) {
        sequenceStart = textStart;
        textStart = afterSequence;
        if (next === 64) {
          stampStart = afterSequence + 1;
          stampEnd = text.indexOf(' ', stampStart);
          if (stampEnd === -1 || stampEnd > end) stampEnd = end;
          textStart = stampEnd;
        }
        while (textStart < end && text.charCodeAt(textStart) === 32) textStart++;
      } else if (this.pending || this.skipping) {
        // A CSI record re-chunked mid-token: the "head" continues the previous record.
        if (!this.skipping) this.continueWith(text.slice(start, end), true);
        return;
      }
    }
    if (stampEnd > stampStart && head.timeStart >= 0 && (this.sampledHour === '' || !text.startsWith(this.sampledHour, head.timeStart))) {
      this.sampledHour = text.slice(head.timeStart, head.timeStart + 13);
      this.out.clockSample(text.slice(head.timeStart, head.timeStart + 19), text.slice(stampStart, stampEnd));
    }
    if (!this.options.keepNoise && isSkippableNoise(head.component, text, textStart)) {
      this.flushPending();
      this.skipping = true;
      return;
    }
    this.flushPending();
    const line = start === 0 && end === text.length ? text : text.slice(start, end);
    this.pendingChars = line.length;
    this.pending = {
      raw: line,
      timeStart: head.timeStart >= 0 ? head.timeStart - start : -1,
      level: head.level,
      messageId: head.messageId,
      component: head.component,
      csiSequence: sequenceStart >= 0 ? text.slice(sequenceStart, sequenceStart + 8) : null,
      csiUtc: stampEnd > stampStart ? text.slice(stampStart, stampEnd) : null,
      textStart: textStart - start,
      continuation: [],
      file: this.file,
      line: this.lines,
    };
  }

  private continueWith(line: string, evenHeadless = false): void {
    if (this.skipping) return; // a continuation of known noise
    const pending = this.pending;
    if (
      pending && (evenHeadless || pending.level !== null) && pending.continuation.length < MAX_CONTINUATION_LINES &&
      this.pendingChars + line.length <= MAX_RECORD_CHARS
    ) {
      pending.continuation.push(line);
      this.pendingChars += line.length;
      return;
    }
    // Head-less text with no head before it (a paste without prefixes), or past the continuation
    // cap: each such line is a record of its own.
    this.flushPending();
    this.pendingChars = line.length;
    this.pending = {
      raw: line, timeStart: -1, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
      textStart: 0, continuation: [], file: this.file, line: this.lines,
    };
  }

  private toRecord(pending: PendingRecordState): LogRecord {
    const raw = pending.raw;
    let end = raw.length;
    while (end > pending.textStart && (raw.charCodeAt(end - 1) === 32 || raw.charCodeAt(end - 1) === 9)) end--;
    let textStart = pending.textStart;
    if (pending.timeStart < 0 && pending.level === null) {
      while (textStart < end && (raw.charCodeAt(textStart) === 32 || raw.charCodeAt(textStart) === 9)) textStart++;
    }
    return {
      time: pending.timeStart >= 0 ? raw.slice(pending.timeStart, pending.timeStart + 19) : null,
      level: pending.level,
      messageId: pending.messageId,
      component: pending.component,
      csiSequence: pending.csiSequence,
      csiUtc: pending.csiUtc,
      text: raw.slice(textStart, end),
      continuation: pending.continuation,
      raw,
      file: pending.file,
      line: pending.line,
    };
  }
}
