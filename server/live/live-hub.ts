// Live push: authenticates dashboard sockets, coalesces domain events, and emits them at most once per interval (one message per tick to dashboards that ask for it).
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type {
  AlertRaised,
  ClientToServerEvents,
  ClusterChanged,
  DeviceUpdated,
  FleetDelta,
  LiveTick,
  ServerToClientEvents,
} from '../../protocol/socket-events';
import { LIVE_LIMITS, LIVE_TICK_AUTH } from '../../protocol/socket-events';
import type { Clock } from '../clock';
import type { Authenticator, CredentialEnd, Principal } from '../security/authenticator';
import type { CounterValues } from '../storage/counter-keys';
import type { EventBus } from './event-bus';

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { principal: Principal }>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { principal: Principal }>;

/** Sockets that get `fleet:delta`, `cluster:changed` and `alert:raised` as separate messages. */
const FLEET_ROOM = 'fleet';
/** Sockets that asked for one `live:tick` per tick instead (the dashboard does). */
const FLEET_TICK_ROOM = 'fleet:tick';
/**
 * Writes per second, per event type, that live push may spend on all sockets together. A write costs
 * about 10 µs of the ingest loop's CPU (bench:server, "live fan-out per tick"), so this keeps fan-out
 * near 1 % of a core per event type however many dashboards connect; past 312 sockets the tick
 * stretches instead (1,000 sockets: 800 ms, so a change still reaches them within 1 s).
 */
const FANOUT_WRITES_PER_SECOND = 1_250;
/** The tick never stretches beyond this: the dashboard shows a change within 2 s. */
const MAX_TICK_MS = 2_000;
/**
 * Page re-reads per second that all dashboards together may cause: each live refresh of an overview
 * reads about four aggregates, so this keeps dashboards' reads near 100 requests per second however
 * many are open. Up to 25 dashboards refresh once a second; 1,000 refresh every 40 s.
 */
const DASHBOARD_REFRESHES_PER_SECOND = 25;
const MIN_REFRESH_MS = 1_000;
const MAX_REFRESH_MS = 60_000;
const deviceRoom = (id: string) => `device:${id}`;

export interface LiveHubOptions {
  io: LiveServer;
  /** Told `live.flushed` after each tick that sent something. */
  bus: EventBus;
  auth: Authenticator;
  clock: Clock;
  intervalMs: number;
  /**
   * How often every open socket's session or token is looked up again (LIVE_RECHECK). Ends made in this
   * process close sockets at once; this catches expiry and changes made by another process (the admin CLI).
   */
  recheckMs: number;
  /** Told when a re-check could not read the credentials (sockets stay open until the next one). */
  onRecheckError?(err: unknown): void;
  /** Origins allowed besides the server's own (`proto://host` of the handshake). */
  allowedOrigins: readonly string[];
  /** Whether the handshake arrived over TLS (direct or via a trusted proxy). */
  isSecure(req: IncomingMessage): boolean;
  /** Whether X-Forwarded-* headers come from a trusted proxy (TRUST_PROXY). */
  behindProxy: boolean;
}

/** True when the browser's Origin is the server itself or explicitly allowed; absent Origin means a non-browser client. */
export function originAllowed(req: IncomingMessage, secure: boolean, allowed: readonly string[], behindProxy: boolean): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const host = (behindProxy ? req.headers['x-forwarded-host'] : undefined) ?? req.headers.host;
  const own = `${secure ? 'https' : 'http'}://${String(host)}`;
  return origin === own || allowed.includes(origin);
}

/** The interval at which `sockets` acting once each stay within `perSecond` together, kept within [minMs, maxMs]. */
function pacedInterval(sockets: number, perSecond: number, minMs: number, maxMs: number): number {
  return Math.max(minMs, Math.min(maxMs, Math.ceil((sockets * 1_000) / perSecond)));
}

/** Delay until the next live tick with `sockets` connected. */
export function liveTickMs(intervalMs: number, sockets: number): number {
  return pacedInterval(sockets, FANOUT_WRITES_PER_SECOND, intervalMs, MAX_TICK_MS);
}

/** How long dashboards wait before re-reading aggregate pages after a delta, with `sockets` connected. */
export function pageRefreshMs(sockets: number): number {
  return pacedInterval(sockets, DASHBOARD_REFRESHES_PER_SECOND, MIN_REFRESH_MS, MAX_REFRESH_MS);
}

