// Dashboards refreshing on a live delta share the aggregate computed after the latest tick; everyone else reads fresh.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIVE_REFRESH_HEADER } from '../../../protocol/socket-events';
import { bearer, startFleetServer, type FleetTestServer } from './fleet-server';

describe('aggregate reads caused by live deltas', () => {
  let server: FleetTestServer;
  // The hub's timer is pushed out of the test's way; ticks happen when the test calls flush().
  before(async () => (server = await startFleetServer({}, undefined, { liveIntervalMs: 3_600_000 })));
  after(() => server.close());

  const summary = async (liveRefresh: boolean) => {
    const res = await server.http
      .get('/api/v1/fleet/summary')
      .set(bearer(server.viewer))
      .set(liveRefresh ? { [LIVE_REFRESH_HEADER]: '1' } : {})
      .expect(200);
    return res.body as { total: number; compliance: { baseline: { kb: string } }[] };
  };

  test('a live refresh is answered with the value computed after the latest tick; plain reads and the next tick see new reports', async () => {
    assert.equal(await server.ingest('case2-device'), 202);
    server.patchlens.live.flush();
    assert.equal((await summary(true)).total, 1);

    assert.equal(await server.ingest('healthy-donor'), 202);
    assert.equal((await summary(true)).total, 1, 'no tick announced the second device yet, so refreshing dashboards share the value they already had');
    assert.equal((await summary(false)).total, 2, 'a read that is not a live refresh is computed: scripts and first loads see every committed report');

    assert.equal(await server.ingest('case1-device-a'), 202);
    server.patchlens.live.flush();
    assert.equal((await summary(true)).total, 3, 'after the tick that announced it, a refresh sees the third device');
  });

  test('a baseline written through the API shows in the next live refresh without waiting for a tick', async () => {
    await summary(true);
    await server.http.post('/api/v1/baselines').set(bearer(server.admin)).send({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' }).expect(201);
    await server.fleet.baselines.whenApplied();
    assert.ok((await summary(true)).compliance.some((item) => item.baseline.kb === 'KB5043064'));
  });

  test('kbs, errors and clusters follow the same rule', async () => {
    for (const path of ['/api/v1/kbs', '/api/v1/errors', '/api/v1/corruption/clusters']) {
      const plain = await server.http.get(path).set(bearer(server.viewer)).expect(200);
      const shared = await server.http.get(path).set(bearer(server.viewer)).set(LIVE_REFRESH_HEADER, '1').expect(200);
      assert.deepEqual(shared.body, plain.body, path);
    }
  });
});
