// Live fleet changes over socket.io: one connection, automatic reconnect, a status for the indicator, typed listeners.
import { io, type Socket } from 'socket.io-client';
import { LIVE_TICK_AUTH, type ClientToServerEvents, type FleetDelta, type LiveTick, type ServerToClientEvents } from '../../protocol/socket-events';

export type LiveStatus = 'connecting' | 'live' | 'offline';
type EventName = keyof ServerToClientEvents;

/** Retry delays after the server refused or dropped the socket (socket.io retries transport drops itself). */
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

export class LiveConnection {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private statusValue: LiveStatus = 'offline';
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private retry = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectedBefore = false;
  private readonly reconnectListeners = new Set<() => void>();
  private readonly sessionEndedListeners = new Set<() => void>();
  /** The server said the session or token ended: reconnecting cannot help until the user signs in again. */
  private sessionEnded = false;
  private readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  /** Devices whose `device:updated` events a page wants, with how many pages want each. */
  private readonly watched = new Map<string, number>();

  /** The server's latest `refreshAfterMs`: how long pages wait before re-reading after a delta. */
  private refreshHintMs = 0;

  constructor(private readonly basePath: string) {}

  get refreshAfterMs(): number {
    return this.refreshHintMs;
  }

  get status(): LiveStatus {
    return this.statusValue;
  }

  start(): void {
    if (this.socket) return;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: `${this.basePath.replace(/\/$/, '')}/socket.io`,
      withCredentials: true,
      // One message per live tick: the server's cost per dashboard is a socket write per message.
      auth: { ...LIVE_TICK_AUTH },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socket = socket;
    this.sessionEnded = false;
    this.setStatus('connecting');
    socket.on('connect', () => {
      this.retry = 0;
      if (this.watched.size > 0) socket.emit('device:watch', [...this.watched.keys()]);
      this.setStatus('live');
      if (this.connectedBefore) for (const listener of this.reconnectListeners) listener();
      this.connectedBefore = true;
    });
    socket.on('session:expired', () => this.endSession());
    socket.on('disconnect', (reason) => {
      this.setStatus('offline');
      // A server-side disconnect is not retried by socket.io; everything else is, unless the session ended.
      if (reason === 'io server disconnect' && !this.sessionEnded) this.scheduleRetry();
    });
    socket.on('connect_error', (err: Error & { data?: { code?: unknown } }) => {
      this.setStatus('offline');
      // Refused because the session is gone (expired while offline): signing in again is the only way back.
      if (err.data?.code === 'unauthenticated') return this.endSession();
      // Refused by the server's middleware for another reason: socket.io gives up, so retry here.
      if (!socket.active) this.scheduleRetry();
    });
    socket.io.on('reconnect_attempt', () => this.setStatus('connecting'));
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'live:tick') this.dispatchTick(args[0] as LiveTick);
      this.dispatch(event, args);
    });
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.disconnect();
    this.socket = null;
    this.connectedBefore = false;
    this.setStatus('offline');
  }

  /** Listens to a server event (before or after start); returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: ServerToClientEvents[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (...args: unknown[]) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Asks for `device:updated` of these devices (kept across reconnects); returns the function that stops it. */
  watch(ids: string[]): () => void {
    for (const id of ids) this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
    this.socket?.emit('device:watch', ids);
    return () => {
      const done = ids.filter((id) => {
        const left = (this.watched.get(id) ?? 1) - 1;
        if (left > 0) this.watched.set(id, left);
        else this.watched.delete(id);
        return left <= 0;
      });
      if (done.length > 0) this.socket?.emit('device:unwatch', done);
    };
  }

  /** Called when the socket is back after a drop: changes pushed meanwhile were missed. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Called when the server ends the socket because its session expired or was revoked: the user must sign in again. */
  onSessionEnded(listener: () => void): () => void {
    this.sessionEndedListeners.add(listener);
    return () => this.sessionEndedListeners.delete(listener);
  }

  /** After the session ended: connects again, for when the browser turned out to hold a newer session (signed in again in another tab). */
  resume(): void {
    if (!this.socket || !this.sessionEnded) return;
    this.sessionEnded = false;
    this.setStatus('connecting');
    this.socket.connect();
  }

  private endSession(): void {
    if (this.sessionEnded) return;
    this.sessionEnded = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const listener of this.sessionEndedListeners) listener();
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private dispatch(event: string, args: unknown[]): void {
    if (event === 'fleet:delta') this.refreshHintMs = (args[0] as FleetDelta).refreshAfterMs ?? 0;
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  /** A merged tick reaches listeners as the separate events it stands for. */
  private dispatchTick(tick: LiveTick): void {
    if (tick.delta) this.dispatch('fleet:delta', [tick.delta]);
    if (tick.clusters) this.dispatch('cluster:changed', [tick.clusters]);
    for (const alert of tick.alerts ?? []) this.dispatch('alert:raised', [alert]);
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.socket) return;
    const delay = RETRY_MS[Math.min(this.retry, RETRY_MS.length - 1)]!;
    this.retry++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.socket || this.socket.connected) return;
      this.setStatus('connecting');
      this.socket.connect();
    }, delay);
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.statusValue) return;
    this.statusValue = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
