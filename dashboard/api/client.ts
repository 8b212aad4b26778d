// HTTP client for the dashboard: base path, session cookie + CSRF header, error envelope → ApiError, typed parsing at the edge.
import type { z } from 'zod';
import { API_PREFIX, CSRF_HEADER } from '../../protocol/api';
import { errorEnvelopeSchema } from '../../protocol/errors';
import { LIVE_REFRESH_HEADER } from '../../protocol/socket-events';

/** A failed API call: HTTP status, the envelope's stable code and its human message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface ApiClientOptions {
  /** The dashboard's own directory URL path, e.g. `/` or `/patchlens/`. */
  basePath: string;
  fetch?: typeof fetch;
}

/** `/patchlens/index.html` → `/patchlens/`: where the dashboard (and so the server) is mounted. */
export function basePathOf(pathname: string): string {
  return pathname.replace(/[^/]*$/, '') || '/';
}

export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Turns any non-2xx response body into an ApiError, using the envelope when there is one. */
export function errorFrom(status: number, body: unknown, fallback: string): ApiError {
  const envelope = errorEnvelopeSchema.safeParse(body);
  if (envelope.success) return new ApiError(status, envelope.data.error.code, envelope.data.error.message, envelope.data.error.details ?? []);
  return new ApiError(status, status === 0 ? 'network' : 'http_error', fallback);
}

/** The body as JSON, or null when it is empty or not JSON (a proxy's HTML error page). */
function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export class ApiClient {
  private csrfToken: string | null = null;
  private readonly fetchImpl: typeof fetch;
  private unauthenticated: (() => void) | null = null;
  private liveRefreshing = false;
  readonly apiBase: string;

  constructor(options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.apiBase = `${options.basePath.replace(/\/$/, '')}${API_PREFIX}`;
  }

  /** Called when the server says the session ended (401), so the shell can show the sign-in page. */
  onUnauthenticated(handler: () => void): void {
    this.unauthenticated = handler;
  }

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  url(path: string, query?: Query): string {
    return `${this.apiBase}${path}${queryString(query)}`;
  }

  /**
   * Runs `load` with the reads it starts marked as live refreshes, which the server may answer with what
   * it computed after its latest live tick. A request's headers are set before its first await, so the
   * mark covers exactly the requests `load` starts synchronously.
   */
  liveRefresh<T>(load: () => Promise<T>): Promise<T> {
    this.liveRefreshing = true;
    try {
      return load();
    } finally {
      this.liveRefreshing = false;
    }
  }

  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>> {
    return this.request('GET', path, schema, undefined, query);
  }

  send<S extends z.ZodType>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    return this.request(method, path, schema, body);
  }

  private async request<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, query?: Query): Promise<z.output<S>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers[CSRF_HEADER] = this.csrfToken;
    if (method === 'GET' && this.liveRefreshing) headers[LIVE_REFRESH_HEADER] = '1';
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, query), {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached.');
    }
    const data = parseJson(await response.text());
    if (!response.ok) {
      const error = errorFrom(response.status, data, `The server answered ${response.status}.`);
      if (response.status === 401 && path !== '/auth/login') this.unauthenticated?.();
      throw error;
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new ApiError(response.status, 'unexpected_response', `Unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? 'wrong shape'}.`);
    return parsed.data;
  }

  /** Sends a file as the raw request body with upload progress (fetch has none); the answer is parsed with `schema`. */
  upload<S extends z.ZodType>(path: string, file: Blob, schema: S, query: Query, onProgress: (progress: UploadProgress) => void, signal?: AbortSignal): Promise<z.output<S>> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.url(path, query));
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      if (this.csrfToken) xhr.setRequestHeader(CSRF_HEADER, this.csrfToken);
      xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
      xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted.'));
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'));
      xhr.onload = () => {
        const data = parseJson(xhr.responseText);
        if (xhr.status < 200 || xhr.status >= 300) {
          reject(errorFrom(xhr.status, data, `The server answered ${xhr.status}.`));
          return;
        }
        const parsed = schema.safeParse(data);
        if (parsed.success) resolve(parsed.data);
        else reject(new ApiError(xhr.status, 'unexpected_response', `Unexpected answer from ${path}.`));
      };
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  }
}
