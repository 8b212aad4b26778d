// Pipelined one-shot scan: a worker thread reads and frames the files while this thread runs the handlers on its records.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';
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

/** The framing worker's code as one script; set by scripts/build.mjs in the bundled agent. */
declare const PATCHLENS_FRAMING_WORKER: string | undefined;

/**
 * The framing worker's script: the bundled one, or, from source, a loader that imports the worker
 * module through tsx the way this process runs (a worker does not inherit `--import tsx`).
 * Null when neither is there (another bundle): then scans stay on one thread.
 */
function framingWorkerScript(): string | null {
  if (typeof PATCHLENS_FRAMING_WORKER === 'string') return PATCHLENS_FRAMING_WORKER;
  if (!import.meta.url.endsWith('.ts')) return null;
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
  const script = new URL('./framing-worker-entry.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(script)}); })`;
}

/** Pipelined scans running in this process: while any is, this thread's young generation does not grow. */
let heldYoungGeneration = 0;

/**
 * Keeps this thread's young generation at the size it has now until the returned function is called.
 * A pipelined scan's garbage here is one batch's records at a time: a young generation grown to its
 * default maximum (two 8 MiB semi-spaces) costs about 8 MiB of resident memory and measured no faster.
 * V8 reads the growth factor each time it would grow the space, so the flag takes effect at once;
 * its default (2) is put back when the last scan ends. Called once the worker has started: set
 * earlier, while the worker's isolate was being created, it did not hold in measurements (Node 20).
 */
function holdYoungGeneration(): () => void {
  if (heldYoungGeneration++ === 0) setFlagsFromString('--semi-space-growth-factor=1');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--heldYoungGeneration === 0) setFlagsFromString('--semi-space-growth-factor=2');
  };
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
  private releaseYoungGeneration: (() => void) | null = null;

  /** Starts framing `files` when `options` ask for a pipeline and they are large enough; else null. */
  static start(files: string[], options: PipelineOptions | boolean | undefined): FramingRun | null {
    if (!options) return null;
    const script = framingWorkerScript();
    if (script === null || totalBytes(files) < ((options === true ? undefined : options.minBytes) ?? PIPELINE_MIN_BYTES)) return null;
    return new FramingRun(script, files);
  }

  private constructor(
    script: string,
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
    this.worker = new Worker(script, { eval: true, workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 1, stackSizeMb: 1 } });
    this.worker.on('message', (message: FramingMessage) => {
      this.releaseYoungGeneration ??= holdYoungGeneration();
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
    this.releaseYoungGeneration?.();
    Atomics.store(this.slots, CANCELLED_SLOT, 1);
    Atomics.notify(this.slots, CONSUMED_SLOT);
    if (failure) {
      this.failure = failure;
      void this.worker.terminate();
    } else this.worker.unref();
    this.stopped?.(failure?.error);
  }
}
