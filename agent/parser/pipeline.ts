// Pipelined one-shot scan: a worker thread reads and frames the files while this thread runs the handlers on its records.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FramedBatchReader, type FramedSink } from './framed-batch';
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

/** Whether `files` are worth a pipelined scan under `options`. */
export function wantsPipeline(files: string[], options: PipelineOptions | boolean | undefined): boolean {
  if (!options || framingWorkerScript() === null) return false;
  return totalBytes(files) >= ((options === true ? undefined : options.minBytes) ?? PIPELINE_MIN_BYTES);
}

export interface PipelinedScanOptions {
  onProgress?(path: string, bytesRead: number, totalBytes: number): void;
  signal?: AbortSignal;
}

/**
 * Feeds `files` into `parser` as `scanFile` with `final` would, one after another, with the reading
 * and framing on a worker thread. The parser sees the same records in the same order.
 */
export function scanPipelined(parser: ServicingLogParser, files: string[], options: PipelinedScanOptions = {}): Promise<void> {
  options.signal?.throwIfAborted();
  const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const job: FramingJob = {
    role: FRAMING_JOB,
    files: files.map((path) => ({ path, name: basename(path), kind: logKindOf(path) ?? 'cbs' })),
    control,
  };
  const script = framingWorkerScript();
  if (script === null) throw new Error('this build has no framing worker script');
  // The worker's garbage is short-lived (the strings of one record): a small young generation keeps its memory down.
  const worker = new Worker(script, { eval: true, workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
  const slots = new Int32Array(control);
  const sink: FramedSink = {
    ...parser.framedInput(job.files.map((file) => file.name)),
    progress: (index, read, total) => options.onProgress?.(files[index] as string, read, total),
  };
  const reader = new FramedBatchReader(sink);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      Atomics.store(slots, CANCELLED_SLOT, 1);
      Atomics.notify(slots, CONSUMED_SLOT);
      if (error === undefined) {
        worker.unref();
        resolve();
      } else {
        void worker.terminate();
        reject(error);
      }
    };
    const onAbort = (): void => finish(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FramingMessage) => {
      if (settled) return;
      try {
        if (message.type === 'batch') {
          reader.apply(message.batch);
          worker.postMessage({ ints: message.batch.ints, chars: message.batch.chars }, [message.batch.ints, message.batch.chars]);
          Atomics.add(slots, CONSUMED_SLOT, 1);
          Atomics.notify(slots, CONSUMED_SLOT);
        } else if (message.type === 'done') finish();
        else if (message.code) finish(new ScanInputError(`cannot read ${message.path} (${message.code})`));
        else finish(new Error(`cannot read ${message.path}: ${message.message}`));
      } catch (error) {
        finish(error);
      }
    });
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => finish(new Error(`the framing worker stopped (exit ${code}) before the end of the files`)));
  });
}
