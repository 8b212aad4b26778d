// Streams one log file into a parser from a saved cursor, detecting rotation and truncation.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { logKindOf } from './log-files';
import type { ServicingLogParser } from './parser';

/** Where an earlier pass stopped, and what the file looked like then. */
export interface FileCursor {
  path: string;
  /** Bytes parsed: always the end of a complete line. */
  offset: number;
  /** File size when the pass ran. */
  size: number;
  /** `headFingerprint` of the first `headLength` bytes. */
  headFingerprint: string;
  headLength: number;
}

export interface ScanFileOptions {
  onProgress?(bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
  /**
   * One-shot scan: parse an unterminated last line too. Without it the cursor stops after the last
   * complete line, and the line still being written is read whole on the next pass.
   */
  final?: boolean;
}

/** Bytes of the file head that identify one generation of a log (CBS.log starts with a time-stamped line). */
export const HEAD_BYTES = 4_096;
/**
 * Read size (two buffers of it are in use): large enough that system-call overhead per byte is
 * negligible; 1 MiB reads measured no faster, on a full scan or on an appended MiB, and cost 1.5 MiB
 * more resident memory.
 */
export const READ_CHUNK_BYTES = 256 * 1024;

export function headFingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Streams `path` into `parser` from `cursor` (or from the start). The file is read again from the
 * start when its head no longer matches the cursor (rotated: a new CBS.log) or it is shorter than
 * the cursor's offset (truncated). Reads in chunks, never the whole file; returns the new cursor.
 */
export async function scanFile(
  parser: ServicingLogParser,
  path: string,
  cursor: FileCursor | null,
  options: ScanFileOptions = {},
): Promise<FileCursor> {
  options.signal?.throwIfAborted();
  // Opening, the size and the head are a few microseconds each on a local file: done synchronously,
  // each spares a thread-pool round trip, which costs more than the call.
  const fd = openSync(path, 'r');
  try {
    const stats = fstatSync(fd);
    const size = stats.size;
    const buffer = Buffer.allocUnsafe(Math.max(HEAD_BYTES, Math.min(READ_CHUNK_BYTES, size)));
    const headLength = Math.min(size, HEAD_BYTES);
    readFullySync(fd, buffer, headLength, 0);
    const fingerprint = headFingerprint(buffer.subarray(0, headLength));

    let start = 0;
    if (cursor !== null && cursor.offset > 0 && cursor.offset <= size && cursor.headLength <= size) {
      const oldHead =
        cursor.headLength === headLength ? fingerprint : headFingerprint(buffer.subarray(0, cursor.headLength));
      if (oldHead === cursor.headFingerprint) start = cursor.offset;
    }

    const name = basename(path);
    parser.beginFile(name, logKindOf(name) ?? 'cbs', {
      modifiedAt: stats.mtimeMs,
      mode: start > 0 ? 'resume' : cursor !== null ? 'restart' : 'new',
    });
    const pass = { parser, options, position: start, lastLineEnd: start };
    if (size - start <= SYNC_PASS_BYTES) readSynchronously(fd, buffer, size, pass);
    else await readOverlapped(fd, buffer, size, pass);
    let lastLineEnd = pass.lastLineEnd;
    if (options.final) {
      parser.endFile();
      lastLineEnd = pass.position;
    } else {
      parser.dropUnterminatedLine(pass.position - lastLineEnd);
    }
    return { path, offset: lastLineEnd, size, headFingerprint: fingerprint, headLength };
  } finally {
    closeSync(fd);
  }
}

/**
 * Up to this many bytes from the cursor (an agent cycle's appended tail) are read synchronously: a
 * read of page-cached bytes costs less than the thread-pool round trip of an asynchronous one, and a
 * few reads block the event loop for well under a millisecond. Larger passes overlap reading and parsing.
 */
export const SYNC_PASS_BYTES = 4 * 1024 * 1024;

/** Where a pass stands: bytes read up to `position`, the last complete line ending at `lastLineEnd`. */
interface Pass {
  parser: ServicingLogParser;
  options: ScanFileOptions;
  position: number;
  lastLineEnd: number;
}

/** Parses one chunk read at `pass.position` and moves the pass on. */
function take(pass: Pass, chunk: Buffer, size: number): void {
  const chunkStart = pass.position;
  pass.position += chunk.length;
  pass.options.signal?.throwIfAborted();
  const newline = chunk.lastIndexOf(10);
  if (newline !== -1) pass.lastLineEnd = chunkStart + newline + 1;
  pass.parser.write(chunk);
  pass.options.onProgress?.(pass.position, size);
}

function readSynchronously(fd: number, buffer: Buffer, size: number, pass: Pass): void {
  while (pass.position < size) {
    const got = readFullySync(fd, buffer, Math.min(buffer.length, size - pass.position), pass.position);
    if (got === 0) break;
    take(pass, buffer.subarray(0, got), size);
  }
}

/** Two buffers: the next read runs on the I/O thread while the current chunk is parsed. */
async function readOverlapped(fd: number, buffer: Buffer, size: number, pass: Pass): Promise<void> {
  const buffers = [buffer, Buffer.allocUnsafe(buffer.length)] as const;
  let current = 0;
  let nextRead: Promise<number> | null = readFully(fd, buffers[0], Math.min(buffer.length, size - pass.position), pass.position);
  try {
    while (nextRead !== null) {
      const got = await nextRead;
      nextRead = null;
      if (got === 0) break;
      const chunk = (buffers[current] as Buffer).subarray(0, got);
      const following = pass.position + got;
      current ^= 1;
      if (following < size) nextRead = readFully(fd, buffers[current] as Buffer, Math.min(buffer.length, size - following), following);
      take(pass, chunk, size);
    }
  } finally {
    // Never close the file under a read still in flight.
    await nextRead?.catch(() => 0);
  }
}

function readFullySync(fd: number, buffer: Buffer, length: number, position: number): number {
  let total = 0;
  while (total < length) {
    const bytesRead = readSync(fd, buffer, total, length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

const readAt = promisify(read);

async function readFully(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  let total = 0;
  while (total < length) {
    const { bytesRead } = await readAt(fd, buffer, total, length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}
