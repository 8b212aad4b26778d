// A swarm of live dashboards in its own process (forked by bench:server and bench:load, see swarm.ts), so their
// work neither slows the load generator nor hides inside the server's figures. Wire dashboards by default
// (wire-dashboard.ts) plus one socket.io-client witness whose events every wire dashboard must match.
import { io as connect, type Socket } from 'socket.io-client';
import http from 'node:http';
import { API_PREFIX } from '../../protocol/api';
import { LIVE_REFRESH_HEADER, type ClientToServerEvents, type ServerToClientEvents } from '../../protocol/socket-events';
import { liveRefreshDelay } from '../../dashboard/use-resource';
import type { SwarmRequest, SwarmResult, SwarmStart } from './swarm';
import { compareWithWitness } from './swarm-check';
import { deltaSeq, frameNumber, WireDashboard } from './wire-dashboard';

const start = JSON.parse(process.env.SWARM_START!) as SwarmStart;
const now = () => performance.timeOrigin + performance.now();

/** Per dashboard: arrival times of the messages carrying a fleet delta, and every event as `name` or `name#seq`. */
interface Listener {
  arrivals: number[];
  events: string[];
}
const listeners: Listener[] = [];
const closers: (() => void)[] = [];

/** `seq` is the fleet delta's sequence number when the message carries one (`fleet:delta`, or `live:tick` with a delta). */
function record(into: Listener, name: string, seq: number | undefined): void {
  if (seq === undefined || Number.isNaN(seq)) {
    into.events.push(name);
    return;
  }
  into.arrivals.push(now());
  into.events.push(`${name}#${seq}`);
}

function listener(): Listener {
  const entry: Listener = { arrivals: [], events: [] };
  listeners.push(entry);
  return entry;
}

function openSocketIo(into: Listener): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(start.url, { transports: ['websocket'], reconnection: false, auth: start.auth });
  socket.onAny((name: string, payload: { seq?: number; delta?: { seq: number } }) =>
    record(into, name, name === 'fleet:delta' ? payload.seq : name === 'live:tick' ? payload.delta?.seq : undefined),
  );
  closers.push(() => socket.close());
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

/**
 * The reads an open overview makes when a delta arrives (dashboard/pages/overview.tsx through
 * use-resource.ts): its four live aggregates, marked as a live refresh, paced by the server's
 * `refreshAfterMs` exactly as the dashboard paces them. The swarm's dashboards are the server's real
 * live-push and read load, not only its push load.
 */
const OVERVIEW_LIVE_READS = ['/fleet/summary', '/kbs', '/errors', '/corruption/clusters'];
const pageReads = { ok: 0, failed: 0 };
const readAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const refreshTimers = new Set<NodeJS.Timeout>();
let closing = false;

function read(path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(
      new URL(`${API_PREFIX}${path}`, start.url),
      { agent: readAgent, headers: { Authorization: `Bearer ${String(start.auth.token)}`, [LIVE_REFRESH_HEADER]: '1' } },
      (res) => {
        res.resume();
        res.once('end', () => {
          if (res.statusCode === 200) pageReads.ok++;
          else pageReads.failed++;
          resolve();
        });
      },
    );
    req.once('error', () => {
      if (!closing) pageReads.failed++;
      resolve();
    });
  });
}

/** What use-resource.ts does on each delta: one refresh at a time, `liveRefreshDelay` after the last. */
function overviewRefresher(): (frame: string) => void {
  let last: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  return (frame) => {
    if (timer || closing) return;
    const hint = frameNumber(frame, 'refreshAfterMs') || 0;
    // Steady state, as if each dashboard had been opened at a random moment before the phase.
    last ??= Date.now() - Math.random() * Math.max(1_000, hint);
    const scheduled = setTimeout(() => {
      refreshTimers.delete(scheduled);
      last = Date.now();
      void Promise.all(OVERVIEW_LIVE_READS.map(read)).then(() => (timer = null));
    }, liveRefreshDelay(last, Date.now(), hint, Math.random()));
    timer = scheduled;
    refreshTimers.add(scheduled);
  };
}

async function openWire(into: Listener): Promise<void> {
  const refresh = start.pageReads ? overviewRefresher() : null;
  const dashboard = await WireDashboard.connect({
    url: start.url,
    auth: start.auth,
    onEvent: (name, frame) => {
      const delta = name === 'fleet:delta' || name === 'live:tick' ? deltaSeq(frame) : undefined;
      record(into, name, delta);
      if (refresh && delta !== undefined && !Number.isNaN(delta)) refresh(frame);
    },
  });
  closers.push(() => dashboard.close());
}

async function openAll(): Promise<void> {
  // The witness connects first so that it sees at least every event the others see.
  if (witness) await openSocketIo(witness);
  const opened: Promise<void>[] = [];
  for (let i = witness ? 1 : 0; i < start.count; i++) opened.push(start.client === 'wire' ? openWire(listener()) : openSocketIo(listener()));
  await Promise.all(opened);
}

const witness = start.client === 'wire' && start.count > 0 ? listener() : null;
openAll().then(
  () => process.send!({ type: 'ready' } satisfies SwarmRequest),
  (err: Error) => process.send!({ type: 'error', message: err.message } satisfies SwarmRequest),
);

process.on('message', (message: SwarmRequest) => {
  if (message.type !== 'stop') return;
  closing = true;
  for (const timer of refreshTimers) clearTimeout(timer);
  for (const close of closers) close();
  readAgent.destroy();
  const result: SwarmResult = {
    type: 'result',
    arrivals: listeners.map((l) => l.arrivals),
    events: countEvents(listeners),
    check: witness ? compareWithWitness(witness.events, listeners.slice(1).map((l) => l.events)) : null,
    pageReads,
  };
  process.send!(result, () => process.exit(0));
});

function countEvents(all: Listener[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { events } of all) {
    for (const event of events) {
      const name = event.split('#')[0]!;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}
