// An uploaded zip of the CBS folder: its logs unpacked to a temporary folder off the main thread, within size and ratio caps, then parsed in time order.
import { once } from 'node:events';
import { Unzip, type AsyncFlateStreamHandler, type UnzipDecoderConstructor, type UnzipFile } from 'fflate';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough, Transform, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createInflateRaw } from 'node:zlib';
import { logKindOf, orderLogFiles, scanFile, ServicingLogParser, type ParsedLogFacts } from '../../../parser/index';
import { AppError } from '../../errors';
import { assertServicingLog, assertText, BINARY_PROBE_BYTES, tooLarge } from './analyze-checks';

export interface ZipLimits {
  /** Most bytes of the zip itself. */
  maxBytes: number;
  /** Most bytes its logs may unpack to, together. */
  maxUnpackedBytes: number;
  /** Most unpacked bytes per byte of the zip received so far. */
  maxRatio: number;
}

export interface UnzippedLogs {
  bytes: number;
  skipped: string[];
  facts: ParsedLogFacts;
}

const STORED = 0;
const DEFLATED = 8;
const EMPTY = new Uint8Array(0);
/** Log entries one zip may hold: a CBS folder has a few dozen, and each costs a file and a parse. */
const MAX_LOG_ENTRIES = 1_000;
/**
 * Entries of any kind one zip may hold. fflate's reader does work per entry that grows with the
 * entries before it (10,000 empty ones cost 74 ms in all; 100,000 cost 3.6 s, 0.2 s in one chunk).
 */
const MAX_ENTRIES = 10_000;
/** Names of skipped entries listed in the answer. */
const MAX_SKIPPED_LISTED = 100;
/**
 * What any zip may unpack to before the ratio cap applies: the first kilobytes of a repetitive log
 * unpack far beyond the ratio of the whole file, and a few MiB on the disk are no threat.
 */
const RATIO_FLOOR_BYTES = 8 * 1024 ** 2;
/** zlib's output chunk: large enough that the main thread handles few callbacks per MiB. */
const INFLATE_CHUNK_BYTES = 64 * 1024;

/** Where an entry's compressed bytes go. */
interface EntrySink {
  push(chunk: Uint8Array, final: boolean): void;
}

/** Entries that are not servicing logs are passed over without being unpacked or kept in memory. */
const DISCARD: EntrySink = { push: () => undefined };

/** A log entry on its way into its temporary file. */
interface LogEntry extends EntrySink {
  input: Duplex;
  /** Its last compressed byte has arrived. */
  ended: boolean;
  /** Settles (never rejects) when the file is written and closed, or the entry has failed. */
  done: Promise<void>;
  settled: boolean;
}

/**
 * Unpacks the servicing logs of the zip whose first chunk is `head` and parses them. The upload is
 * read no faster than its entries unpack (zlib on the thread pool, written with backpressure), so a
 * zip bomb costs the main thread only callbacks; it is refused with 413 once its logs unpack past
 * `maxUnpackedBytes` or past `maxRatio` times the bytes received. An abort of `signal` (the client
 * left) stops unpacking and parsing at once. The temporary folder is gone when this settles.
 */
