// HTTPS client for the agent: system + configured CA bundle, optional CONNECT proxy, JSON in and out, bounded time.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { pipeline, type Duplex } from 'node:stream';
import { isIP } from 'node:net';
import { checkServerUrl } from '../config';

export interface TransportOptions {
  server: string;
  allowHttp: boolean;
  /** Extra trusted certificates (PEM text): the bank's own PKI and/or the Windows root store. */
  extraCaPem: string[];
  /** `http://proxy:port` supporting CONNECT, or null. */
  proxy: string | null;
  timeoutMs?: number;
}

/** A request body: JSON text, or a JSON file streamed from disk (a spooled report is never held in memory to be sent). */
export type RequestBody = string | { file: string; bytes: number };

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Network-level failure (refused, reset, timeout, TLS): always worth a retry later. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

export class Transport {
  private readonly base: URL;
  private readonly timeoutMs: number;
  private trust: tls.SecureContext | undefined;

  constructor(private readonly options: TransportOptions) {
    this.base = checkServerUrl(options.server, options.allowHttp);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * Node's bundled roots plus the configured ones (passing `ca` alone would replace the defaults),
   * parsed once per transport: given as `ca` to every request, the ~150 certificates were parsed
   * again for each connection, about 1 MiB each while a spool drains. Undefined: Node's defaults.
   */
  private secureContext(): tls.SecureContext | undefined {
    if (this.options.extraCaPem.length === 0) return undefined;
    this.trust ??= tls.createSecureContext({ ca: [...tls.rootCertificates, ...this.options.extraCaPem] });
    return this.trust;
  }

  get serverUrl(): string {
    return this.base.toString();
  }

  async postJson(path: string, body: RequestBody, bearer: string | null): Promise<HttpResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base.toString().endsWith('/') ? this.base : new URL(`${this.base}/`));
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.bytes,
      accept: 'application/json',
      'user-agent': 'patchlens-agent',
    };
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const secure = url.protocol === 'https:';
    const tunnel = this.options.proxy !== null && secure ? await this.connectThroughProxy(url) : null;
    const secureContext = secure ? this.secureContext() : undefined;
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (error: Error) => reject(error instanceof NetworkError ? error : new NetworkError(`${url.host}: ${error.message}`));
      // https.request hands its options to tls.connect, which takes a ready secure context.
      const requestOptions: https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> = {
        method: 'POST',
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers,
        secureContext,
        // SNI carries host names only (RFC 6066); an IP address is verified against the certificate's IP SANs.
        servername: serverName(url),
        agent: false,
        timeout: this.timeoutMs,
      };
      if (tunnel) requestOptions.createConnection = () => tls.connect({ socket: tunnel, servername: serverName(url), secureContext });
      const request = (secure ? https : http).request(requestOptions, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', fail);
      });
      request.on('timeout', () => request.destroy(new NetworkError(`${url.host}: no answer within ${this.timeoutMs} ms`)));
      request.on('error', fail);
      if (typeof body === 'string') request.end(body);
      // pipeline closes the file whatever happens to the request (no handle left on a spool file).
      else pipeline(createReadStream(body.file), request, () => undefined);
    });
  }

  /** Opens a CONNECT tunnel through the configured proxy; TLS then runs end to end inside it. */
  private connectThroughProxy(target: URL): Promise<Duplex> {
    const proxy = new URL(this.options.proxy ?? '');
    const authority = `${target.hostname}:${target.port || 443}`;
    return new Promise((resolve, reject) => {
      const request = http.request({
        method: 'CONNECT',
        hostname: proxy.hostname,
        port: proxy.port || 8080,
        path: authority,
        headers: { host: authority },
        timeout: this.timeoutMs,
      });
      request.on('connect', (response, socket) => {
        if (response.statusCode === 200) resolve(socket);
        else {
          socket.destroy();
          reject(new NetworkError(`proxy ${proxy.host} refused CONNECT ${authority}: HTTP ${response.statusCode}`));
        }
      });
      request.on('timeout', () => request.destroy(new NetworkError(`proxy ${proxy.host}: no answer within ${this.timeoutMs} ms`)));
      request.on('error', (error) => reject(new NetworkError(`proxy ${proxy.host}: ${error.message}`)));
      request.end();
    });
  }
}

/** The `message` of an error envelope, or the start of the body. */
export function describeResponse(response: HttpResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { error?: { code?: string; message?: string } };
    if (parsed.error?.message) return `HTTP ${response.status} ${parsed.error.code ?? ''}: ${parsed.error.message}`.replace('  ', ' ');
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, 200)}` : ''}`;
}

function serverName(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? undefined : host;
}
