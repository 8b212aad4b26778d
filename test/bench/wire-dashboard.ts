// A live dashboard reduced to the wire, for benchmarks that open hundreds of them: engine.io v4 over a bare
// WebSocket, the socket.io v4 CONNECT with its auth, a pong for every ping, and each event frame handed on by
// name without parsing its JSON — a fraction of a socket.io-client's CPU, so the benchmark measures the server.
import WebSocket from 'ws';

/** engine.io v4 packet types (first character of a text frame). */
const ENGINE = { open: '0', close: '1', ping: '2', pong: '3', message: '4' } as const;
/** socket.io v4 packet types (character after the engine.io `4`), default namespace. */
const SOCKET = { connect: '0', disconnect: '1', event: '2', connectError: '4' } as const;
const EVENT_PREFIX = `${ENGINE.message}${SOCKET.event}["`;

export interface WireDashboardOptions {
  /** Server origin, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** socket.io path on that server. */
  path?: string;
  /** The handshake auth object (what socket.io-client sends as `auth`). */
  auth?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Called for every server event with its name and the whole frame (`42["name",…]`, JSON still unparsed). */
  onEvent(name: string, frame: string): void;
}

export class WireDashboard {
  /** Pings answered so far (the server sends its next ping only after our pong arrived). */
  pings = 0;
  /** Resolves when the connection ends, with the reason. */
  readonly closed: Promise<string>;
  private closeReason = '';

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve(this.closeReason || 'transport close')));
  }

  /** Opens the socket and resolves once the server accepted the socket.io CONNECT (rejects with its refusal). */
  static connect(options: WireDashboardOptions): Promise<WireDashboard> {
    const endpoint = new URL(options.path ?? '/socket.io/', options.url);
    endpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
    endpoint.search = 'EIO=4&transport=websocket';
    const ws = new WebSocket(endpoint, { headers: options.headers, perMessageDeflate: false });
    const dashboard = new WireDashboard(ws);
    return new Promise((resolve, reject) => {
      let connected = false;
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const frame = data.toString();
        if (frame.startsWith(EVENT_PREFIX)) {
          options.onEvent(frame.slice(EVENT_PREFIX.length, frame.indexOf('"', EVENT_PREFIX.length)), frame);
          return;
        }
        switch (frame[0]) {
          case ENGINE.open:
            ws.send(`${ENGINE.message}${SOCKET.connect}${options.auth ? JSON.stringify(options.auth) : ''}`);
            return;
          case ENGINE.ping:
            dashboard.pings++;
            ws.send(ENGINE.pong);
            return;
          case ENGINE.close:
            dashboard.closeReason = 'io server disconnect';
            return;
        }
        if (frame[0] !== ENGINE.message) return;
        if (frame[1] === SOCKET.connect) {
          connected = true;
          resolve(dashboard);
        } else if (frame[1] === SOCKET.connectError) {
          const refusal = JSON.parse(frame.slice(2)) as { message?: string };
          ws.close();
          reject(new Error(refusal.message ?? 'connect refused'));
        } else if (frame[1] === SOCKET.disconnect) {
          dashboard.closeReason = 'io server disconnect';
          ws.close();
        }
      });
      ws.once('error', (error) => !connected && reject(error));
      ws.once('close', () => !connected && reject(new Error(`closed before connecting${dashboard.closeReason ? ` (${dashboard.closeReason})` : ''}`)));
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Leaves like socket.io-client's `close()`: socket.io DISCONNECT, then the transport. */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(`${ENGINE.message}${SOCKET.disconnect}`);
    this.ws.close();
  }
}

/** A whole-number field of an event frame, read without parsing the JSON; NaN when the frame has none. */
export function frameNumber(frame: string, field: string): number {
  const key = `"${field}":`;
  const at = frame.indexOf(key);
  return at < 0 ? NaN : Number.parseInt(frame.slice(at + key.length, at + key.length + 20), 10);
}

/** The `seq` of a `fleet:delta` frame (or of the delta in a `live:tick`). */
export const deltaSeq = (frame: string): number => frameNumber(frame, 'seq');