export async function analyzeZip(head: Uint8Array, rest: AsyncIterable<Uint8Array>, name: string, limits: ZipLimits, signal?: AbortSignal): Promise<UnzippedLogs> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-analyze-'));
  const unpacker = new ZipUnpacker(dir, name, limits);
  const stop = () => unpacker.fail(signal?.reason as Error);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    signal?.throwIfAborted();
    await unpacker.push(head, false, signal);
    for await (const chunk of rest) await unpacker.push(chunk, false, signal);
    await unpacker.push(EMPTY, true, signal);
    const files = await unpacker.finish();
    if (files.length === 0) {
      throw new AppError(400, 'invalid_request', `${name} holds no servicing logs (CBS.log, CbsPersist_*.log, CheckSUR.log). CbsPersist_*.cab files are not read; unpack them first.`);
    }
    const facts = await parseInTimeOrder(files, signal);
    assertServicingLog(facts, name);
    return { bytes: unpacker.received, skipped: unpacker.skipped, facts };
  } finally {
    signal?.removeEventListener('abort', stop);
    await unpacker.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * A file of up to 4 MiB is read and parsed in one go (scanFile); the turn of the event loop between
 * files keeps a zip of many such files from holding it for all of them.
 */
async function parseInTimeOrder(files: string[], signal?: AbortSignal): Promise<ParsedLogFacts> {
  const parser = new ServicingLogParser();
  for (const file of orderLogFiles(files)) {
    await scanFile(parser, file, null, { final: true, signal });
    await nextTurn();
  }
  return parser.result(true);
}

/**
 * fflate's streaming zip reader finds the entries; their bytes go to decoders registered here, which
 * hand them to the sink the unpacker prepared for the entry instead of inflating on the main thread.
 */
class ZipUnpacker {
  readonly skipped: string[] = [];
  /** Bytes of the zip pushed so far. */
  received = 0;
  private readonly files: string[] = [];
  private readonly entries: LogEntry[] = [];
  private readonly unzip = new Unzip();
  /** The sink of the entry being started, taken by the decoder fflate constructs for it. */
  private starting: EntrySink | null = null;
  private unpacked = 0;
  private entryCount = 0;
  private failure: Error | null = null;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly limits: ZipLimits,
  ) {
    this.unzip.onfile = (file) => this.open(file);
    this.unzip.register(decoderFor(STORED, () => this.claim()));
    this.unzip.register(decoderFor(DEFLATED, () => this.claim()));
  }

  /** Feeds the next bytes of the zip and waits until its entries have taken them in. */
  async push(chunk: Uint8Array, final: boolean, signal?: AbortSignal): Promise<void> {
    this.received += chunk.length;
    if (this.received > this.limits.maxBytes) throw tooLarge(this.limits.maxBytes);
    try {
      this.unzip.push(chunk, final);
    } catch (err) {
      this.throwIfFailed();
      throw new AppError(400, 'invalid_request', `${this.name} is not a readable zip file (${(err as Error).message}).`);
    }
    for (const entry of this.entries) {
      this.throwIfFailed();
      if (entry.input.writableNeedDrain) await Promise.race([once(entry.input, 'drain', { signal }), entry.done]);
    }
    this.throwIfFailed();
  }

  /** Waits for every log file to be written; their paths. */
  async finish(): Promise<string[]> {
    if (this.entries.some((entry) => !entry.ended)) {
      throw this.fail(new AppError(400, 'invalid_request', `${this.name} ends before its last file does; the zip is truncated.`));
    }
    await Promise.all(this.entries.map((entry) => entry.done));
    this.throwIfFailed();
    return this.files;
  }

  /** Records the first failure and stops every entry still unpacking; returns the failure to throw. */
  fail(err: Error): Error {
    this.failure ??= err;
    for (const entry of this.entries) if (!entry.input.destroyed) entry.input.destroy(this.failure);
    return this.failure;
  }

  /** Stops what still runs and waits until every temporary file is closed. */
  async close(): Promise<void> {
    if (this.entries.some((entry) => !entry.settled)) this.fail(new AppError(500, 'internal', 'The upload was stopped.'));
    await Promise.all(this.entries.map((entry) => entry.done));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private claim(): EntrySink {
    const sink = this.starting ?? DISCARD;
    this.starting = null;
    return sink;
  }

  private open(file: UnzipFile): void {
    const path = file.name.replace(/\\/g, '/');
    const base = path.endsWith('/') ? '' : basename(path);
    const isLog = base !== '' && logKindOf(base) !== null;
    // Folder entries are neither read nor listed as skipped.
    if (!isLog && base !== '' && this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push(file.name);
    if (++this.entryCount > MAX_ENTRIES) throw this.fail(new AppError(413, 'payload_too_large', `${this.name} holds more than ${MAX_ENTRIES} files.`));
    if (isLog && this.files.length >= MAX_LOG_ENTRIES) {
      throw this.fail(new AppError(413, 'payload_too_large', `${this.name} holds more than ${MAX_LOG_ENTRIES} servicing logs.`));
    }
    if (file.compression !== STORED && file.compression !== DEFLATED) {
      if (isLog) {
        throw this.fail(
          new AppError(400, 'invalid_request', `${file.name} in ${this.name} is packed with compression method ${file.compression}; only stored and Deflate entries are read. Zip the folder with Explorer (Send to > Compressed folder) or Compress-Archive.`),
        );
      }
      this.unzip.register(decoderFor(file.compression, () => this.claim()));
    }
    // Every entry is started, skipped ones too: fflate keeps the bytes of an entry nobody started in memory.
    const sink = isLog ? this.openLog(base, `${file.name} in ${this.name}`, file.compression) : DISCARD;
    this.starting = sink;
    file.ondata = (err) => {
      if (err) this.fail(new AppError(400, 'invalid_request', `${file.name} in ${this.name} cannot be unpacked (${err.message}).`));
    };
    file.start();
    // fflate constructs no decoder for an entry of size 0.
    if (this.starting === sink) {
      this.starting = null;
      sink.push(EMPTY, true);
    }
  }

  /** Each log gets its own folder, so equal names in different zip folders stay apart. */
  private openLog(base: string, label: string, compression: number): LogEntry {
    const entryDir = join(this.dir, String(this.files.length));
    mkdirSync(entryDir);
    const path = join(entryDir, base);
    this.files.push(path);
    const input: Duplex = compression === DEFLATED ? createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }) : new PassThrough();
    const output = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const written = pipeline(input, this.guard(label), output).catch((err: unknown) => {
      this.fail(err instanceof AppError || this.failure ? (err as Error) : new AppError(400, 'invalid_request', `${label} cannot be unpacked (${(err as Error).message}).`));
    });
    const entry: LogEntry = {
      input,
      ended: false,
      settled: false,
      // The folder is removed after this settles: the file must be closed by then, also after a failure.
      done: written
        .then(() => new Promise<void>((resolve) => (output.closed ? resolve() : output.once('close', () => resolve()))))
        .then(() => {
          entry.settled = true;
        }),
      push(chunk, final) {
        if (input.destroyed || entry.ended) return;
        if (chunk.length > 0) input.write(chunk);
        if (final) {
          entry.ended = true;
          input.end();
        }
      },
    };
    this.entries.push(entry);
    return entry;
  }

  /** Counts an entry's unpacked bytes against the caps and applies the binary test of plain uploads to its head. */
  private guard(label: string): Transform {
    let head: Uint8Array | null = EMPTY;
    const probe = (chunk: Uint8Array) => {
      if (head === null) return;
      head = Buffer.concat([head, chunk.subarray(0, BINARY_PROBE_BYTES - head.length)]);
      if (head.length < BINARY_PROBE_BYTES) return;
      assertText(head, label);
      head = null;
    };
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        try {
          this.count(chunk.length);
          probe(chunk);
          callback(null, chunk);
        } catch (err) {
          callback(err as Error);
        }
      },
      flush: (callback) => {
        try {
          if (head !== null) assertText(head, label);
          callback();
        } catch (err) {
          callback(err as Error);
        }
      },
    });
  }

  private count(bytes: number): void {
    this.unpacked += bytes;
    const { maxUnpackedBytes, maxRatio } = this.limits;
    if (this.unpacked > maxUnpackedBytes) {
      throw new AppError(413, 'payload_too_large', `The logs in ${this.name} unpack to more than ${Math.round(maxUnpackedBytes / 1024 ** 2)} MiB; upload fewer of them.`);
    }
    if (this.unpacked > Math.max(RATIO_FLOOR_BYTES, this.received * maxRatio)) {
      throw new AppError(413, 'payload_too_large', `${this.name} unpacks to more than ${maxRatio} times its size, which servicing logs do not; it was refused as a zip bomb.`);
    }
  }
}

/** The fflate decoder class of a compression method: it hands an entry's compressed bytes to the sink `claim` gives it. */
function decoderFor(compression: number, claim: () => EntrySink): UnzipDecoderConstructor {
  return class EntryDecoder {
    static readonly compression = compression;
    /** fflate wires this to the entry's ondata; the bytes go to the sink instead. */
    ondata: AsyncFlateStreamHandler = () => undefined;
    private readonly sink = claim();

    push(chunk: Uint8Array, final: boolean): void {
      this.sink.push(chunk, final);
    }
  };
}
