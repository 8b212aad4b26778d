// Pipelined one-shot scan: a worker thread reads and frames the files while this thread runs the handlers on its records.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FramedBatchReader } from './framed-batch';
import { CANCELLED_SLOT, CONSUMED_SLOT, FRAMING_JOB, type FramingJob, type FramingMessage } from './framing-worker';
import { logKindOf, ScanInputError } from './log-files';
import type { ServicingLogParser } from './parser';

export interface PipelineOptions {
  /** Inputs smaller than this stay on one thread: starting a worker costs more than it saves. */
  minBytes?: number;
}

/** About where a worker (~30 ms to start, more from source) starts to pay on two cores. */
export const PIPELINE_MIN_BYTES = 8 * 1024 * 1024;

/** True in the single-file agent (set by scripts/build.mjs), whose entry runs framing jobs on worker threads (agent/entry.ts). */
declare const PATCHLENS_BUNDLE_RUNS_FRAMING: boolean | undefined;

/**
 * The file a framing worker thread runs: in the single-file agent, the bundle itself; from source,
 * framing-worker-from-source.mjs, which loads framing-worker-entry.ts through tsx. Null in any other
 * bundle (it has no such file): then scans stay on one thread.
 */
function framingWorkerFile(): URL | null {
  if (typeof PATCHLENS_BUNDLE_RUNS_FRAMING === 'boolean') return new URL(import.meta.url);
  if (import.meta.url.endsWith('.ts')) return new URL('./framing-worker-from-source.mjs', import.meta.url);
  return null;
}

function totalBytes(files: string[]): number {
  let total = 0;
  for (const file of files) {
    try {
      total += statSync(file).size;
    } catch {
      // An unreadable file is reported by whichever path reads it.
    }
  }
  return total;
}

export interface PipelinedScanOptions {
  onProgress?(path: string, bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
}

/**
 * The framing of `files` on a worker thread, started before the parser exists (its first batches
 * wait, bounded, until `feed`), so the worker's start overlaps the caller's own.
 */
export class FramingRun {
  private readonly worker: Worker;
  /** Shared with the worker: batches replayed here (it waits when too many are not), and a stop flag. */
  private readonly slots: Int32Array;
  private readonly waiting: FramingMessage[] = [];
  private receive: ((message: FramingMessage) => void) | null = null;
  private stopped: ((error: unknown) => void) | null = null;
  private failure: { error: unknown } | null = null;
  private exited: Error | null = null;
  private finished = false;

  /** Starts framing `files` when `options` ask for a pipeline and they are large enough; else null. */
  static start(files: string[], options: PipelineOptions | boolean | undefined): FramingRun | null {
    if (!options) return null;
    const file = framingWorkerFile();
    if (file === null || totalBytes(files) < ((options === true ? undefined : options.minBytes) ?? PIPELINE_MIN_BYTES)) return null;
    return new FramingRun(file, files);
  }

  private constructor(
    file: URL,
    private readonly files: string[],
  ) {
    const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.slots = new Int32Array(control);
    const job: FramingJob = {
      role: FRAMING_JOB,
      files: files.map((path) => ({ path, name: basename(path), kind: logKindOf(path) ?? 'cbs' })),
      control,
    };
    // The worker's garbage is short-lived (the strings of one record): a small young generation keeps its memory down.
    this.worker = new Worker(file, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 1, stackSizeMb: 1 } });
    this.worker.on('message', (message: FramingMessage) => {
      if (this.receive) this.receive(message);
      else this.waiting.push(message);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      const error = new Error(`the framing worker stopped (exit ${code}) before the end of the files`);
      // Before `feed`, its last messages (`done`) still wait to be read: judge the exit after them.
      if (this.receive) this.fail(error);
      else this.exited = error;
    });
  }

  /**
   * Feeds the framed files into `parser` as `scanFile` with `final` would, one after another: the
   * parser sees the same records in the same order. Call once; settles when the last file is done.
   */
  feed(parser: ServicingLogParser, options: PipelinedScanOptions = {}): Promise<void> {
    const names = this.files.map((path) => basename(path));
    const reader = new FramedBatchReader({
      ...parser.framedInput(names),
      progress: (index, read, total) => options.onProgress?.(this.files[index] as string, read, total),
    });
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => this.fail(options.signal?.reason);
      this.stopped = (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      if (this.failure) return this.stopped(this.failure.error);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.receive = (message) => {
        if (this.finished) return;
        try {
          if (message.type === 'batch') {
            reader.apply(message.batch);
            this.worker.postMessage({ ints: message.batch.ints, chars: message.batch.chars }, [message.batch.ints, message.batch.chars]);
            Atomics.add(this.slots, CONSUMED_SLOT, 1);
            Atomics.notify(this.slots, CONSUMED_SLOT);
          } else if (message.type === 'done') this.settle(undefined);
          else if (message.code) this.fail(new ScanInputError(`cannot read ${message.path} (${message.code})`));
          else this.fail(new Error(`framing ${message.path} failed: ${message.message}`));
        } catch (error) {
          this.fail(error);
        }
      };
      for (const message of this.waiting.splice(0)) this.receive(message);
      if (this.exited) this.fail(this.exited);
    });
  }

  /** Stops the worker (a caller that will not feed a parser after all). */
  cancel(): void {
    this.fail(new Error('framing cancelled'));
  }

  private fail(error: unknown): void {
    this.settle({ error });
  }

  private settle(failure: { error: unknown } | undefined): void {
    if (this.finished) return;
    this.finished = true;
    Atomics.store(this.slots, CANCELLED_SLOT, 1);
    Atomics.notify(this.slots, CONSUMED_SLOT);
    if (failure) {
      this.failure = failure;
      void this.worker.terminate();
    } else this.worker.unref();
    this.stopped?.(failure?.error);
  }
}
