// Unauthenticated engine.io handshakes do not count as dashboards: 1,500 of them leave the refresh interval and tick of signed-in dashboards as they were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FleetDelta, ServerToClientEvents } from '../../protocol/socket-events';
import { apiToken, enroll, postReport, startTestServer, syntheticReport, waitUntil, type TestServer } from '../server/harness';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const HANDSHAKES = 1_500;

/** Opens an engine.io session without credentials and without ever sending the socket.io CONNECT packet. */
async function handshake(server: TestServer): Promise<void> {
  const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&t=${Math.random().toString(36).slice(2)}`);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(text, /"sid"/);
}

describe('engine.io handshakes without credentials', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test(`${HANDSHAKES} pending handshakes do not slow the refresh interval of a signed-in dashboard`, async () => {
    for (let done = 0; done < HANDSHAKES; done += 50) {
      await Promise.all(Array.from({ length: Math.min(50, HANDSHAKES - done) }, () => handshake(server)));
    }
    assert.ok(server.patchlens.io.engine.clientsCount >= HANDSHAKES, 'the handshakes are held open by the server');

    const dashboard: Client = connect(server.url, { transports: ['websocket'], reconnection: false, auth: { token: await apiToken(server, 'viewer') } });
    try {
      await new Promise<void>((resolve, reject) => {
        dashboard.once('connect', resolve);
        dashboard.once('connect_error', reject);
      });
      const deltas: FleetDelta[] = [];
      dashboard.on('fleet:delta', (delta) => deltas.push(delta));
      const key = await enroll(server, 'paced-device');
      await postReport(server, key, syntheticReport('paced-device', 1)).expect(202);
      await waitUntil(() => deltas.length > 0, 'a fleet:delta');
      // One signed-in dashboard: the fastest refresh (1 s), as if the handshakes were not there.
      assert.equal(deltas[0]!.refreshAfterMs, 1_000, `refreshAfterMs ${deltas[0]!.refreshAfterMs} with ${server.patchlens.io.engine.clientsCount} engine.io connections`);
    } finally {
      dashboard.close();
    }
  });
});
