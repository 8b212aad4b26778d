// Public API of the servicing-log parser: the streaming parser, file cursors and one-shot scans.
import { ServicingLogParser, type ParsedLogFacts, type ParserOptions } from './parser';
import { expandLogPaths, ScanInputError } from './log-files';
import { FramingRun, type PipelineOptions } from './pipeline';
import { scanFile } from './scan-file';

export { ServicingLogParser } from './parser';
export type { BeginFileOptions, ParsedLogFacts, ParserOptions, ParserSnapshot } from './parser';
export { headFingerprint, scanFile, HEAD_BYTES, READ_CHUNK_BYTES } from './scan-file';
export type { FileCursor, ScanFileOptions } from './scan-file';
export { expandLogPaths, logKindOf, orderLogFiles, ScanInputError } from './log-files';
export type { LogKind, LogRecord, RecordHandler } from './record';
export { FramingRun, PIPELINE_MIN_BYTES } from './pipeline';
export type { PipelineOptions } from './pipeline';

export interface ScanPathsOptions extends ParserOptions {
  /** Called while a file is read: its path, bytes read so far and its size. */
  onProgress?(path: string, bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
  /**
   * Read and frame on a worker thread while this one runs the handlers (the same facts, sooner on
   * two cores), when the files together reach `minBytes`. Off by default: the worker has a heap of
   * its own (about 12 MiB), which a memory-bound caller may not afford.
   */
  pipeline?: boolean | PipelineOptions;
}

export interface ScanLogFilesOptions extends Omit<ScanPathsOptions, 'pipeline'> {
  /** The framing of exactly these files, started earlier (`FramingRun.start`); null scans on this thread. */
  framing?: FramingRun | null;
}

/**
 * One-shot scan of files and folders (every servicing log directly inside a folder), read in
 * time order. Throws ScanInputError when a path is missing or unreadable or a folder holds no logs.
 */
export async function scanPaths(paths: string[], options: ScanPathsOptions = {}): Promise<ParsedLogFacts> {
  const files = expandLogPaths(paths);
  return scanLogFiles(files, { ...options, framing: FramingRun.start(files, options.pipeline) });
}

/** `scanPaths` over files already listed and ordered (`expandLogPaths`). */
export async function scanLogFiles(files: string[], options: ScanLogFilesOptions = {}): Promise<ParsedLogFacts> {
  const parser = new ServicingLogParser(options);
  if (options.framing) {
    await options.framing.feed(parser, { signal: options.signal, onProgress: options.onProgress });
    return parser.result(true);
  }
  for (const file of files) {
    try {
      await scanFile(parser, file, null, {
        final: true,
        signal: options.signal,
        onProgress: options.onProgress ? (read, total) => options.onProgress?.(file, read, total) : undefined,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw new ScanInputError(`cannot read ${file} (${code})`);
      throw error;
    }
  }
  return parser.result(true);
}
