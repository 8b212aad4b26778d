// Webhooks cannot be pointed at http:// or at the server's own networks (loopback, private, link-local, metadata) unless an admin setting allows it; deliveries check again at send time.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { backoffDelay } from '../../server/fleet/webhooks';
import { assertEnvelope } from '../server/harness';
import { bearer, startFleetServer, type FleetTestServer } from '../server/fleet/fleet-server';

/** Addresses an admin account could use to reach the server's own host and networks (never contacted: each is refused). */
const INTERNAL_URLS = [
  'https://127.0.0.1/hook',
  'https://localhost/hook',
  'https://2130706433/hook',
  'https://[::1]/hook',
  'https://[::ffff:127.0.0.1]/hook',
  'https://0.0.0.0:8080/hook',
  'https://10.0.0.8/hook',
  'https://172.20.1.1/hook',
  'https://192.168.1.20/hook',
  'https://100.64.0.1/hook',
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'https://[fd00::1]/hook',
  'https://[fe80::1]/hook',
];

describe('webhook targets', () => {
  let server: FleetTestServer;
  let receiver: Server;
  let port: number;
  const received: string[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    server = await startFleetServer();
  });
  after(async () => {
    await server.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const createHook = (url: string, extra: Record<string, unknown> = {}) => server.http.post('/api/v1/webhooks').set(bearer(server.admin)).send({ url, ...extra });
  const settings = (patch: Record<string, unknown>) => server.http.patch('/api/v1/settings/fleet').set(bearer(server.admin)).send(patch).expect(200);

  test('by default both allowances are off', async () => {
    const current = (await server.http.get('/api/v1/settings/fleet').set(bearer(server.viewer)).expect(200)).body.settings;
    assert.equal(current.allowHttpWebhooks, false);
    assert.equal(current.allowPrivateWebhookTargets, false);
  });

  test('http:// is refused with 400 webhook_target_refused', async () => {
    const res = await createHook(`http://127.0.0.1:${port}/hook`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assertEnvelope(res.body, 'webhook_target_refused');
    assert.match(res.body.error.message, /allowHttpWebhooks/);
  });

  test('https to loopback, private, link-local, CGNAT, metadata or unique-local addresses is refused', async () => {
    for (const url of INTERNAL_URLS) {
      const res = await createHook(url, { enabled: false });
      assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
      assertEnvelope(res.body, 'webhook_target_refused');
      assert.match(res.body.error.message, /allowPrivateWebhookTargets/, url);
    }
    assert.deepEqual((await server.http.get('/api/v1/webhooks').set(bearer(server.admin)).expect(200)).body.items, [], 'nothing was stored');
  });

  test('https to a public address is accepted; changing its URL to an internal one is refused', async () => {
    // A documentation address: accepted, stored disabled, never contacted.
    const created = await createHook('https://203.0.113.10/hook', { enabled: false }).expect(201);
    const id = created.body.webhook.id as number;
    const res = await server.http.patch(`/api/v1/webhooks/${id}`).set(bearer(server.admin)).send({ url: 'https://169.254.169.254/' }).expect(400);
    assertEnvelope(res.body, 'webhook_target_refused');
    await server.http.delete(`/api/v1/webhooks/${id}`).set(bearer(server.admin)).expect(204);
  });

  test('an admin (not a viewer) setting allows http and internal targets, and the change is audited', async () => {
    await settings({ allowHttpWebhooks: true, allowPrivateWebhookTargets: true });
    const audit = await server.http.get('/api/v1/admin/audit?action=settings.update').set(bearer(server.admin)).expect(200);
    assert.deepEqual(audit.body.items[0].details, { allowHttpWebhooks: true, allowPrivateWebhookTargets: true });
    await createHook(`http://localhost:${port}/hook`, { kinds: ['cluster-new'] }).expect(201);
    assertEnvelope((await server.http.patch('/api/v1/settings/fleet').set(bearer(server.viewer)).send({ allowPrivateWebhookTargets: false }).expect(403)).body, 'forbidden');
  });

  test('a delivery checks the target again when it is sent: a name resolving to an internal address is not contacted once the allowance is off', async () => {
    await settings({ allowPrivateWebhookTargets: false });
    assert.equal(await server.ingest('case1-device-a'), 202);
    await server.fleet.alerts.evaluate();
    const refused = await server.fleet.webhooks.deliverDue();
    assert.ok(refused.retried > 0, `deliveries due: ${JSON.stringify(refused)}`);
    assert.equal(refused.delivered, 0);
    assert.equal(received.length, 0, 'the receiver on 127.0.0.1 (reached as localhost) got nothing');

    await settings({ allowPrivateWebhookTargets: true });
    server.clock.advance(backoffDelay(1));
    const sent = await server.fleet.webhooks.deliverDue();
    assert.equal(sent.delivered, refused.retried);
    assert.equal(received.length, refused.retried);
    assert.equal(JSON.parse(received[0]!).alert.kind, 'cluster-new');
  });
});
