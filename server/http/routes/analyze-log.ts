// Streams an uploaded CBS.log / CbsPersist / CheckSUR.log (or a zip of the CBS folder) through the servicing-log parser.
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { logKindOf, scanPaths, ServicingLogParser, type ParsedLogFacts } from '../../../agent/parser/index';
import { AppError } from '../../errors';

/** What the upload held: the name given, bytes received, and whether it was a zip. */
export interface AnalyzedUpload {
  name: string;
  bytes: number;
  zip: boolean;
  /** Zip entries that are not servicing logs (e.g. CbsPersist_*.cab), by name. */
  skipped: string[];
  facts: ParsedLogFacts;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** Bytes of the head checked for NUL. */
const BINARY_PROBE_BYTES = 8_192;
/**
 * NUL bytes a text log may carry in its head: CheckSUR.log copies raw bytes of corrupt .mum files
 * into its rows, so one stray NUL is not proof of a binary file; executables and images have hundreds.
 */
const TOLERATED_NULS = 16;
const CAB_MAGIC = [0x4d, 0x53, 0x43, 0x46]; // "MSCF"

const startsWith = (chunk: Uint8Array, magic: number[]) => magic.every((byte, index) => chunk[index] === byte);

function assertText(head: Uint8Array, name: string): void {
  if (startsWith(head, CAB_MAGIC)) {
    throw new AppError(400, 'invalid_request', `${name} is a .cab archive (a rotated CbsPersist log); unpack it first (expand -F:* ${name} .) and upload the .log inside, or a .zip of the folder.`);
  }
  if (head[0] === 0xff && head[1] === 0xfe) {
    throw new AppError(400, 'invalid_request', `${name} is UTF-16 text; servicing logs are single-byte text. Upload the original file from C:\\Windows\\Logs\\CBS.`);
  }
  let nuls = 0;
  for (const byte of head.subarray(0, BINARY_PROBE_BYTES)) if (byte === 0) nuls++;
  if (nuls > TOLERATED_NULS) {
    throw new AppError(400, 'invalid_request', `${name} is a binary file, not a servicing log. Upload CBS.log, CbsPersist_*.log, CheckSUR.log or a .zip of the CBS folder.`);
  }
}

/** A file that parsed without a single line in CBS, CheckSUR or SFC layout is not a servicing log. */
function assertServicingLog(facts: ParsedLogFacts, name: string): void {
  const lines = facts.parse.files.reduce((sum, file) => sum + file.lines, 0);
  if (lines === 0) throw new AppError(400, 'invalid_request', `${name} is empty.`);
  if (facts.parse.unrecognizedLines >= lines) {
    throw new AppError(400, 'invalid_request', `${name} does not look like a servicing log: none of its ${lines} lines is in the CBS.log or CheckSUR.log layout.`);
  }
}

function tooLarge(maxBytes: number): AppError {
  return new AppError(413, 'payload_too_large', `The upload is larger than ${Math.round(maxBytes / 1024 ** 2)} MiB.`);
}

/**
 * Reads the upload chunk by chunk. A plain log goes straight into the parser; a zip's log entries are
 * inflated to a temporary folder (the parser must read them in time order, which a stream cannot
 * give) and scanned from there. Memory stays bounded by the chunk size either way.
 */
export async function analyzeUpload(body: AsyncIterable<Uint8Array>, name: string, maxBytes: number): Promise<AnalyzedUpload> {
  const iterator = body[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.length === 0) first = await iterator.next();
  if (first.done) throw new AppError(400, 'invalid_request', `${name} is empty.`);
  const head = first.value;
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => iterator };
  if (startsWith(head, ZIP_MAGIC)) return analyzeZip(head, rest, name, maxBytes);

  assertText(head, name);
  const parser = new ServicingLogParser();
  parser.beginFile(basename(name), logKindOf(name) ?? 'cbs');
  let bytes = 0;
  const feed = (chunk: Uint8Array) => {
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooLarge(maxBytes);
    parser.write(chunk);
  };
  feed(head);
  for await (const chunk of rest) feed(chunk);
  const facts = parser.result(true);
  assertServicingLog(facts, name);
  return { name, bytes, zip: false, skipped: [], facts };
}

async function analyzeZip(head: Uint8Array, rest: AsyncIterable<Uint8Array>, name: string, maxBytes: number): Promise<AnalyzedUpload> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-analyze-'));
  const files: string[] = [];
  const skipped: string[] = [];
  const open = new Set<number>();
  let failure: Error | null = null;
  let inflated = 0;
  try {
    const unzip = new Unzip();
    unzip.register(UnzipInflate);
    unzip.onfile = (entry: UnzipFile) => {
      const base = basename(entry.name.replace(/\\/g, '/'));
      if (!base) return;
      if (logKindOf(base) === null) {
        if (skipped.length < 100) skipped.push(entry.name);
        return;
      }
      // Each entry gets its own folder so equal names in different zip folders stay apart.
      const entryDir = join(dir, String(files.length));
      mkdirSync(entryDir);
      const path = join(entryDir, base);
      const fd = openSync(path, 'w');
      open.add(fd);
      files.push(path);
      entry.ondata = (err, data, final) => {
        if (failure) return;
        if (err) {
          failure = new AppError(400, 'invalid_request', `${name}: ${base} cannot be unpacked (${err.message}).`);
          return;
        }
        inflated += data.length;
        if (inflated > maxBytes) {
          failure = tooLarge(maxBytes);
          return;
        }
        writeSync(fd, data);
        if (final) {
          closeSync(fd);
          open.delete(fd);
        }
      };
      entry.start();
    };
    let bytes = 0;
    const push = (chunk: Uint8Array, final: boolean) => {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(maxBytes);
      try {
        unzip.push(chunk, final);
      } catch (err) {
        throw new AppError(400, 'invalid_request', `${name} is not a readable zip file (${(err as Error).message}).`);
      }
      if (failure) throw failure;
    };
    push(head, false);
    for await (const chunk of rest) push(chunk, false);
    push(new Uint8Array(0), true);
    if (files.length === 0) {
      throw new AppError(400, 'invalid_request', `${name} holds no servicing logs (CBS.log, CbsPersist_*.log, CheckSUR.log). CbsPersist_*.cab files are not read; unpack them first.`);
    }
    if (open.size > 0) throw new AppError(400, 'invalid_request', `${name} ends before its last file does; the zip is truncated.`);
    const facts = await scanPaths(files);
    assertServicingLog(facts, name);
    return { name, bytes, zip: true, skipped, facts };
  } finally {
    for (const fd of open) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
