// The one server error type and the express handlers that turn every failure into the API envelope.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorCode, ErrorEnvelope } from '../protocol/errors';

/** An error a client is meant to see: HTTP status, stable code, a human sentence, optional details. */
export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: unknown[] | undefined;
  /** Extra response headers, e.g. Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, details?: unknown[], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export function envelope(code: ErrorCode, message: string, details?: unknown[]): ErrorEnvelope {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Body-parser and other http-errors carry `status`/`type`; map the ones a client can cause. */
function fromHttpError(err: { status?: unknown; type?: unknown; statusCode?: unknown }): AppError | null {
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : 0;
  if (err.type === 'entity.parse.failed') return new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  if (err.type === 'entity.too.large' || status === 413) {
    return new AppError(413, 'payload_too_large', 'The request body is larger than this server accepts.');
  }
  if (err.type === 'encoding.unsupported' || status === 415) {
    return new AppError(415, 'unsupported_media_type', 'The request body encoding or content type is not supported.');
  }
  if (err.type === 'request.aborted') return new AppError(400, 'invalid_request', 'The request was aborted by the client.');
  if (status >= 400 && status < 500) return new AppError(status, 'invalid_request', 'The request could not be read.');
  return null;
}

/** Seconds an agent is told to wait when the database's disk is full: long enough for an operator to free space. */
const STORAGE_FULL_RETRY_SECONDS = 120;

/** The database's disk (or quota) is full: SQLite reports SQLITE_FULL for the write, the file system ENOSPC/EDQUOT. */
export function isStorageFull(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/** The write was rolled back and nothing acknowledged, so the client only has to come back later. */
function fromStorageFull(err: unknown): AppError | null {
  if (!isStorageFull(err)) return null;
  return new AppError(
    503,
    'storage_full',
    "The server's database disk is full; nothing from this request was stored. Retry after the delay given in Retry-After.",
    undefined,
    { 'Retry-After': String(STORAGE_FULL_RETRY_SECONDS) },
  );
}

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/** The last middleware: every error leaves as `{ error: { code, message, details? } }`. */
export function errorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const storageFull = fromStorageFull(err);
    const appError =
      err instanceof AppError ? err : (storageFull ?? (typeof err === 'object' && err !== null ? fromHttpError(err as Record<string, unknown>) : null));
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (storageFull) logger.error({ err, method: req.method, url: req.originalUrl }, 'database disk full');
    if (appError) {
      for (const [name, value] of Object.entries(appError.headers)) res.setHeader(name, value);
      res.status(appError.status).json(envelope(appError.code, appError.message, appError.details));
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled request error');
    res.status(500).json(envelope('internal', 'The server failed to handle this request.'));
  };
}

/** Unknown routes under the API answer with the envelope instead of express's HTML page. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `No route ${req.method} ${req.originalUrl}.`));
};
