// Splits bytes into physical lines and groups them into logical records (head + continuations).
import { isAscii } from 'node:buffer';
import { emptyLineHead, mayStartTolerantHead, readFixedHead, readTolerantHead, spells } from './line-head';
import { isSkippableNoise } from './noise';
import type { LogKind, LogRecord } from './record';
import { charCodesOf, charCodesOfText, decodeUtf8, incompleteTail, textOf, type CharCodes } from './utf8-chunks';

/** Lines longer than this are cut (the rest up to the newline is dropped) so memory stays bounded. */
export const MAX_LINE_CHARS = 1 << 20;
/** A record holding more continuation lines (or characters) than this is closed and the next line starts a new one. */
export const MAX_CONTINUATION_LINES = 20_000;
export const MAX_RECORD_CHARS = 4 * MAX_LINE_CHARS;

export interface FramerOutput {
  /**
   * A finished record that is not known noise. `textAt` is where its `text` starts in its `raw`
   * line when it is that part of it (-1 when not: CheckSUR lines are trimmed), `textEnd` where it
   * ends. `oneByte`: every string of the record was read from bytes, so no character is above U+00FF.
   */
  record(record: LogRecord, textAt: number, textEnd: number, oneByte: boolean): void;
  /**
   * The sink takes a record's text from its raw line (`textAt`, `textEnd`) whenever it is part of
   * it: then the framer leaves `text` empty rather than make a copy nobody reads.
   */
  readonly textFromRaw?: boolean;
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

/** Copies a string so it no longer pins the longer string (a line, a message) it was sliced from. */
export function detach(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

/** The unterminated line is kept as bytes; enough of them that, once decoded, MAX_LINE_CHARS characters survive. */
const MAX_CARRY_BYTES = 3 * MAX_LINE_CHARS + 4;
/** A chunk with non-ASCII bytes is decoded in pieces of about this size, cut at line ends. */
const DECODE_PIECE_BYTES = 64 * 1024;
const NO_BYTES = Buffer.alloc(0);
/** Shared by every record without continuation lines (most of them); replaced by a real array at the first one. */
const NO_CONTINUATION: string[] = Object.freeze([]) as unknown as string[];

export class RecordFramer {
  private file = '';
  private kind: LogKind = 'cbs';
  private lines = 0;
  /** Bytes after the last newline (an unterminated line): `carry[0, carryLength)`. */
  private carry: Buffer = NO_BYTES;
  private carryLength = 0;
  private discarding = false;
  /** The open record, built when its head is read (continuation lines are added as they come). */
  private open: LogRecord | null = null;
  /** Where the open record's time and message begin in its raw line (kept for snapshots). */
  private openTimeStart = -1;
  private openTextStart = 0;
  /** Where the open record's `text` starts in its raw line (after blanks a head-less line starts with). */
  private openTextAt = 0;
  private openTextEnd = 0;
  private openOneByte = false;
  private skipping = false;
  /** Characters held by the open record, to keep one record's memory bounded. */
  private pendingChars = 0;
  /** `YYYY-MM-DD HH` of the last clock sample: a zone offset changes at most hourly, so sample once an hour. */
  private sampledHour = '';
  /** The time stamp of the last record opened from bytes. */
  private lastTime: string | null = null;
  private readonly head = emptyLineHead();

  /** `keepNoise` hands known noise to the output too (tests that look at framing alone). */
  constructor(private readonly out: FramerOutput, private readonly options: { keepNoise?: boolean } = {}) {}

  get currentFile(): string {
    return this.file;
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Lines of the current file framed elsewhere (a pipelined scan frames on another thread). */
  set lineCount(lines: number) {
    this.lines = lines;
  }

  get hasCarry(): boolean {
    return this.carryLength > 0 || this.discarding;
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
    this.dropCarry();
  }

  /** Feeds decoded text (tests and fixtures); the same as its UTF-8 bytes. */
  pushText(text: string): void {
    this.pushBytes(Buffer.from(text, 'utf8'));
  }

  /**
   * Feeds bytes of the file, cut anywhere (mid-line, mid-UTF-8 sequence). Complete lines are framed
   * now, straight from the bytes when they are ASCII; the unterminated remainder is kept.
   * Nothing of `chunk` is referenced after the call, so the caller may reuse its buffer.
   */
  pushBytes(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.hasCarry) {
      const newline = bytes.indexOf(10);
      if (newline === -1) {
        this.appendCarry(bytes, 0, bytes.length);
        return;
      }
      this.appendCarry(bytes, 0, newline);
      const codes = this.takeCarried();
      this.takeLine(codes, 0, Math.min(codes.length, MAX_LINE_CHARS));
      start = newline + 1;
    }
    const lastNewline = bytes.lastIndexOf(10);
    const end = lastNewline + 1;
    if (end > start) {
      if (isAscii(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end))) this.frameLines(bytes, start, end);
      else this.frameDecoded(bytes, start, end);
    }
    if (end < bytes.length) this.appendCarry(bytes, Math.max(start, end), bytes.length);
  }

  /** End of the file's bytes: the unterminated last line (if any) becomes a line. */
  flushCarry(): void {
    if (!this.hasCarry) return;
    const codes = this.takeCarried();
    if (this.lines === 0 && codes.length === 1 && codes[0] === 0xfeff) return; // a file of just a byte-order mark has no line
    this.takeLine(codes, 0, Math.min(codes.length, MAX_LINE_CHARS));
  }

  /** The carried bytes as character codes; the carry is emptied. */
  private takeCarried(): CharCodes {
    const codes = charCodesOf(this.carry.subarray(0, this.carryLength));
    this.dropCarry();
    return codes;
  }

  /** Drops the unterminated tail without framing it (a later read will deliver the whole line). */
  takeCarry(): void {
    this.dropCarry();
  }

  /** Closes the open record: nothing that follows can continue it. */
  flushPending(): void {
    const open = this.open;
    this.skipping = false;
    if (!open) return;
    this.open = null;
    this.out.record(open, this.openTextAt, this.openTextEnd, this.openOneByte);
  }

  snapshot(): FramerState {
    const open = this.open;
    const pending: PendingRecordState | null = open
      ? {
        raw: detach(open.raw), timeStart: this.openTimeStart, level: open.level, messageId: open.messageId, component: open.component,
        csiSequence: open.csiSequence, csiUtc: open.csiUtc, textStart: this.openTextStart, continuation: open.continuation.map(detach),
        file: open.file, line: open.line,
      }
      : null;
    return {
      file: this.file, kind: this.kind, lines: this.lines, carry: this.carriedText(), discarding: this.discarding,
      pending, skipping: this.skipping,
    };
  }

  /** Bytes of a UTF-8 sequence cut by the end of the last chunk (they follow the snapshot's `carry` text). */
  cutSequence(): number[] {
    const carried = this.carry.subarray(0, this.carryLength);
    return this.discarding ? [] : [...carried.subarray(incompleteTail(carried))];
  }

  restore(state: FramerState, cutSequence: number[] = []): void {
    this.file = state.file;
    this.kind = state.kind;
    this.lines = state.lines;
    this.dropCarry();
    const carried = Buffer.concat([Buffer.from(state.carry, 'utf8'), Uint8Array.from(cutSequence)]);
    if (carried.length > 0) this.appendCarry(carried, 0, carried.length);
    this.discarding = state.discarding && this.carryLength > 0;
    this.open = null;
    if (state.pending) this.openWith(state.pending);
    this.skipping = state.skipping;
  }

  /** The carried line's complete characters (capped like a line), without a cut sequence at its end. */
  private carriedText(): string {
    const carried = this.carry.subarray(0, this.carryLength);
    const text = decodeUtf8(this.discarding ? carried : carried.subarray(0, incompleteTail(carried)));
    return text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) : text;
  }

