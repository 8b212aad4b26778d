// Streams one log file into a parser from a saved cursor, detecting rotation and truncation.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
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
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    const size = stats.size;
    const buffer = Buffer.allocUnsafe(Math.max(HEAD_BYTES, Math.min(READ_CHUNK_BYTES, size)));
    const headLength = Math.min(size, HEAD_BYTES);
    await readFully(handle, buffer, headLength, 0);
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
    // Two buffers: the next read runs on the I/O thread while the current chunk is parsed.
    const buffers = [buffer, Buffer.allocUnsafe(buffer.length)] as const;
    let position = start;
    let lastLineEnd = start;
    let current = 0;
    let nextRead: Promise<number> | null = position < size ? readFully(handle, buffers[0], Math.min(buffer.length, size - position), position) : null;
    try {
      while (nextRead !== null) {
        const got = await nextRead;
        nextRead = null;
        if (got === 0) break;
        const chunk = (buffers[current] as Buffer).subarray(0, got);
        const chunkStart = position;
        position += got;
        current ^= 1;
        if (position < size) nextRead = readFully(handle, buffers[current] as Buffer, Math.min(buffer.length, size - position), position);
        options.signal?.throwIfAborted();
        const newline = chunk.lastIndexOf(10);
        if (newline !== -1) lastLineEnd = chunkStart + newline + 1;
        parser.write(chunk);
        options.onProgress?.(position, size);
      }
    } finally {
      // Never close the file under a read still in flight.
      await nextRead?.catch(() => 0);
    }
    if (options.final) {
      parser.endFile();
      lastLineEnd = position;
    } else {
      parser.dropUnterminatedLine(position - lastLineEnd);
    }
    return { path, offset: lastLineEnd, size, headFingerprint: fingerprint, headLength };
  } finally {
    await handle.close();
  }
}

async function readFully(
  handle: Awaited<ReturnType<typeof open>>,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let total = 0;
  while (total < length) {
    const { bytesRead } = await handle.read(buffer, total, length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}
