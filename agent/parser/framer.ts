// Splits decoded text into physical lines and groups them into logical records (head + continuations).
import { emptyLineHead, readFixedHead, readTolerantHead } from './line-head';
import { isSkippableNoise } from './noise';
import type { LogKind, LogRecord } from './record';

/** Lines longer than this are cut (the rest up to the newline is dropped) so memory stays bounded. */
export const MAX_LINE_CHARS = 1 << 20;
/** A record holding more continuation lines than this is closed and the next line starts a new one. */
export const MAX_CONTINUATION_LINES = 20_000;

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
  skip: boolean;
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
  private readonly head = emptyLineHead();

  constructor(private readonly out: FramerOutput) {}

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
      this.takeLine(line);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    while (newline !== -1) {
      let end = newline;
      while (end > start && text.charCodeAt(end - 1) === 13) end--;
      this.takeLine(end - start > MAX_LINE_CHARS ? text.slice(start, start + MAX_LINE_CHARS) : text.slice(start, end));
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
    this.takeLine(line);
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
    if (!pending) return;
    this.pending = null;
    if (pending.skip) return;
    this.out.record(this.toRecord(pending));
  }

  snapshot(): FramerState {
    const pending = this.pending
      ? { ...this.pending, raw: detach(this.pending.raw), continuation: this.pending.continuation.map(detach) }
      : null;
    return { file: this.file, kind: this.kind, lines: this.lines, carry: detach(this.carry), discarding: this.discarding, pending };
  }

  restore(state: FramerState): void {
    this.file = state.file;
    this.kind = state.kind;
    this.lines = state.lines;
    this.carry = state.carry;
    this.discarding = state.discarding;
    this.pending = state.pending ? { ...state.pending, continuation: [...state.pending.continuation] } : null;
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

  private takeLine(line: string): void {
    this.lines++;
    let end = line.length;
    while (end > 0 && line.charCodeAt(end - 1) === 13) end--;
    if (end !== line.length) line = line.slice(0, end);
    if (this.kind === 'checksur') {
      this.flushPending();
      this.out.record({
        time: null, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
        text: line.trim(), continuation: [], raw: line, file: this.file, line: this.lines,
      });
      return;
    }
    const head = this.head;
    if (!readFixedHead(line, head) && !readTolerantHead(line, head)) {
      this.continueWith(line);
      return;
    }
    let textStart = head.messageStart;
    let csiSequence: string | null = null;
    let csiUtc: string | null = null;
    if (head.component === 'CSI') {
      const afterSequence = textStart + 8;
      let isSequence = line.length >= afterSequence;
      for (let i = textStart; isSequence && i < afterSequence; i++) isSequence = isHex(line.charCodeAt(i));
      const next = line.charCodeAt(afterSequence);
      if (isSequence && (line.length === afterSequence || next === 32 || next === 64 /* @ */ || next === 9)) {
        csiSequence = line.slice(textStart, afterSequence);
        textStart = afterSequence;
        if (next === 64) {
          let stampEnd = line.indexOf(' ', afterSequence);
          if (stampEnd === -1) stampEnd = line.length;
          if (stampEnd > afterSequence + 1) {
            csiUtc = line.slice(afterSequence + 1, stampEnd);
            if (head.timeStart >= 0) this.out.clockSample(line.slice(head.timeStart, head.timeStart + 19), csiUtc);
          }
          textStart = stampEnd;
        }
        while (textStart < line.length && line.charCodeAt(textStart) === 32) textStart++;
      } else if (this.pending) {
        // A CSI record re-chunked mid-token: the "head" continues the previous record.
        this.continueWith(line, true);
        return;
      }
    }
    this.flushPending();
    this.pending = {
      raw: line,
      timeStart: head.timeStart,
      level: head.level,
      messageId: head.messageId,
      component: head.component,
      csiSequence,
      csiUtc,
      textStart,
      continuation: [],
      file: this.file,
      line: this.lines,
      skip: isSkippableNoise(head.component, line, textStart),
    };
  }

  private continueWith(line: string, evenHeadless = false): void {
    const pending = this.pending;
    if (pending && (evenHeadless || pending.level !== null) && pending.continuation.length < MAX_CONTINUATION_LINES) {
      pending.continuation.push(line);
      return;
    }
    // Head-less text with no head before it (a paste without prefixes), or past the continuation
    // cap: each such line is a record of its own.
    this.flushPending();
    this.pending = {
      raw: line, timeStart: -1, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
      textStart: 0, continuation: [], file: this.file, line: this.lines, skip: false,
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
