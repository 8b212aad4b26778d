// A swarm of live dashboards in its own process (forked by bench:server and bench:load, see swarm.ts), so their
// work neither slows the load generator nor hides inside the server's figures. Wire dashboards by default
// (wire-dashboard.ts) plus one socket.io-client witness whose events every wire dashboard must match.
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket-events';
import type { SwarmRequest, SwarmResult, SwarmStart } from './swarm';
import { compareWithWitness } from './swarm-check';
import { deltaSeq, WireDashboard } from './wire-dashboard';

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

async function openWire(into: Listener): Promise<void> {
  const dashboard = await WireDashboard.connect({
    url: start.url,
    auth: start.auth,
    onEvent: (name, frame) => record(into, name, name === 'fleet:delta' || name === 'live:tick' ? deltaSeq(frame) : undefined),
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
  for (const close of closers) close();
  const result: SwarmResult = {
    type: 'result',
    arrivals: listeners.map((l) => l.arrivals),
    events: countEvents(listeners),
    check: witness ? compareWithWitness(witness.events, listeners.slice(1).map((l) => l.events)) : null,
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
