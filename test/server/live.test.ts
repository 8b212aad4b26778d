// Live push: socket handshake auth and Origin check, coalesced fleet:delta after ingest, device:updated for watched devices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { LIVE_TICK_AUTH, type ClientToServerEvents, type DeviceUpdated, type FleetDelta, type LiveTick, type ServerToClientEvents } from '../../protocol/socket-events';
import { deltaSeq, WireDashboard } from '../bench/wire-dashboard';
import { apiToken, enroll, login, postReport, startTestServer, syntheticReport, waitUntil, type TestServer } from './harness';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

function open(server: TestServer, options: { cookie?: string; origin?: string; token?: string; tick?: boolean }): Promise<Client> {
  const socket: Client = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { ...(options.cookie ? { Cookie: options.cookie } : {}), ...(options.origin ? { Origin: options.origin } : {}) },
    auth: { ...(options.token ? { token: options.token } : {}), ...(options.tick ? LIVE_TICK_AUTH : {}) },
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
    // One device stands in for a busy fleet here, far above any real agent's report rate.
    server = await startTestServer({ config: { reportsPerDevicePerMinute: 1_000_000 } });
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

  // How fast a delta follows an acknowledgement is measured by bench:server (report→dashboard p95/p99 under load);
  // here it is counted in the server's ticks, which a busy machine stretches but cannot reorder.
  test('a dashboard receives the reports of an ingest as a few coalesced fleet:delta messages, all by the first tick after the last acknowledgement', async (t) => {
    const socket = await open(server, { cookie, origin: server.url });
    try {
      const deltas: { delta: FleetDelta; at: number }[] = [];
      socket.on('fleet:delta', (delta) => deltas.push({ delta, at: Date.now() }));
      const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => enroll(server, `live-${i}`)));
      await Promise.all(keys.map((key, i) => postReport(server, key, syntheticReport(`live-${i}`, 1)).expect(202)));
      const acknowledged = Date.now();
      const accepted = (list = deltas) => list.reduce((n, d) => n + d.delta.reportsAccepted, 0);
      await waitUntil(() => accepted() >= 20);
      assert.equal(accepted(), 20, `got ${JSON.stringify(deltas)}`);
      // Every report is committed once acknowledged: the first delta assembled after the last acknowledgement
      // (by the server's own time stamp) carries whatever the earlier ones did not.
      const firstAfter = deltas.findIndex(({ delta }) => Date.parse(delta.at) >= acknowledged);
      assert.equal(accepted(firstAfter === -1 ? deltas : deltas.slice(0, firstAfter + 1)), 20, 'reports announced later than the first tick after their acknowledgement');
      t.diagnostic(`the last delta arrived ${deltas[deltas.length - 1]!.at - acknowledged} ms after the last acknowledgement`);
      // At most one delta per 250 ms tick, never one per report: consecutive deltas were assembled most of a
      // tick apart by the server's clock, which a busy client cannot bunch the way it can bunch arrivals.
      const assembled = deltas.map(({ delta }) => Date.parse(delta.at));
      for (let i = 1; i < assembled.length; i++) assert.ok(assembled[i]! - assembled[i - 1]! >= 200, `two deltas assembled ${assembled[i]! - assembled[i - 1]!} ms apart`);
      // Counters are absolute values: applying the deltas in order gives the fleet's state.
      const counters: Record<string, Record<string, number>> = {};
      for (const { delta } of deltas) for (const [scope, values] of Object.entries(delta.counters)) Object.assign((counters[scope] ??= {}), values);
      assert.equal(counters.devices?.total, 20);
    } finally {
      socket.close();
    }
  });

  test('no socket gets more than 4 deltas per second under continuous ingest', async () => {
    const socket = await open(server, { token: await apiToken(server, 'viewer') });
    try {
      const assembled: number[] = [];
      socket.on('fleet:delta', (delta) => assembled.push(Date.parse(delta.at)));
      const key = await enroll(server, 'steady');
      const bound = Date.now() + 30_000;
      for (let n = 1; assembled.length < 8 && Date.now() < bound; n++) {
        await postReport(server, key, syntheticReport('steady', n)).expect(202);
      }
      assert.ok(assembled.length >= 5, `only ${assembled.length} deltas in 30 s of ingest`);
      // Five deltas span at least four 250 ms ticks of the server's clock (less the timer slack of a busy event loop).
      for (let i = 4; i < assembled.length; i++) {
        assert.ok(assembled[i]! - assembled[i - 4]! >= 750, `five deltas assembled within ${assembled[i]! - assembled[i - 4]!} ms`);
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
      await waitUntil(() => seen.length > 0);
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

describe('wire dashboard (the benchmarks\' bare engine.io client)', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('is refused like socket.io-client without a valid token', async () => {
    await assert.rejects(WireDashboard.connect({ url: server.url, onEvent: () => {} }), /unauthenticated/);
    await assert.rejects(WireDashboard.connect({ url: server.url, auth: { token: 'plk_wrong' }, onEvent: () => {} }), /unauthenticated/);
  });

  test('receives exactly the events a socket.io-client receives, in the same order', async () => {
    const reference = await open(server, { token });
    const viaSocketIo: [string, ...unknown[]][] = [];
    reference.onAny((name: string, ...args: unknown[]) => viaSocketIo.push([name, ...args]));
    const viaWire: unknown[] = [];
    const seqs: [read: number, parsed: number][] = [];
    const wire = await WireDashboard.connect({
      url: server.url,
      auth: { token },
      onEvent: (name, frame) => {
        const event = JSON.parse(frame.slice(2)) as [string, { seq: number }];
        assert.equal(event[0], name);
        if (name === 'fleet:delta') seqs.push([deltaSeq(frame), event[1].seq]);
        viaWire.push(event);
      },
    });
    try {
      const keys = await Promise.all(Array.from({ length: 3 }, (_, i) => enroll(server, `wire-${i}`)));
      await Promise.all(keys.map((key, i) => postReport(server, key, syntheticReport(`wire-${i}`, 1)).expect(202)));
      const accepted = () => viaSocketIo.reduce((n, [name, delta]) => n + (name === 'fleet:delta' ? (delta as FleetDelta).reportsAccepted : 0), 0);
      await waitUntil(() => accepted() >= 3, 'three reports in fleet:delta');
      const seen = viaSocketIo.length;
      await waitUntil(() => viaWire.length >= seen, 'the same number of events on the wire dashboard');
      assert.deepEqual(viaWire.slice(0, seen), viaSocketIo.slice(0, seen));
      assert.ok(seqs.length > 0);
      for (const [read, parsed] of seqs) assert.equal(read, parsed);
    } finally {
      reference.close();
      wire.close();
    }
  });

  test('answers the server\'s pings and stays connected; a logout-style disconnect closes it', async () => {
    // The server pings again only after the pong to its previous ping, so three pings prove two pongs.
    const engine = server.patchlens.io.engine as unknown as { opts: { pingInterval: number } };
    const pingInterval = engine.opts.pingInterval;
    engine.opts.pingInterval = 20;
    try {
      const wire = await WireDashboard.connect({ url: server.url, auth: { token }, onEvent: () => {} });
      await waitUntil(() => wire.pings >= 3, 'three pings');
      assert.ok(wire.open);
      for (const socket of server.patchlens.io.of('/').sockets.values()) socket.disconnect(true);
      assert.equal(await wire.closed, 'io server disconnect');
    } finally {
      engine.opts.pingInterval = pingInterval;
    }
  });
});

describe('live:tick (one message per tick for sockets that ask for it)', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    // Ticks only when the test flushes, so each test sees exactly the ticks it made.
    server = await startTestServer({ config: { liveIntervalMs: 3_600_000 } });
    token = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('a tick with a delta, a cluster change and two alerts is one live:tick for the dashboard, four messages for other sockets', async () => {
    const merged = await open(server, { token, tick: true });
    const separate = await open(server, { token });
    const gotMerged: [string, unknown][] = [];
    const gotSeparate: [string, unknown][] = [];
    merged.onAny((name: string, payload: unknown) => gotMerged.push([name, payload]));
    separate.onAny((name: string, payload: unknown) => gotSeparate.push([name, payload]));
    try {
      const { bus } = server.patchlens.ctx;
      const at = new Date().toISOString();
      bus.publish('reports.committed', { accepted: 7, at: Date.now() });
      bus.publish('counters.changed', { values: { kb: { KB5043064: 3 } }, at: Date.now() });
      bus.publish('cluster.changed', { family: 'dual_wpdmtp.inf', deviceCount: 12, at });
      bus.publish('alert.raised', { id: 1, kind: 'cluster_grew', message: 'first', at });
      bus.publish('alert.raised', { id: 2, kind: 'cluster_grew', message: 'second', at });
      server.patchlens.live.flush();
      await waitUntil(() => gotMerged.length >= 1 && gotSeparate.length >= 4, 'the tick on both sockets');

      assert.deepEqual(gotMerged.map(([name]) => name), ['live:tick']);
      const tick = gotMerged[0]![1] as LiveTick;
      assert.equal(tick.delta?.reportsAccepted, 7);
      assert.deepEqual(tick.delta?.counters, { kb: { KB5043064: 3 } });
      assert.deepEqual(tick.clusters, [{ family: 'dual_wpdmtp.inf', deviceCount: 12, at }]);
      assert.deepEqual(tick.alerts?.map((alert) => alert.message), ['first', 'second']);

      assert.deepEqual(gotSeparate.map(([name]) => name), ['fleet:delta', 'cluster:changed', 'alert:raised', 'alert:raised']);
      assert.deepEqual(gotSeparate[0]![1], tick.delta);
      assert.deepEqual(gotSeparate[1]![1], tick.clusters);
    } finally {
      merged.close();
      separate.close();
    }
  });

  test('a tick with only a cluster change carries no delta; a tick with nothing new sends nothing', async () => {
    const merged = await open(server, { token, tick: true });
    const got: LiveTick[] = [];
    merged.on('live:tick', (tick) => got.push(tick));
    try {
      server.patchlens.live.flush();
      server.patchlens.ctx.bus.publish('cluster.changed', { family: 'pnp_wpdmtp.inf', deviceCount: 2, at: new Date().toISOString() });
      server.patchlens.live.flush();
      await waitUntil(() => got.length >= 1, 'the cluster tick');
      assert.deepEqual(Object.keys(got[0]!), ['clusters']);
      // A later message would have arrived before this round trip's answer.
      await merged.timeout(15_000).emitWithAck('device:watch', []);
      assert.equal(got.length, 1);
    } finally {
      merged.close();
    }
  });
});
