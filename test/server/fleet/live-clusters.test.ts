// Live push of fleet knowledge: a dashboard socket sees cluster:changed and alert:raised after an ingest.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import type { AlertRaised, ClientToServerEvents, ClusterChanged, ServerToClientEvents } from '../../../protocol/socket-events';
import { login, waitUntil } from '../harness';
import { startFleetServer, type FleetTestServer } from './fleet-server';

let server: FleetTestServer;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
before(async () => {
  server = await startFleetServer();
  const { cookie } = await login(server);
  socket = connect(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { Cookie: cookie, Origin: server.url } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
});
after(async () => {
  socket.close();
  await server.close();
});

test('an ingest that opens a cluster reaches the dashboard as cluster:changed within 1 s, and its alert follows', async () => {
  const clusters: ClusterChanged[] = [];
  const alerts: AlertRaised[] = [];
  socket.on('cluster:changed', (changed) => clusters.push(...changed));
  socket.on('alert:raised', (alert) => alerts.push(alert));

  assert.equal(await server.ingest('case2-device'), 202);
  const elapsed = await waitUntil(() => clusters.some((item) => item.family === 'dual_wpdmtp.inf'), 'cluster:changed for dual_wpdmtp.inf');
  assert.ok(elapsed < 1_000, `cluster:changed took ${elapsed} ms`);
  assert.deepEqual(clusters.filter((item) => item.family === 'dual_wpdmtp.inf').map((item) => item.deviceCount), [1]);

  await waitUntil(() => alerts.some((alert) => alert.kind === 'cluster-new'), 'the cluster-new alert', 3_000);
  const raised = alerts.filter((alert) => alert.kind === 'cluster-new');
  assert.equal(raised.length, 1);
  assert.match(raised[0]!.message, /dual_wpdmtp\.inf on 1 device/);

  assert.equal(await server.ingest('case1-device-a'), 202);
  const grown = await waitUntil(() => clusters.some((item) => item.family === 'dual_wpdmtp.inf' && item.deviceCount === 2), 'cluster:changed with 2 devices');
  assert.ok(grown < 1_000, `the second device reached the cluster after ${grown} ms`);
  await new Promise((resolve) => setTimeout(resolve, 1_300));
  assert.equal(alerts.filter((alert) => alert.kind === 'cluster-new' && /dual_wpdmtp/.test(alert.message)).length, 1, 'the cluster alert does not fire again');
});
