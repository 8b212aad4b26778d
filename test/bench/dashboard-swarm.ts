// A swarm of dashboard sockets in its own process (forked by bench:server), so their work does not slow the load generator.
// Reports every fleet:delta arrival as epoch milliseconds when the parent asks.
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket-events';

const url = process.env.SWARM_URL!;
const token = process.env.SWARM_TOKEN!;
const count = Number(process.env.SWARM_COUNT ?? 100);
const now = () => performance.timeOrigin + performance.now();

const arrivals: number[][] = [];
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
for (let i = 0; i < count; i++) {
  const times: number[] = [];
  arrivals.push(times);
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, { transports: ['websocket'], reconnection: false, auth: { token } });
  socket.on('fleet:delta', () => times.push(now()));
  sockets.push(socket);
}

Promise.all(
  sockets.map(
    (socket) =>
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      }),
  ),
).then(
  () => process.send!({ type: 'ready' }),
  (err: Error) => process.send!({ type: 'error', message: err.message }),
);

process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  for (const socket of sockets) socket.close();
  process.send!({ type: 'arrivals', arrivals }, () => process.exit(0));
});
