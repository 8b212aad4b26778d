// Public API of the servicing-log parser: the streaming parser, file cursors and one-shot scans.
import { ServicingLogParser, type ParsedLogFacts, type ParserOptions } from './parser';
import { expandLogPaths, ScanInputError } from './log-files';
import { scanPipelined, wantsPipeline, type PipelineOptions } from './pipeline';
import { scanFile } from './scan-file';

export { ServicingLogParser } from './parser';
export type { BeginFileOptions, ParsedLogFacts, ParserOptions, ParserSnapshot } from './parser';
export { headFingerprint, scanFile, HEAD_BYTES, READ_CHUNK_BYTES } from './scan-file';
export type { FileCursor, ScanFileOptions } from './scan-file';
export { expandLogPaths, logKindOf, orderLogFiles, ScanInputError } from './log-files';
export type { LogKind, LogRecord, RecordHandler } from './record';
export { PIPELINE_MIN_BYTES } from './pipeline';
export type { PipelineOptions } from './pipeline';

export interface ScanPathsOptions extends ParserOptions {
  /** Called while a file is read: its path, bytes read so far and its size. */
  onProgress?(path: string, bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
  /**
   * Read and frame on a worker thread while this one runs the handlers (same facts, about twice
   * the speed on two cores), when the files together reach `minBytes`. Off by default: the worker
   * has a heap of its own, which a memory-bound caller may not afford.
   */
  pipeline?: boolean | PipelineOptions;
}

/**
 * One-shot scan of files and folders (every servicing log directly inside a folder), read in
 * time order. Throws ScanInputError when a path is missing or unreadable or a folder holds no logs.
 */
export async function scanPaths(paths: string[], options: ScanPathsOptions = {}): Promise<ParsedLogFacts> {
  const files = expandLogPaths(paths);
  const parser = new ServicingLogParser(options);
  if (wantsPipeline(files, options.pipeline)) {
    await scanPipelined(parser, files, { signal: options.signal, onProgress: options.onProgress });
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