  private dropCarry(): void {
    // A carry grown by an over-long line is not kept for the next short one.
    if (this.carry.length > 4096) this.carry = NO_BYTES;
    this.carryLength = 0;
    this.discarding = false;
  }

  private appendCarry(bytes: Buffer, start: number, end: number): void {
    if (this.discarding) return;
    let take = end - start;
    if (this.carryLength + take > MAX_CARRY_BYTES) {
      take = MAX_CARRY_BYTES - this.carryLength;
      this.discarding = true;
    }
    const needed = this.carryLength + take;
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_CARRY_BYTES, Math.max(256, needed, 2 * this.carry.length)));
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    bytes.copy(this.carry, this.carryLength, start, start + take);
    this.carryLength = needed;
  }

  /** Complete lines with non-ASCII bytes: decoded in line-aligned pieces (ASCII pieces stay bytes). */
  private frameDecoded(bytes: Buffer, start: number, end: number): void {
    for (let at = start; at < end; ) {
      let pieceEnd = end;
      if (end - at > DECODE_PIECE_BYTES) {
        const newline = bytes.lastIndexOf(10, at + DECODE_PIECE_BYTES - 1);
        pieceEnd = newline >= at ? newline + 1 : bytes.indexOf(10, at + DECODE_PIECE_BYTES) + 1;
      }
      const piece = bytes.subarray(at, pieceEnd);
      if (isAscii(piece)) this.frameLines(bytes, at, pieceEnd);
      else {
        const codes = charCodesOf(piece);
        this.frameLines(codes, 0, codes.length);
      }
      at = pieceEnd;
    }
  }

  /** Frames `codes[start, end)`: whole lines, each ending with a newline. */
  private frameLines(codes: CharCodes, start: number, end: number): void {
    while (start < end) {
      const newline = codes.indexOf(10, start);
      this.takeLine(codes, start, newline - start > MAX_LINE_CHARS ? start + MAX_LINE_CHARS : newline);
      start = newline + 1;
    }
  }

  /**
   * One physical line, `codes[start, end)` without its newline. Known noise (most of a log) is
   * recognised from the head and message start in place, without making a string of the line.
   */
  private takeLine(codes: CharCodes, start: number, end: number): void {
    // A byte-order mark starts the file, not its first line.
    if (this.lines === 0 && start < end && codes[start] === 0xfeff) start++;
    this.lines++;
    while (end > start && codes[end - 1] === 13) end--;
    if (this.kind === 'checksur') {
      const line = textOf(codes, start, end);
      this.flushPending();
      this.out.record({
        time: null, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
        text: line.trim(), continuation: [], raw: line, file: this.file, line: this.lines,
      }, -1, -1, false);
      return;
    }
    const head = this.head;
    if (readFixedHead(codes, head, start, end)) {
      this.openRecord(codes, start, end, null);
      return;
    }
    // A continuation of known noise is dropped unread unless it might be a pasted head.
    if (this.skipping && (start === end || !mayStartTolerantHead(codes[start] as number))) return;
    const line = textOf(codes, start, end);
    if (readTolerantHead(line, head)) this.openRecord(charCodesOfText(line), 0, line.length, line);
    else this.continueWith(line, false, !(codes instanceof Uint16Array));
  }

  /** A head line (already read into `this.head`, indices absolute in `codes`) opens a record; `line` is its text when already made. */
  private openRecord(codes: CharCodes, start: number, end: number, line: string | null): void {
    const head = this.head;
    let textStart = head.messageStart;
    let sequenceStart = -1;
    let stampStart = -1;
    let stampEnd = -1;
    if (head.component === 'CSI') {
      const afterSequence = textStart + 8;
      // First, middle and last digit: re-chunked records continue with text that fails one of them.
      const isSequence = end >= afterSequence && isHex(codes[textStart] as number) &&
        isHex(codes[textStart + 4] as number) && isHex(codes[textStart + 7] as number);
      const next = afterSequence < end ? (codes[afterSequence] as number) : -1;
      if (isSequence && (next === -1 || next === 32 || next === 64 /* @ */ || next === 9)) {
        sequenceStart = textStart;
        textStart = afterSequence;
        if (next === 64) {
          stampStart = afterSequence + 1;
          stampEnd = stampStart;
          while (stampEnd < end && codes[stampEnd] !== 32) stampEnd++;
          textStart = stampEnd;
        }
        while (textStart < end && codes[textStart] === 32) textStart++;
      } else if (this.open || this.skipping) {
        // A CSI record re-chunked mid-token: the "head" continues the previous record.
        if (!this.skipping) this.continueWith(line ?? textOf(codes, start, end), true, line === null && !(codes instanceof Uint16Array));
        return;
      }
    }
    if (stampEnd > stampStart && head.timeStart >= 0 && (this.sampledHour === '' || !spells(codes, head.timeStart, this.sampledHour))) {
      this.sampledHour = textOf(codes, head.timeStart, head.timeStart + 13);
      this.out.clockSample(textOf(codes, head.timeStart, head.timeStart + 19), textOf(codes, stampStart, stampEnd));
    }
    if (!this.options.keepNoise && isSkippableNoise(head.component, codes, textStart, end)) {
      this.flushPending();
      this.skipping = true;
      return;
    }
    this.flushPending();
    const raw = line ?? textOf(codes, start, end);
    this.openWith({
      raw,
      timeStart: head.timeStart >= 0 ? head.timeStart - start : -1,
      level: head.level,
      messageId: head.messageId,
      component: head.component,
      csiSequence: sequenceStart >= 0 ? raw.slice(sequenceStart - start, sequenceStart - start + 8) : null,
      csiUtc: stampEnd > stampStart ? raw.slice(stampStart - start, stampEnd - start) : null,
      textStart: textStart - start,
      continuation: NO_CONTINUATION,
      file: this.file,
      line: this.lines,
    }, line === null ? codes : null, start);
  }

  /** `oneByte`: `line` was read from bytes (no character above U+00FF). */
  private continueWith(line: string, evenHeadless = false, oneByte = false): void {
    if (this.skipping) return; // a continuation of known noise
    const open = this.open;
    if (
      open && (evenHeadless || open.level !== null) && open.continuation.length < MAX_CONTINUATION_LINES &&
      this.pendingChars + line.length <= MAX_RECORD_CHARS
    ) {
      if (open.continuation === NO_CONTINUATION) open.continuation = [line];
      else open.continuation.push(line);
      this.openOneByte &&= oneByte;
      this.pendingChars += line.length;
      return;
    }
    // Head-less text with no head before it (a paste without prefixes), or past the continuation
    // cap: each such line is a record of its own.
    this.flushPending();
    this.openWith({
      raw: line, timeStart: -1, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
      textStart: 0, continuation: NO_CONTINUATION, file: this.file, line: this.lines,
    });
  }

  /** The time stamp at `codes[at]`: the previous record's string when it is the same second (most are), so time checks compare one object. */
  private timeAt(codes: CharCodes, at: number): string {
    const previous = this.lastTime;
    if (previous !== null && spells(codes, at, previous)) return previous;
    this.lastTime = textOf(codes, at, at + 19);
    return this.lastTime;
  }

  /**
   * Opens a record from its plain-data state: its time and message are cut from the raw line now,
   * or made afresh from `codes` (where the raw line starts at `rawStart`) when given: a string of
   * its own is faster for handlers to compare, hash and search than a slice of the line.
   */
  private openWith(pending: PendingRecordState, codes: CharCodes | null = null, rawStart = 0): void {
    const raw = pending.raw;
    let end = raw.length;
    while (end > pending.textStart && (raw.charCodeAt(end - 1) === 32 || raw.charCodeAt(end - 1) === 9)) end--;
    let textStart = pending.textStart;
    if (pending.timeStart < 0 && pending.level === null) {
      while (textStart < end && (raw.charCodeAt(textStart) === 32 || raw.charCodeAt(textStart) === 9)) textStart++;
    }
    const continuation = pending.continuation.length === 0 ? NO_CONTINUATION : [...pending.continuation];
    this.openTimeStart = pending.timeStart;
    this.openTextStart = pending.textStart;
    this.openTextAt = textStart;
    this.openTextEnd = end;
    this.openOneByte = codes !== null && !(codes instanceof Uint16Array) && continuation.length === 0;
    this.pendingChars = raw.length;
    for (const line of continuation) this.pendingChars += line.length;
    this.open = {
      time: pending.timeStart < 0 ? null : codes ? this.timeAt(codes, rawStart + pending.timeStart) : raw.slice(pending.timeStart, pending.timeStart + 19),
      level: pending.level,
      messageId: pending.messageId,
      component: pending.component,
      csiSequence: pending.csiSequence,
      csiUtc: pending.csiUtc,
      text: codes ? (this.out.textFromRaw ? '' : textOf(codes, rawStart + textStart, rawStart + end)) : raw.slice(textStart, end),
      continuation,
      raw,
      file: pending.file,
      line: pending.line,
    };
  }
}
