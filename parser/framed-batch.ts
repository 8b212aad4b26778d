// Framed records as compact batches (an Int32Array of fields plus one buffer of characters) that cross threads without copying.
import type { LogKind, LogRecord } from './record';

/** What a framer produced, in order: what the parser does with a file's bytes, minus the framing. */
export interface FramedSink {
  beginFile(fileIndex: number, kind: LogKind, modifiedAt: number): void;
  record(record: LogRecord): void;
  clockSample(localTime: string, utcStamp: string): void;
  /** The file's bytes are all framed: `bytes` read, `lines` physical lines. */
  endFile(bytes: number, lines: number): void;
  progress(fileIndex: number, bytesRead: number, totalBytes: number): void;
  /**
   * The sink reads a record's `raw` only while `record` runs, if at all (evidence of the rare
   * fact-bearing lines): then records make it a string only when it is read.
   */
  readonly rawOnDemand?: boolean;
}

/** One batch as posted between threads; both buffers are transferred, not copied. */
export interface FramedBatch {
  ints: ArrayBuffer;
  intCount: number;
  chars: ArrayBuffer;
  charCount: number;
}

const BEGIN = 1;
const RECORD = 2;
const CLOCK = 3;
const END = 4;
const INTERN = 5;
const PROGRESS = 6;

/** Small recurring strings (levels, components, message ids, file names) are sent once and then by number. */
const MAX_INTERNED = 4_096;
const NOT_INTERNED = -2;
/** Spare buffer pairs kept for reuse: as many as can be in flight, plus one. */
const MAX_SPARES = 4;
const NULL = -1;
const TIME_PRESENT = 1;
const TIME_REPEATED = 2;
const HAS_SEQUENCE = 4;
const HAS_STAMP = 8;
const TWO_TO_32 = 0x1_0000_0000;
/** Shared by every record without continuation lines, as the framer does. */
const NO_CONTINUATION: string[] = Object.freeze([]) as unknown as string[];

/** Collects a framer's output into batches; `take()` hands over the current one and starts the next. */
export class FramedBatchWriter implements FramedSink {
  private ints = new Int32Array(8 * 1024);
  private intCount = 0;
  private chars = Buffer.allocUnsafeSlow(160 * 1024);
  private charCount = 0;
  private readonly interned = new Map<string, number>();
  private lastTime: string | null = null;
  private readonly spares: Pick<FramedBatch, 'ints' | 'chars'>[] = [];

  /** Characters written so far into the current batch (to decide when to hand it over). */
  get size(): number {
    return this.charCount + 4 * this.intCount;
  }

  take(): FramedBatch {
    const batch = { ints: this.ints.buffer as ArrayBuffer, intCount: this.intCount, chars: this.chars.buffer as ArrayBuffer, charCount: this.charCount };
    const spare = this.spares.pop();
    this.ints = spare ? new Int32Array(spare.ints) : new Int32Array(this.ints.length);
    this.intCount = 0;
    this.chars = spare ? Buffer.from(spare.chars) : Buffer.allocUnsafeSlow(this.chars.length);
    this.charCount = 0;
    return batch;
  }

  /** Buffers of a batch the reader is done with, to be written again (no new memory per batch). */
  reuse(buffers: Pick<FramedBatch, 'ints' | 'chars'>): void {
    if (this.spares.length < MAX_SPARES) this.spares.push(buffers);
  }

  beginFile(fileIndex: number, kind: LogKind, modifiedAt: number): void {
    this.room(4);
    this.put(BEGIN);
    this.put(fileIndex);
    this.put(kind === 'checksur' ? 1 : 0);
    this.putLarge(modifiedAt);
  }

