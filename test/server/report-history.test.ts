// Report history routes: a device's reports newest first with their outcome, and the raw body while it is kept.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reportSummarySchema } from '../../protocol/api';
import { apiToken, assertEnvelope, enroll, fixtureReport, postReport, startTestServer, type TestServer } from './harness';

describe('report history', () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = await apiToken(server, 'viewer');
    const key = await enroll(server, 'bank-ws-0412');
    const report = fixtureReport('case1-device-a');
    await postReport(server, key, report).expect(202);
    await postReport(server, key, { ...report, reportId: 'case1-again-0002', sequence: 2, generatedAt: '2024-11-21T07:00:00Z' }).expect(202);
  });
  after(() => server.close());

  test('lists the device\'s reports newest first with outcome and changed sections', async () => {
    const res = await server.http.get('/api/v1/devices/bank-ws-0412/reports').set('Authorization', `Bearer ${token}`).expect(200);
    const items = (res.body.items as unknown[]).map((item) => reportSummarySchema.parse(item));
    assert.deepEqual(items.map((i) => [i.reportId, i.outcome, i.hasBody]), [
      ['case1-again-0002', 'unchanged', false],
      ['case1-bank-ws-0412-20241121T141200', 'applied', true],
    ]);
    assert.ok(items[1]!.changedSections.includes('corruption'));
  });

  test('returns the raw body of a report that changed state, and explains when there is none', async () => {
    const raw = await server.http.get('/api/v1/reports/case1-bank-ws-0412-20241121T141200').set('Authorization', `Bearer ${token}`).expect(200);
    assert.deepEqual(raw.body, fixtureReport('case1-device-a'));
    const none = await server.http.get('/api/v1/reports/case1-again-0002').set('Authorization', `Bearer ${token}`).expect(404);
    assertEnvelope(none.body, 'not_found');
    assert.match(none.body.error.message, /no stored body/);
  });

  test('unknown device is 404, bad limit is 400, no credentials is 401', async () => {
    assertEnvelope((await server.http.get('/api/v1/devices/nope/reports').set('Authorization', `Bearer ${token}`).expect(404)).body, 'not_found');
    assertEnvelope((await server.http.get('/api/v1/devices/bank-ws-0412/reports?limit=0').set('Authorization', `Bearer ${token}`).expect(400)).body, 'invalid_request');
    assertEnvelope((await server.http.get('/api/v1/devices/bank-ws-0412/reports').expect(401)).body, 'unauthenticated');
    assertEnvelope((await server.http.get('/api/v1/reports/x').expect(401)).body, 'unauthenticated');
  });
});