export class LiveHub {
  private counters: CounterValues = {};
  private reportsAccepted = 0;
  private readonly changedDevices = new Map<string, Set<string>>();
  private readonly clusters = new Map<string, ClusterChanged>();
  private alerts: AlertRaised[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private recheckTimer: NodeJS.Timeout | null = null;
  private rechecking: Promise<void> | null = null;

  constructor(private readonly options: LiveHubOptions) {
    const { io } = options;
    io.use((socket, next) => {
      void this.authenticate(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    io.on('connection', (socket) => this.onConnection(socket));
  }

  // What happened since the last tick, told by the composition root's event wiring (see server/compose.ts).

  /** New absolute values of aggregate counters. */
  countersChanged(values: CounterValues): void {
    for (const [scope, keys] of Object.entries(values)) Object.assign((this.counters[scope] ??= {}), keys);
  }

  reportsCommitted(accepted: number): void {
    this.reportsAccepted += accepted;
  }

  deviceChanged(deviceId: string, sections: readonly string[]): void {
    let set = this.changedDevices.get(deviceId);
    if (!set) {
      set = new Set();
      this.changedDevices.set(deviceId, set);
    }
    for (const section of sections) set.add(section);
  }

  clusterChanged(cluster: ClusterChanged): void {
    this.clusters.set(cluster.family, cluster);
  }

  alertRaised(alert: AlertRaised): void {
    this.alerts.push(alert);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.flush();
      this.timer = setTimeout(tick, this.nextDelay());
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
    this.timer.unref();
    this.recheckTimer = setInterval(() => {
      this.recheck().catch((err: unknown) => this.options.onRecheckError?.(err));
    }, this.options.recheckMs);
    this.recheckTimer.unref();
  }

  /** The configured interval, stretched so that sockets × ticks per second stays within FANOUT_WRITES_PER_SECOND. */
  private nextDelay(): number {
    return liveTickMs(this.options.intervalMs, this.dashboards());
  }

  /**
   * Sockets that passed authentication and joined. Engine.io also counts connections still in their
   * handshake, which anyone can open by the thousand without credentials; those receive nothing, so they
   * must not stretch the tick or the dashboards' refresh interval.
   */
  private dashboards(): number {
    return this.options.io.of('/').sockets.size;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    this.recheckTimer = null;
  }

  /**
   * Looks up every open socket's credential again and closes those that no longer hold (session expired or
   * deleted, user disabled, token revoked), whoever changed them. One lookup per credential kind for all
   * sockets; a re-check already running is joined rather than repeated.
   */
  recheck(): Promise<void> {
    this.rechecking ??= this.recheckSockets().finally(() => {
      this.rechecking = null;
    });
    return this.rechecking;
  }

  private async recheckSockets(): Promise<void> {
    const sockets = [...this.options.io.of('/').sockets.values()];
    if (sockets.length === 0) return;
    const ended = await this.options.auth.endedCredentials(sockets.map((socket) => socket.data.principal));
    for (const socket of sockets) {
      const reason = ended.get(socket.data.principal);
      if (reason && socket.connected) this.endSocket(socket, reason);
    }
  }

  /** Tells the client why (so the dashboard asks for sign-in instead of reconnecting), then closes the socket. */
  private endSocket(socket: LiveSocket, reason: CredentialEnd): void {
    socket.emit('session:expired', { reason });
    socket.disconnect(true);
  }

  private async authenticate(socket: LiveSocket): Promise<void> {
    const req = socket.request;
    if (!originAllowed(req, this.options.isSecure(req), this.options.allowedOrigins, this.options.behindProxy)) {
      throw Object.assign(new Error('origin not allowed'), { data: { code: 'forbidden' } });
    }
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
    const principal = token ? await this.options.auth.fromToken(token) : await this.options.auth.fromHeaders({ cookie: req.headers.cookie });
    if (!principal) throw Object.assign(new Error('unauthenticated'), { data: { code: 'unauthenticated' } });
    if (principal.kind === 'user' && principal.mustChangePassword) {
      throw Object.assign(new Error('password change required'), { data: { code: 'forbidden' } });
    }
    socket.data.principal = principal;
  }

  private onConnection(socket: LiveSocket): void {
    void socket.join(socket.handshake.auth?.live === LIVE_TICK_AUTH.live ? FLEET_TICK_ROOM : FLEET_ROOM);
    const watched = () => [...socket.rooms].filter((room) => room.startsWith('device:')).length;
    socket.on('device:watch', (ids, ack) => {
      if (!Array.isArray(ids)) return;
      for (const id of ids) {
        if (typeof id !== 'string' || watched() >= LIVE_LIMITS.watchedDevicesPerSocket) break;
        void socket.join(deviceRoom(id));
      }
      if (typeof ack === 'function') ack({ watching: watched() });
    });
    socket.on('device:unwatch', (ids, ack) => {
      if (!Array.isArray(ids)) return;
      for (const id of ids) if (typeof id === 'string') void socket.leave(deviceRoom(id));
      if (typeof ack === 'function') ack({ watching: watched() });
    });
  }

  /** Closes sockets whose session or token just ended (logout, password change, disable, revoke). */
  credentialsEnded(ended: { sessionIdHash?: string; userId?: number; tokenId?: number }): void {
    for (const socket of this.options.io.of('/').sockets.values()) {
      const principal = socket.data.principal;
      const matches =
        principal.kind === 'user'
          ? principal.session.idHash === ended.sessionIdHash || principal.userId === ended.userId
          : principal.tokenId === ended.tokenId;
      if (matches) this.endSocket(socket, 'revoked');
    }
  }

  /**
   * One tick: everything gathered since the last tick leaves as one room broadcast per event type to the
   * `fleet` room, and as a single `live:tick` to the `fleet:tick` room. socket.io encodes a room broadcast
   * once (packet and WebSocket frame) and writes the same bytes to every member, so a tick costs one encode
   * plus one socket write per dashboard and message — the write (a `writev` system call, ~10 µs) is what
   * scales with dashboards, which is why sockets that can take the merged message get only that one.
   * Room broadcasts are also the shape socket.io's Redis adapter needs to take over fan-out across nodes.
   */
  flush(): void {
    const { io, clock } = this.options;
    const at = new Date(clock.now()).toISOString();
    const tick: LiveTick = {};
    if (this.reportsAccepted > 0 || this.changedDevices.size > 0 || Object.keys(this.counters).length > 0) {
      const delta: FleetDelta = {
        at,
        seq: ++this.seq,
        reportsAccepted: this.reportsAccepted,
        devicesChanged: this.changedDevices.size,
        counters: this.counters,
        refreshAfterMs: pageRefreshMs(this.dashboards()),
      };
      io.to(FLEET_ROOM).emit('fleet:delta', delta);
      tick.delta = delta;
    }
    if (this.changedDevices.size > 0) this.emitDeviceUpdates(at);
    if (this.clusters.size > 0) {
      tick.clusters = [...this.clusters.values()];
      io.to(FLEET_ROOM).emit('cluster:changed', tick.clusters);
    }
    if (this.alerts.length > 0) {
      tick.alerts = this.alerts;
      for (const alert of this.alerts) io.to(FLEET_ROOM).emit('alert:raised', alert);
    }
    if (tick.delta || tick.clusters || tick.alerts) {
      io.to(FLEET_TICK_ROOM).emit('live:tick', tick);
      this.options.bus.publish('live.flushed', { at: clock.now() });
    }
    this.counters = {};
    this.reportsAccepted = 0;
    this.changedDevices.clear();
    this.clusters.clear();
    this.alerts = [];
  }

  /**
   * Watchers get one `device:updated` per tick holding every watched device that changed. Rooms are
   * read from this node's adapter: with several nodes (Redis adapter), each node serves its own
   * sockets from the domain events it receives, and room broadcasts above go through the adapter.
   */
  private emitDeviceUpdates(at: string): void {
    const rooms = this.options.io.of('/').adapter.rooms;
    const perSocket = new Map<string, DeviceUpdated[]>();
    for (const [deviceId, sections] of this.changedDevices) {
      const members = rooms.get(deviceRoom(deviceId));
      if (!members) continue;
      const update: DeviceUpdated = { deviceId, at, sections: [...sections] };
      for (const socketId of members) {
        let list = perSocket.get(socketId);
        if (!list) {
          list = [];
          perSocket.set(socketId, list);
        }
        list.push(update);
      }
    }
    for (const [socketId, updates] of perSocket) this.options.io.to(socketId).emit('device:updated', updates);
  }
}