  /**
   * `textAt`, `textEnd`: where `record.text` starts and ends in `record.raw` when it is that part of
   * it (then `record.text` is not read), else -1. `oneByte`: no string of the record has a character
   * above U+00FF, so none needs checking.
   */
  record(record: LogRecord, textAt = -1, textEnd = -1, oneByte = false): void {
    // Ids first: a new one is an event of its own, written before the record that uses it.
    const file = this.id(record.file);
    const level = this.id(record.level);
    const messageId = this.id(record.messageId);
    const component = this.id(record.component);
    let flags = 0;
    if (record.time !== null) flags |= record.time === this.lastTime ? TIME_PRESENT | TIME_REPEATED : TIME_PRESENT;
    if (record.csiSequence !== null) flags |= HAS_SEQUENCE;
    if (record.csiUtc !== null) flags |= HAS_STAMP;
    this.room(8);
    this.put(RECORD);
    this.put(record.line);
    this.put(file);
    this.put(level);
    this.put(messageId);
    this.put(component);
    this.put(flags);
    this.put(record.continuation.length);
    if (file === NOT_INTERNED) this.text(record.file);
    if (level === NOT_INTERNED) this.text(record.level as string);
    if (messageId === NOT_INTERNED) this.text(record.messageId as string);
    if (component === NOT_INTERNED) this.text(record.component);
    if ((flags & (TIME_PRESENT | TIME_REPEATED)) === TIME_PRESENT) {
      this.lastTime = record.time;
      this.text(record.time as string, oneByte);
    }
    if (record.csiSequence !== null) this.text(record.csiSequence, oneByte);
    if (record.csiUtc !== null) this.text(record.csiUtc, oneByte);
    this.text(record.raw, oneByte);
    this.room(2);
    if (textAt >= 0) {
      // The message as its place in the head line: its characters are not sent twice.
      this.put(textAt);
      this.put(textEnd >= 0 ? textEnd - textAt : record.text.length);
    } else {
      this.put(-1);
      this.text(record.text);
    }
    for (const line of record.continuation) this.text(line, oneByte);
  }

  clockSample(localTime: string, utcStamp: string): void {
    this.room(1);
    this.put(CLOCK);
    this.text(localTime);
    this.text(utcStamp);
  }

  endFile(bytes: number, lines: number): void {
    this.room(4);
    this.put(END);
    this.putLarge(bytes);
    this.put(lines);
  }

  progress(fileIndex: number, bytesRead: number, totalBytes: number): void {
    this.room(6);
    this.put(PROGRESS);
    this.put(fileIndex);
    this.putLarge(bytesRead);
    this.putLarge(totalBytes);
  }

  private id(text: string | null): number {
    if (text === null) return NULL;
    const known = this.interned.get(text);
    if (known !== undefined) return known;
    if (this.interned.size >= MAX_INTERNED) return NOT_INTERNED;
    const id = this.interned.size;
    this.interned.set(text, id);
    this.room(2);
    this.put(INTERN);
    this.put(id);
    this.text(text);
    return id;
  }

  private room(ints: number): void {
    if (this.intCount + ints + 2 <= this.ints.length) return;
    const grown = new Int32Array(Math.max(2 * this.ints.length, this.intCount + ints + 2));
    grown.set(this.ints.subarray(0, this.intCount));
    this.ints = grown;
  }

  private put(value: number): void {
    this.ints[this.intCount++] = value;
  }

  /** A whole number up to 2^53 (byte counts, epoch milliseconds) as two fields. */
  private putLarge(value: number): void {
    const whole = Math.trunc(value);
    this.put(Math.floor(whole / TWO_TO_32));
    this.put(whole % TWO_TO_32 | 0);
  }

  /**
   * A string as (start, length): one byte per character when none is above U+00FF (`oneByte` says
   * so, or it is ASCII), else UTF-16 (length stored as -length-1).
   */
  private text(value: string, oneByte = false): void {
    const length = value.length;
    if (this.charCount + 2 * length + 1 > this.chars.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.chars.length, this.charCount + 2 * length + 1));
      this.chars.copy(grown, 0, 0, this.charCount);
      this.chars = grown;
    }
    this.room(2);
    if (oneByte || Buffer.byteLength(value, 'utf8') === length) {
      this.put(this.charCount);
      this.put(length);
      this.charCount += this.chars.write(value, this.charCount, 'latin1');
    } else {
      if (this.charCount % 2 === 1) this.charCount++;
      this.put(this.charCount);
      this.put(-length - 1);
      this.charCount += this.chars.write(value, this.charCount, 'utf16le');
    }
  }
}

/** The string written at `start`: `length` one-byte characters, or (a negative length) -length-1 UTF-16 units. */
function charsAt(chars: Buffer, start: number, length: number): string {
  return length >= 0 ? chars.toString('latin1', start, start + length) : chars.toString('utf16le', start, start + 2 * (-length - 1));
}

/**
 * A replayed record whose head line becomes a string when read: most records are matched by their
 * message alone. Valid while its batch is replayed (the batch's buffer then goes back to the writer).
 */
