// Every fleet route: success, bad input, wrong role, unauthenticated, and the error envelope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { alertListSchema, baselineComplianceSchema, clusterListSchema, deviceListSchema, errorListSchema, fleetSettingsSchema, fleetSummarySchema, kbListSchema, trendListSchema, webhookSchema } from '../../../protocol/fleet-api';
import { assertEnvelope, enroll, login, postReport, syntheticReport } from '../harness';
import { bearer, startFleetServer, type FleetTestServer } from './fleet-server';

describe('fleet routes', () => {
  let server: FleetTestServer;
  before(async () => {
    server = await startFleetServer();
    for (const name of ['case2-device', 'healthy-donor', 'case1-device-a'] as const) assert.equal(await server.ingest(name), 202);
  });
  after(() => server.close());

  const readRoutes: [path: string, check: (body: unknown) => void][] = [
    ['/api/v1/fleet/summary', (body) => fleetSummarySchema.parse(body)],
    ['/api/v1/kbs', (body) => kbListSchema.parse(body)],
    ['/api/v1/errors', (body) => errorListSchema.parse(body)],
    ['/api/v1/corruption/clusters', (body) => assert.equal(clusterListSchema.parse(body).length, 3)],
    ['/api/v1/corruption/clusters/dual_wpdmtp.inf', (body) => assert.equal((body as { cluster: { deviceCount: number } }).cluster.deviceCount, 2)],
    ['/api/v1/devices', (body) => assert.equal(deviceListSchema.parse(body).items.length, 3)],
    ['/api/v1/devices/bank-ws-0101', (body) => assert.equal((body as { device: { hostname: string } }).device.hostname, 'BANK-WS-0101')],
    ['/api/v1/baselines', (body) => (body as { items: unknown[] }).items.forEach((item) => baselineComplianceSchema.parse(item))],
    ['/api/v1/alerts', (body) => alertListSchema.parse(body)],
    ['/api/v1/settings/fleet', (body) => fleetSettingsSchema.parse((body as { settings: unknown }).settings)],
    ['/api/v1/trends', (body) => trendListSchema.parse(body)],
  ];

  test('every read route answers a viewer token with its schema, and refuses no credentials with 401', async () => {
    for (const [path, check] of readRoutes) {
      const ok = await server.http.get(path).set(bearer(server.viewer));
      assert.equal(ok.status, 200, `${path}: ${JSON.stringify(ok.body)}`);
      check(ok.body);
      const anonymous = await server.http.get(path).expect(401);
      assertEnvelope(anonymous.body, 'unauthenticated');
    }
  });

  test('read routes also accept a dashboard session', async () => {
    const session = await login(server);
    const res = await server.http.get('/api/v1/corruption/clusters').set('Cookie', session.cookie).expect(200);
    assert.equal(res.body[0].family, 'dual_wpdmtp.inf');
  });

  test('bad query input is a 400 envelope naming the field; unknown ids are 404', async () => {
    const cases: [string, string][] = [
      ['/api/v1/devices?limit=0', 'limit'],
      ['/api/v1/devices?kb=5043064', 'kb'],
      ['/api/v1/devices?hresult=0x8007000D', 'hresult'],
      ['/api/v1/devices?state=Broken', 'state'],
      ['/api/v1/devices?cursor=not-a-cursor', 'cursor'],
      ['/api/v1/devices?stale=maybe', 'stale'],
      ['/api/v1/alerts?kind=nope', 'kind'],
      ['/api/v1/trends?days=0', 'days'],
      ['/api/v1/corruption/clusters/dual_wpdmtp.inf?limit=9999', 'limit'],
    ];
    for (const [path, field] of cases) {
      const res = await server.http.get(path).set(bearer(server.viewer));
      assert.equal(res.status, 400, path);
      assertEnvelope(res.body, 'invalid_request');
      assert.ok((res.body.error.details as { path: string }[]).some((detail) => detail.path === field), `${path} names ${field}`);
    }
    assertEnvelope((await server.http.get('/api/v1/devices/nope').set(bearer(server.viewer)).expect(404)).body, 'not_found');
    assertEnvelope((await server.http.get('/api/v1/corruption/clusters/nope.inf').set(bearer(server.viewer)).expect(404)).body, 'not_found');
  });

  test('baselines: admin creates, updates and deletes (audited); viewers are refused; bad bodies are 400', async () => {
    const created = await server.http.post('/api/v1/baselines').set(bearer(server.admin)).send({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' }).expect(201);
    const id = created.body.baseline.id as number;
    await server.fleet.baselines.whenApplied();
    const list = await server.http.get('/api/v1/baselines').set(bearer(server.viewer)).expect(200);
    assert.deepEqual(
      list.body.items.map((item: { applicable: number; compliant: number; failed: number }) => [item.applicable, item.compliant, item.failed]),
      [[3, 1, 1]],
    );
    await server.http.put(`/api/v1/baselines/${id}`).set(bearer(server.admin)).send({ kb: 'KB5036892', appliesTo: 19045, dueDate: '2024-05-01' }).expect(200);
    await server.fleet.baselines.whenApplied();
    const updated = await server.http.get('/api/v1/baselines').set(bearer(server.viewer)).expect(200);
    assert.deepEqual([updated.body.items[0].compliant, updated.body.items[0].failed], [2, 1], 'counters re-projected for the new KB');
    assertEnvelope((await server.http.post('/api/v1/baselines').set(bearer(server.viewer)).send({ kb: 'KB1', appliesTo: 19045, dueDate: '2024-10-01' }).expect(403)).body, 'forbidden');
    assertEnvelope((await server.http.post('/api/v1/baselines').send({}).expect(401)).body, 'unauthenticated');
    const bad = await server.http.post('/api/v1/baselines').set(bearer(server.admin)).send({ kb: 'KB5043064', appliesTo: 19045, dueDate: '10/01/2024' }).expect(400);
    assert.ok(bad.body.error.details.some((detail: { path: string }) => detail.path === 'dueDate'));
    assertEnvelope((await server.http.put('/api/v1/baselines/999').set(bearer(server.admin)).send({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' }).expect(404)).body, 'not_found');
    await server.http.delete(`/api/v1/baselines/${id}`).set(bearer(server.admin)).expect(204);
    await server.fleet.baselines.whenApplied();
    assert.deepEqual((await server.http.get('/api/v1/baselines').set(bearer(server.viewer))).body.items, []);
    const audit = await server.storage.audit.list({ limit: 10 });
    assert.deepEqual(audit.filter((entry) => entry.action.startsWith('baseline.')).map((entry) => entry.action), ['baseline.delete', 'baseline.update', 'baseline.create']);
  });

  test('session writes need the CSRF header', async () => {
    const session = await login(server);
    const body = { kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' };
    assertEnvelope((await server.http.post('/api/v1/baselines').set('Cookie', session.cookie).send(body).expect(403)).body, 'csrf_failed');
    const ok = await server.http.post('/api/v1/baselines').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).send(body).expect(201);
    await server.http.delete(`/api/v1/baselines/${ok.body.baseline.id}`).set(bearer(server.admin)).expect(204);
  });

  test('webhooks: admin only; the secret is shown once and never listed', async () => {
    assertEnvelope((await server.http.get('/api/v1/webhooks').set(bearer(server.viewer)).expect(403)).body, 'forbidden');
    assertEnvelope((await server.http.get('/api/v1/webhooks').expect(401)).body, 'unauthenticated');
    const created = await server.http.post('/api/v1/webhooks').set(bearer(server.admin)).send({ url: 'https://203.0.113.10/hook', kinds: ['cluster-new'] }).expect(201);
    assert.ok(created.body.secret.length >= 24);
    webhookSchema.parse(created.body.webhook);
    const listed = await server.http.get('/api/v1/webhooks').set(bearer(server.admin)).expect(200);
    assert.ok(!JSON.stringify(listed.body).includes(created.body.secret));
    const patched = await server.http.patch(`/api/v1/webhooks/${created.body.webhook.id}`).set(bearer(server.admin)).send({ enabled: false }).expect(200);
    assert.equal(patched.body.webhook.enabled, false);
    const bad = await server.http.post('/api/v1/webhooks').set(bearer(server.admin)).send({ url: 'ftp://x', kinds: [] }).expect(400);
    assert.deepEqual(bad.body.error.details.map((detail: { path: string }) => detail.path).sort(), ['kinds', 'url']);
    await server.http.delete(`/api/v1/webhooks/${created.body.webhook.id}`).set(bearer(server.admin)).expect(204);
    assertEnvelope((await server.http.delete(`/api/v1/webhooks/${created.body.webhook.id}`).set(bearer(server.admin)).expect(404)).body, 'not_found');
  });

  test('settings: viewers read, admins change within bounds', async () => {
    assertEnvelope((await server.http.patch('/api/v1/settings/fleet').set(bearer(server.viewer)).send({ staleAfterHours: 1 }).expect(403)).body, 'forbidden');
    const bad = await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ trendRetentionDays: 30 }).expect(400);
    assertEnvelope(bad.body, 'invalid_request');
    const ok = await server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send({ staleAfterHours: 48, repairSource: 'wim:\\\\fs01\\images\\install.wim:1' }).expect(200);
    assert.equal(ok.body.settings.staleAfterHours, 48);
    assert.equal((await server.http.get('/api/v1/settings/fleet').set(bearer(server.viewer))).body.settings.staleAfterHours, 48);
    assert.equal((await server.http.get('/api/v1/fleet/summary').set(bearer(server.viewer))).body.staleAfterHours, 48);
  });

  test('a cluster lists its devices a page at a time; the cursor walks every device once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=1&cursor=${encodeURIComponent(cursor)}` : '?limit=1';
      const page = (await server.http.get(`/api/v1/corruption/clusters/dual_wpdmtp.inf${query}`).set(bearer(server.viewer)).expect(200)).body as { devices: { id: string }[]; nextCursor: string | null };
      assert.equal(page.devices.length, 1);
      seen.push(page.devices[0]!.id);
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['bank-ws-0412', 'bank-ws-2231'], 'every device of the cluster, in id order, none twice');
  });

  test('CSV export holds every filtered device, with formula-looking cells neutralised', async () => {
    const res = await server.http.get('/api/v1/export/devices.csv?family=dual_wpdmtp.inf').set(bearer(server.viewer)).expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/csv/);
    const lines = res.text.trim().split('\r\n');
    assert.equal(lines[0], 'id,hostname,osBuild,lastSeenAt,stale,failedKbs,hresults,corruptFamilies');
    assert.deepEqual(lines.slice(1).map((line) => line.split(',')[0]), ['bank-ws-0412', 'bank-ws-2231']);
    assert.match(lines[1] ?? '', /,KB5043064,0x8007000d 0x800f081f,dual_wpdmtp\.inf dual_wstorvsp\.inf dual_wvmbusr\.inf$/);
    assertEnvelope((await server.http.get('/api/v1/export/devices.csv').expect(401)).body, 'unauthenticated');

    // Host names follow NetBIOS/DNS rules; the device id is the free-text column a device chooses.
    const formula = '=HYPERLINK("http://x")';
    const key = await enroll(server, formula, 'CSV-DEVICE');
    await postReport(server, key, syntheticReport(formula, 1, { reportId: 'csv-formula-r1', device: { id: formula, hostname: 'CSV-DEVICE' } })).expect(202);
    const named = await server.http.get('/api/v1/export/devices.csv').query({ q: '=HYPERLINK' }).set(bearer(server.viewer)).expect(200);
    assert.equal(named.text.trim().split('\r\n')[1]?.split(',').slice(0, 2).join(','), `"'=HYPERLINK(""http://x"")",CSV-DEVICE`);
  });
});
