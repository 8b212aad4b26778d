// Alerts fire once per condition and re-arm; webhooks are signed and retried; stale marking, snapshots and pruning.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Alert, TrendPoint } from '../../../protocol/fleet-api';
import type { ClusterChanged } from '../../../protocol/socket-events';
import { backoffDelay, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../../server/fleet/webhooks';
import { bearer, startFleetServer, type FleetTestServer } from './fleet-server';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback webhook receiver that fails its first `failures` requests with 503. */
async function startReceiver(failures: number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let left = failures;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = left-- > 0 ? 503 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const SECRET = 'a-webhook-secret-of-some-length';

describe('alerts, webhooks and fleet jobs', () => {
  let server: FleetTestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let complianceReceiver: Awaited<ReturnType<typeof startReceiver>>;
  const clusterEvents: ClusterChanged[] = [];

  before(async () => {
    receiver = await startReceiver(1);
    complianceReceiver = await startReceiver(0);
    server = await startFleetServer();
    server.patchlens.ctx.bus.on('cluster.changed', (event) => clusterEvents.push(event));
    // The receivers are plain http on loopback, which webhooks may target only when an admin allows it.
    await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ allowHttpWebhooks: true, allowPrivateWebhookTargets: true }).expect(200);
    await server.http.post('/api/v1/webhooks').set(bearer(server.admin)).send({ url: receiver.url, secret: SECRET }).expect(201);
    await server.http.post('/api/v1/webhooks').set(bearer(server.admin)).send({ url: complianceReceiver.url, kinds: ['compliance-below'] }).expect(201);
    for (const name of ['case2-device', 'healthy-donor', 'case1-device-a', 'case1-device-b'] as const) assert.equal(await server.ingest(name), 202);
  });
  after(async () => {
    await server.close();
    await receiver.close();
    await complianceReceiver.close();
  });

  const alerts = async (query = ''): Promise<Alert[]> => (await server.http.get(`/api/v1/alerts?${query}`).set(bearer(server.viewer)).expect(200)).body.items;

  test('ingest publishes cluster changes with the new device counts', () => {
    const last = new Map(clusterEvents.map((event) => [event.family, event.deviceCount]));
    assert.equal(last.get('dual_wpdmtp.inf'), 3);
    assert.equal(last.get('dual_wvmbusr.inf'), 2);
  });

  test('a new cluster alerts once, however often the conditions are evaluated', async () => {
    await server.fleet.alerts.evaluate();
    await server.fleet.alerts.evaluate();
    const raised = await alerts('kind=cluster-new');
    assert.deepEqual(raised.map((alert) => alert.subject).sort(), ['dual_wpdmtp.inf', 'dual_wstorvsp.inf', 'dual_wvmbusr.inf']);
    assert.ok(raised.every((alert) => alert.clearedAt === null));
  });

  test('crossing the cluster threshold and falling under the compliance threshold each alert once', async () => {
    await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ clusterAlertThreshold: 3, complianceAlertPercent: 80 }).expect(200);
    await server.http.post('/api/v1/baselines').set(bearer(server.admin)).send({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' }).expect(201);
    await server.fleet.baselines.whenApplied();
    await server.fleet.alerts.evaluate();
    await server.fleet.alerts.evaluate();
    assert.deepEqual((await alerts('kind=cluster-threshold')).map((alert) => alert.subject), ['dual_wpdmtp.inf']);
    const compliance = await alerts('kind=compliance-below');
    assert.equal(compliance.length, 1);
    assert.match(compliance[0]!.message, /25% \(threshold 80%\): 1 of 4 devices/);
    assert.deepEqual(
      compliance[0]!.params,
      { baselineId: compliance[0]!.params.baselineId, name: 'KB5043064 on 19045 by 2024-10-01', kb: 'KB5043064', compliancePercent: '25', compliant: '1', applicable: '4', threshold: '80' },
      'the message values as text, for other languages',
    );
    const cluster = (await alerts('kind=cluster-threshold'))[0]!;
    assert.deepEqual(cluster.params, { family: 'dual_wpdmtp.inf', deviceCount: '3', threshold: '3' });
  });

  test('webhooks are JSON POSTs signed with HMAC-SHA256 and retried with backoff after a failure', async () => {
    const first = await server.fleet.webhooks.deliverDue();
    assert.deepEqual(first, { delivered: 5, retried: 1, failed: 0 });
    assert.equal(receiver.received.length, 5);
    assert.deepEqual(complianceReceiver.received.map((item) => JSON.parse(item.body).alert.kind), ['compliance-below'], 'a webhook gets only its kinds');
    for (const { headers, body } of receiver.received) {
      assert.equal(headers['content-type'], 'application/json');
      const signature = String(headers[SIGNATURE_HEADER.toLowerCase()]);
      assert.match(signature, /^sha256=[0-9a-f]{64}$/);
      assert.ok(verifySignature(SECRET, String(headers[TIMESTAMP_HEADER.toLowerCase()]), body, signature));
      assert.ok(!verifySignature('wrong-secret-wrong-secret', String(headers[TIMESTAMP_HEADER.toLowerCase()]), body, signature));
      assert.equal(JSON.parse(body).type, 'alert.raised');
    }
    assert.deepEqual(await server.fleet.webhooks.deliverDue(), { delivered: 0, retried: 0, failed: 0 }, 'not due before the backoff');
    server.clock.advance(backoffDelay(1));
    assert.deepEqual(await server.fleet.webhooks.deliverDue(), { delivered: 1, retried: 0, failed: 0 });
    assert.equal(new Set(receiver.received.map((item) => item.body)).size, 5, 'the retry sent the same alert again');
  });

  test('stale devices alert once each and re-arm when the device reports again', async () => {
    await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ staleAfterHours: 24 }).expect(200);
    server.clock.advance(2 * 86_400_000);
    assert.deepEqual(await server.fleet.staleDevices.sweep(), { marked: 4, cleared: 0 });
    assert.deepEqual(await server.fleet.staleDevices.sweep(), { marked: 0, cleared: 0 });
    assert.equal((await alerts('kind=device-stale&open=true')).length, 4);
    const summary = (await server.http.get('/api/v1/fleet/summary').set(bearer(server.viewer))).body;
    assert.deepEqual([summary.total, summary.reporting, summary.stale], [4, 0, 4]);
    const stale = await server.http.get('/api/v1/devices?stale=true').set(bearer(server.viewer));
    assert.equal(stale.body.items.length, 4);

    await server.ingest('healthy-donor', (report) => {
      report.reportId = 'healthy-bank-ws-0101-back';
      report.sequence = 2;
    });
    assert.deepEqual(await server.fleet.staleDevices.sweep(), { marked: 0, cleared: 1 });
    assert.deepEqual((await alerts('kind=device-stale&open=true')).map((alert) => alert.subject).sort(), ['bank-ws-0412', 'bank-ws-0977', 'bank-ws-2231']);
  });

  test('daily snapshots feed the trends and the cluster series; retention keeps at least 400 days', async () => {
    const point = await server.fleet.trends.takeSnapshot();
    assert.equal(point.devices, 4);
    assert.equal(point.devicesWithCorruption, 3);
    assert.equal(point.compliancePercent, 25);
    assert.deepEqual(point.families['dual_wpdmtp.inf'], { open: 3, detected: 0, repaired: 0 });
    const trends: TrendPoint[] = (await server.http.get('/api/v1/trends?days=30').set(bearer(server.viewer)).expect(200)).body.items;
    assert.deepEqual(trends.map((item) => item.day), [point.day]);
    assert.deepEqual(
      trends[0]!.baselines.map(({ kb, name, applicable, compliant, compliancePercent }) => ({ kb, name, applicable, compliant, compliancePercent })),
      [{ kb: 'KB5043064', name: 'KB5043064 on 19045 by 2024-10-01', applicable: 4, compliant: 1, compliancePercent: 25 }],
      'one compliance value per baseline, kept with the day',
    );
    const second = await server.http.post('/api/v1/baselines').set(bearer(server.admin)).send({ kb: 'KB5046613', appliesTo: 19045, dueDate: '2024-12-10', name: 'December 2024 LCU' }).expect(201);
    await server.fleet.baselines.whenApplied();
    const again = await server.fleet.trends.takeSnapshot();
    assert.deepEqual(again.baselines.map((item) => item.name), ['KB5043064 on 19045 by 2024-10-01', 'December 2024 LCU'], 'a second run the same day replaces the day with every baseline');
    await server.http.delete(`/api/v1/baselines/${second.body.baseline.id}`).set(bearer(server.admin)).expect(204);
    await server.fleet.baselines.whenApplied();
    const stored: TrendPoint[] = (await server.http.get('/api/v1/trends?days=30').set(bearer(server.viewer)).expect(200)).body.items;
    assert.equal(stored[0]!.baselines.length, 2, 'deleting a baseline keeps its history');
    const drill = (await server.http.get('/api/v1/corruption/clusters/dual_wpdmtp.inf').set(bearer(server.viewer)).expect(200)).body;
    assert.deepEqual(drill.series, [{ day: point.day, devices: 3, detected: 0, repaired: 0 }]);

    server.clock.advance(399 * 86_400_000);
    await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ trendRetentionDays: 400 }).expect(200);
    assert.equal(await server.fleet.trends.prune(), 0, 'a 399-day-old snapshot stays');
    server.clock.advance(2 * 86_400_000);
    assert.equal(await server.fleet.trends.prune(), 1);
  });
});