class ReplayedRecord implements LogRecord {
  constructor(
    public time: string | null,
    public level: string | null,
    public messageId: string | null,
    public component: string,
    public csiSequence: string | null,
    public csiUtc: string | null,
    public text: string,
    public continuation: string[],
    public file: string,
    public line: number,
    private readonly chars: Buffer,
    private readonly rawStart: number,
    private readonly rawLength: number,
  ) {}

  get raw(): string {
    const start = this.rawStart;
    const length = this.rawLength;
    return charsAt(this.chars, start, length);
  }
}

/** Replays batches into a sink, in the order they were written; keeps the interned strings between batches. */
export class FramedBatchReader {
  private readonly interned: string[] = [];
  private lastTime: string | null = null;
  private ints = new Int32Array(0);
  private chars = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly sink: FramedSink) {}

  apply(batch: FramedBatch): void {
    this.ints = new Int32Array(batch.ints, 0, batch.intCount);
    this.chars = Buffer.from(batch.chars, 0, batch.charCount);
    this.at = 0;
    const ints = this.ints;
    while (this.at < ints.length) {
      const event = ints[this.at++];
      if (event === RECORD) this.record();
      else if (event === INTERN) {
        const id = this.next();
        this.interned[id] = this.text();
      } else if (event === CLOCK) {
        const local = this.text();
        this.sink.clockSample(local, this.text());
      } else if (event === BEGIN) {
        const fileIndex = this.next();
        const kind: LogKind = this.next() === 1 ? 'checksur' : 'cbs';
        this.sink.beginFile(fileIndex, kind, this.large());
      } else if (event === END) {
        const bytes = this.large();
        this.sink.endFile(bytes, this.next());
      } else if (event === PROGRESS) {
        const fileIndex = this.next();
        const read = this.large();
        this.sink.progress(fileIndex, read, this.large());
      } else throw new Error(`framed batch: unknown event ${event} at ${this.at - 1}`);
    }
  }

  private record(): void {
    const line = this.next();
    const file = this.next();
    const level = this.next();
    const messageId = this.next();
    const component = this.next();
    const flags = this.next();
    const continuationLines = this.next();
    const fileName = this.named(file) as string;
    const levelText = this.named(level);
    const messageIdText = this.named(messageId);
    const componentText = this.named(component) as string;
    let time: string | null = null;
    if ((flags & TIME_PRESENT) !== 0) {
      if ((flags & TIME_REPEATED) === 0) this.lastTime = this.text();
      time = this.lastTime;
    }
    const csiSequence = (flags & HAS_SEQUENCE) !== 0 ? this.text() : null;
    const csiUtc = (flags & HAS_STAMP) !== 0 ? this.text() : null;
    const rawStart = this.ints[this.at] as number;
    const rawLength = this.ints[this.at + 1] as number;
    const raw = this.sink.rawOnDemand ? null : this.text();
    if (raw === null) this.at += 2;
    const textAt = this.next();
    let text: string;
    if (textAt === -1) text = this.text();
    else {
      // A string of its own, not a slice of `raw`: handlers compare, hash and search it faster.
      const length = this.next();
      text = rawLength >= 0
        ? this.chars.toString('latin1', rawStart + textAt, rawStart + textAt + length)
        : this.chars.toString('utf16le', rawStart + 2 * textAt, rawStart + 2 * (textAt + length));
    }
    let continuation = NO_CONTINUATION;
    if (continuationLines > 0) {
      continuation = [];
      for (let i = 0; i < continuationLines; i++) continuation.push(this.text());
    }
    this.sink.record(raw === null
      ? new ReplayedRecord(time, levelText, messageIdText, componentText, csiSequence, csiUtc, text, continuation, fileName, line, this.chars, rawStart, rawLength)
      : {
        time, level: levelText, messageId: messageIdText, component: componentText, csiSequence, csiUtc,
        text, continuation, raw, file: fileName, line,
      });
  }

  private named(id: number): string | null {
    if (id === NULL) return null;
    if (id === NOT_INTERNED) return this.text();
    return this.interned[id] as string;
  }

  private next(): number {
    return this.ints[this.at++] as number;
  }

  private large(): number {
    const high = this.next();
    return high * TWO_TO_32 + (this.next() >>> 0);
  }

  private text(): string {
    const start = this.next();
    const length = this.next();
    return charsAt(this.chars, start, length);
  }
}
