// The framing half of a pipelined scan, run on a worker thread: reads the files, frames them and posts record batches.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { FramedBatchWriter, type FramedBatch } from './framed-batch';
import { RecordFramer } from './framer';
import type { LogKind } from './record';

/** Marks the worker data of a framing job. */
export const FRAMING_JOB = 'patchlens-framing-job';
/** Slots of the shared control array. */
export const CONSUMED_SLOT = 0;
export const CANCELLED_SLOT = 1;
/** Batches posted but not yet replayed before the worker waits: bounds the memory a slow reader can pile up. */
export const MAX_BATCHES_IN_FLIGHT = 2;

export interface FramingJob {
  role: typeof FRAMING_JOB;
  files: { path: string; name: string; kind: LogKind }[];
  /** Int32Array slots: batches the reader has replayed; 1 when the reader gave up. */
  control: SharedArrayBuffer;
}

export type FramingMessage =
  | { type: 'batch'; batch: FramedBatch }
  | { type: 'done' }
  | { type: 'failed'; path: string; code: string | null; message: string };

const READ_BYTES = 256 * 1024;
/** A batch is handed over once it holds about this much (the reader's replay of it is a few milliseconds). */
const BATCH_BYTES = 128 * 1024;
/**
 * The first batch is small, and each next one twice as large up to BATCH_BYTES (reads likewise up
 * to READ_BYTES): code not yet compiled frames a full batch in 15–20 ms, which the reader would
 * spend waiting; a small one reaches it in a few, and both threads warm up side by side.
 */
const FIRST_BATCH_BYTES = 4 * 1024;
const FIRST_READ_BYTES = 16 * 1024;

/** Frames every file of the job, in order, as one parser would; synchronous reads, since this thread does nothing else. */
export function serveFraming(): void {
  const job = workerData as FramingJob | null;
  const port = parentPort;
  if (isMainThread || !port || job?.role !== FRAMING_JOB) throw new Error('serveFraming runs on a framing worker thread');
  const control = new Int32Array(job.control);
  const writer = new FramedBatchWriter();
  const framer = new RecordFramer({
    textFromRaw: true,
    record: (record, textAt, textEnd, oneByte) => writer.record(record, textAt, textEnd, oneByte),
    clockSample: (local, stamp) => writer.clockSample(local, stamp),
  });
  let posted = 0;
  let batchBytes = FIRST_BATCH_BYTES;
  let readBytes = FIRST_READ_BYTES;
  /** Takes back the buffers of batches the reader has replayed. */
  const reclaim = (): void => {
    for (let returned = receiveMessageOnPort(port); returned; returned = receiveMessageOnPort(port)) {
      writer.reuse(returned.message as Pick<FramedBatch, 'ints' | 'chars'>);
    }
  };
  const post = (): boolean => {
    const batch = writer.take();
    const message: FramingMessage = { type: 'batch', batch };
    port.postMessage(message, [batch.ints, batch.chars]);
    posted++;
    batchBytes = Math.min(2 * batchBytes, BATCH_BYTES);
    readBytes = Math.min(2 * readBytes, READ_BYTES);
    for (;;) {
      reclaim();
      if (Atomics.load(control, CANCELLED_SLOT) !== 0) return false;
      const consumed = Atomics.load(control, CONSUMED_SLOT);
      if (posted - consumed <= MAX_BATCHES_IN_FLIGHT) return true;
      Atomics.wait(control, CONSUMED_SLOT, consumed, 1_000);
    }
  };
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES);
  for (const [index, file] of job.files.entries()) {
    let fd: number;
    try {
      fd = openSync(file.path, 'r');
    } catch (error) {
      fail(file.path, error);
      return;
    }
    try {
      const { size, mtimeMs } = fstatSync(fd);
      framer.flushCarry();
      framer.beginFile(file.name, file.kind, 0);
      writer.beginFile(index, file.kind, mtimeMs);
      let position = 0;
      while (position < size) {
        const got = readSync(fd, buffer, 0, Math.min(readBytes, size - position), position);
        if (got === 0) break;
        position += got;
        framer.pushBytes(buffer.subarray(0, got));
        writer.progress(index, position, size);
        if (writer.size >= batchBytes && !post()) return;
      }
      framer.flushCarry();
      writer.endFile(position, framer.lineCount);
    } catch (error) {
      fail(file.path, error);
      return;
    } finally {
      closeSync(fd);
    }
  }
  framer.flushPending();
  if (!post()) return;
  port.postMessage({ type: 'done' } satisfies FramingMessage);

  function fail(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code;
    port?.postMessage({ type: 'failed', path, code: code ?? null, message: error instanceof Error ? error.message : String(error) } satisfies FramingMessage);
  }
}
