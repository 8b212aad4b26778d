// An upload read at the server's pace: the request body chunk by chunk, cut off when the client falls silent or leaves.
import type { Readable } from 'node:stream';
import { AppError } from '../errors';

/**
 * The body of `req` chunk by chunk. Waiting more than `idleMs` for the next chunk ends it with 408:
 * an upload freed from the request deadline may still not stall, since it holds one of the few
 * analysis slots. An abort of `signal` ends it with the signal's reason. Leaving the loop early does
 * not destroy the request, so an answer can still be sent on its connection.
 */
export async function* uploadBody(req: Readable, idleMs: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const chunks = req.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array>;
  try {
    for (;;) {
      signal.throwIfAborted();
      const next = await withinIdle(chunks.next(), idleMs, signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Detaches the iterator's 'readable' listener, without which the rest of an answered body cannot be drained.
    void chunks.return?.();
  }
}

function withinIdle<T>(pending: Promise<T>, idleMs: number, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      settle();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const timer = setTimeout(
      () => fail(new AppError(408, 'invalid_request', `No part of the upload arrived for ${Math.round(idleMs / 1000)} s, so it was stopped; send it again.`)),
      idleMs,
    );
    const onAbort = () => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then((value) => {
      settle();
      resolve(value);
    }, fail);
  });
}
