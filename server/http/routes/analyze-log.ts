// Streams an uploaded CBS.log / CbsPersist / CheckSUR.log (or a zip of the CBS folder) through the servicing-log parser.
import { basename } from 'node:path';
import { logKindOf, ServicingLogParser, type ParsedLogFacts } from '../../../parser/index';
import { AppError } from '../../errors';
import { assertServicingLog, assertText, startsWith, tooLarge } from './analyze-checks';
import { analyzeZip, type ZipLimits } from './analyze-zip';

/** What the upload held: the name given, bytes received, and whether it was a zip. */
export interface AnalyzedUpload {
  name: string;
  bytes: number;
  zip: boolean;
  /** Zip entries that are not servicing logs (e.g. CbsPersist_*.cab), by name. */
  skipped: string[];
  facts: ParsedLogFacts;
}

/** `maxBytes` bounds the upload; the other two the logs a zip unpacks to. */
export type AnalyzeLimits = ZipLimits;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Reads the upload chunk by chunk. A plain log goes straight into the parser; a zip's log entries are
 * unpacked to a temporary folder (the parser must read them in time order, which a stream cannot
 * give) and scanned from there. Memory stays bounded by the chunk size either way. An abort of
 * `signal` stops the work at the next chunk.
 */
export async function analyzeUpload(body: AsyncIterable<Uint8Array>, name: string, limits: AnalyzeLimits, signal?: AbortSignal): Promise<AnalyzedUpload> {
  const iterator = body[Symbol.asyncIterator]();
  try {
    let first = await iterator.next();
    while (!first.done && first.value.length === 0) first = await iterator.next();
    if (first.done) throw new AppError(400, 'invalid_request', `${name} is empty.`);
    const head = first.value;
    const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => iterator };
    if (startsWith(head, ZIP_MAGIC)) return { name, zip: true, ...(await analyzeZip(head, rest, name, limits, signal)) };
    return { name, zip: false, skipped: [], ...(await analyzeText(head, rest, name, limits.maxBytes, signal)) };
  } finally {
    // However it ended, the body is let go of, so what is left of it can be drained after the answer.
    await iterator.return?.();
  }
}

async function analyzeText(head: Uint8Array, rest: AsyncIterable<Uint8Array>, name: string, maxBytes: number, signal?: AbortSignal): Promise<{ bytes: number; facts: ParsedLogFacts }> {
  assertText(head, name);
  const parser = new ServicingLogParser();
  parser.beginFile(basename(name), logKindOf(name) ?? 'cbs');
  let bytes = 0;
  const feed = (chunk: Uint8Array) => {
    signal?.throwIfAborted();
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooLarge(maxBytes);
    parser.write(chunk);
  };
  feed(head);
  for await (const chunk of rest) feed(chunk);
  const facts = parser.result(true);
  assertServicingLog(facts, name);
  return { bytes, facts };
}
