// Live push: socket handshake auth and Origin check, coalesced fleet:delta after ingest, device:updated for watched devices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, DeviceUpdated, FleetDelta, ServerToClientEvents } from '../../protocol/socket-events';
import { apiToken, enroll, login, postReport, startTestServer, syntheticReport, type TestServer } from './harness';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

function open(server: TestServer, options: { cookie?: string; origin?: string; token?: string }): Promise<Client> {
  const socket: Client = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { ...(options.cookie ? { Cookie: options.cookie } : {}), ...(options.origin ? { Origin: options.origin } : {}) },
    ...(options.token ? { auth: { token: options.token } } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

describe('live push', () => {
  let server: TestServer;
  let cookie: string;
  before(async () => {
    server = await startTestServer();
    cookie = (await login(server)).cookie;
  });
  after(() => server.close());

  test('a socket without a session or token is refused', async () => {
    await assert.rejects(open(server, {}), /unauthenticated/);
  });

  test('a user who still has to change a one-time password gets no live socket', async () => {
    const { oneTimePassword } = await server.patchlens.ctx.admin.createUser({ name: 't', ip: null }, { username: 'newbie', role: 'viewer' });
    const session = await login(server, 'newbie', oneTimePassword);
    await assert.rejects(open(server, { cookie: session.cookie }), /password change required/);
  });

  test('a socket from a foreign Origin is refused even with a valid session', async () => {
    await assert.rejects(open(server, { cookie, origin: 'https://evil.example' }), /origin not allowed/);
  });

  test('a dashboard receives one coalesced fleet:delta within 1 s of an ingest', async () => {
    const socket = await open(server, { cookie, origin: server.url });
    try {
      const deltas: FleetDelta[] = [];
      socket.on('fleet:delta', (delta) => deltas.push(delta));
      const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => enroll(server, `live-${i}`)));
      await Promise.all(keys.map((key, i) => postReport(server, key, syntheticReport(`live-${i}`, 1)).expect(202)));
      // Measured from the last acknowledgement: every report is committed by then.
      const acknowledged = Date.now();
      while (deltas.reduce((n, d) => n + d.reportsAccepted, 0) < 20 && Date.now() - acknowledged < 1000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const elapsed = Date.now() - acknowledged;
      assert.equal(deltas.reduce((n, d) => n + d.reportsAccepted, 0), 20, `got ${JSON.stringify(deltas)}`);
      assert.ok(elapsed < 1000, `took ${elapsed} ms`);
      // 20 reports arrive as a handful of deltas, not 20 messages.
      assert.ok(deltas.length <= 5, `${deltas.length} deltas for 20 reports`);
      const last = deltas[deltas.length - 1]!;
      assert.equal(last.counters.devices?.total, 20);
    } finally {
      socket.close();
    }
  });

  test('no socket gets more than 4 deltas per second under continuous ingest', async () => {
    const socket = await open(server, { token: await apiToken(server, 'viewer') });
    try {
      const arrivals: number[] = [];
      socket.on('fleet:delta', () => arrivals.push(Date.now()));
      const key = await enroll(server, 'steady');
      const until = Date.now() + 1500;
      for (let n = 1; Date.now() < until; n++) {
        await postReport(server, key, syntheticReport('steady', n)).expect(202);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(arrivals.length >= 3, `only ${arrivals.length} deltas`);
      // Five deltas are at least four 250 ms ticks apart; arrival jitter on a busy machine is allowed for.
      for (let i = 4; i < arrivals.length; i++) {
        assert.ok(arrivals[i]! - arrivals[i - 4]! >= 750, `five deltas within ${arrivals[i]! - arrivals[i - 4]!} ms`);
      }
    } finally {
      socket.close();
    }
  });

  test('device:updated reaches only sockets watching that device, batched per tick', async () => {
    const watcher = await open(server, { cookie });
    const bystander = await open(server, { cookie });
    try {
      const key = await enroll(server, 'watched-device');
      const ack = await watcher.emitWithAck('device:watch', ['watched-device']);
      assert.deepEqual(ack, { watching: 1 });
      const seen: DeviceUpdated[][] = [];
      const bystanderSeen: DeviceUpdated[][] = [];
      watcher.on('device:updated', (updates) => seen.push(updates));
      bystander.on('device:updated', (updates) => bystanderSeen.push(updates));
      await postReport(server, key, syntheticReport('watched-device', 1)).expect(202);
      const started = Date.now();
      while (seen.length === 0 && Date.now() - started < 1000) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(seen.length, 1);
      assert.equal(seen[0]![0]!.deviceId, 'watched-device');
      assert.ok(seen[0]![0]!.sections.includes('packages'));
      assert.equal(bystanderSeen.length, 0);
    } finally {
      watcher.close();
      bystander.close();
    }
  });

  test('logging out closes that session\'s sockets; revoking a token closes its sockets', async () => {
    const session = await login(server);
    const socket = await open(server, { cookie: session.cookie });
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await server.http.post('/api/v1/auth/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    assert.equal(await closed, 'io server disconnect');

    const { token, info } = await server.patchlens.ctx.admin.createApiToken({ name: 't', ip: null }, { name: 'live', role: 'viewer' });
    const tokenSocket = await open(server, { token });
    const tokenClosed = new Promise<string>((resolve) => tokenSocket.once('disconnect', (reason) => resolve(reason)));
    await server.patchlens.ctx.admin.revokeApiToken({ name: 't', ip: null }, info.id);
    assert.equal(await tokenClosed, 'io server disconnect');
    await assert.rejects(open(server, { token }), /unauthenticated/);
  });
});
