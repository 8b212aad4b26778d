// Child process of bench:load: N live dashboards, so their socket work does not slow the load generator's event loop.
// Reports every fleet:delta arrival (epoch ms, comparable across processes) to the parent when told to stop.
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket-events';

type Dashboard = Socket<ServerToClientEvents, ClientToServerEvents>;
const [url, token, countText] = process.argv.slice(2);
const count = Number(countText);
const now = () => performance.timeOrigin + performance.now();

const sockets: Dashboard[] = [];
const deltas: number[][] = [];
for (let i = 0; i < count; i++) {
  const times: number[] = [];
  deltas.push(times);
  const socket: Dashboard = connect(url!, { transports: ['websocket'], reconnection: false, auth: { token } });
  socket.on('fleet:delta', () => times.push(now()));
  sockets.push(socket);
}
Promise.all(
  sockets.map((s) => new Promise<void>((resolve, reject) => (s.connected ? resolve() : (s.once('connect', () => resolve()), s.once('connect_error', reject))))),
).then(
  () => process.send!({ ready: true }),
  (error: unknown) => process.send!({ error: (error as Error).message }),
);
process.on('message', () => {
  for (const s of sockets) s.close();
  process.send!({ deltas }, () => process.exit(0));
});
