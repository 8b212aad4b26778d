// Live push of fleet knowledge: a dashboard sees a cluster change in the very tick that announces the report, and its alert after.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { LIVE_TICK_AUTH, type ClientToServerEvents, type LiveTick, type ServerToClientEvents } from '../../../protocol/socket-events';
import { login, waitUntil } from '../harness';
import { startFleetServer, type FleetTestServer } from './fleet-server';

let server: FleetTestServer;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
before(async () => {
  server = await startFleetServer();
  const { cookie } = await login(server);
  // As the dashboard connects: its session cookie, its origin, one live:tick per tick.
  socket = connect(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { Cookie: cookie, Origin: server.url }, auth: LIVE_TICK_AUTH });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
});
after(async () => {
  socket.close();
  await server.close();
});

// How soon a tick follows an ingest is measured by bench:server (report→dashboard); here the cluster change must
// ride in the same tick as the report that caused it, which no amount of load on a shared machine changes.
test('an ingest that opens a cluster reaches the dashboard in the tick that announces the report, and its alert follows', async () => {
  const ticks: LiveTick[] = [];
  socket.on('live:tick', (tick) => ticks.push(tick));
  const clusterTick = (deviceCount: number) => ticks.find((tick) => tick.clusters?.some((item) => item.family === 'dual_wpdmtp.inf' && item.deviceCount === deviceCount));
  const cleanAlerts = () => ticks.flatMap((tick) => tick.alerts ?? []).filter((alert) => alert.kind === 'cluster-new' && /dual_wpdmtp/.test(alert.message));

  assert.equal(await server.ingest('case2-device'), 202);
  await waitUntil(() => clusterTick(1) !== undefined, 'a cluster change for dual_wpdmtp.inf');
  assert.equal(clusterTick(1)!.delta?.reportsAccepted, 1, 'the cluster change came in another tick than its report');
  assert.deepEqual(
    ticks.flatMap((tick) => tick.clusters ?? []).filter((item) => item.family === 'dual_wpdmtp.inf').map((item) => item.deviceCount),
    [1],
  );

  // Alerts are evaluated at most once a second after counter changes, so the alert comes in a later tick.
  await waitUntil(() => cleanAlerts().length > 0, 'the cluster-new alert');
  assert.equal(cleanAlerts().length, 1);
  assert.match(cleanAlerts()[0]!.message, /dual_wpdmtp\.inf on 1 device/);

  assert.equal(await server.ingest('case1-device-a'), 202);
  await waitUntil(() => clusterTick(2) !== undefined, 'a cluster change with 2 devices');
  assert.equal(clusterTick(2)!.delta?.reportsAccepted, 1, 'the second device reached the cluster in another tick than its report');
  // The evaluation the once-a-second timer runs, run now; anything it raised is flushed, and would arrive before
  // the answer to a round trip on the same socket.
  await server.fleet.alerts.evaluate();
  server.patchlens.live.flush();
  await socket.timeout(15_000).emitWithAck('device:watch', []);
  assert.equal(cleanAlerts().length, 1, 'the cluster alert fired again when the cluster grew');
});
