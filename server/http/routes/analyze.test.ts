// POST /analyze on a real server: real captured logs in, device-detail facts out; bad uploads get clear errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { zipSync } from 'fflate';
import { analyzeResultSchema } from '../../../protocol/device-detail';
import { apiToken, assertEnvelope, enroll, fixtureReport, login, postReport, startTestServer, type Session, type TestServer } from '../../../test/server/harness';

const log = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url));
const KB3172605_LOG = log('test/fixtures/logs/win7-kb3172605-0x80070308.log');
const STORE_CORRUPT_LOG = log('test/fixtures/logs/server2022-ssu-0x80073712.log');
const RESTORE_HEALTH_LOG = log('test/fixtures/families/sur-19041-msdocs.log');
const LIMIT = 256 * 1024;

describe('POST /api/v1/analyze', () => {
  let server: TestServer;
  let admin: Session;
  let viewerToken: string;

  before(async () => {
    server = await startTestServer({ fleet: {}, analyze: { maxBytes: LIMIT } });
    admin = await login(server);
    viewerToken = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  const upload = (body: Buffer | string, query = 'name=CBS.log') =>
    server.http.post(`/api/v1/analyze?${query}`).set('Authorization', `Bearer ${viewerToken}`).set('Content-Type', 'application/octet-stream').send(body);
  const uploadAsAdmin = (body: Buffer, query: string) =>
    server.http.post(`/api/v1/analyze?${query}`).set('Cookie', admin.cookie).set('x-csrf-token', admin.csrf).set('Content-Type', 'application/octet-stream').send(body);

  test('a CBS.log comes back as failures with HRESULT meaning, and its parse statistics', async () => {
    const res = await upload(KB3172605_LOG).expect(200);
    const result = analyzeResultSchema.parse(res.body);
    assert.deepEqual(result.source, { name: 'CBS.log', bytes: KB3172605_LOG.length, zip: false });
    const failure = result.detail.failures.find((item) => item.kb === 'KB3172605');
    assert.ok(failure, 'the KB3172605 failure is found');
    assert.equal(failure.hresult, '0x80070308');
    assert.equal(failure.hresultInfo?.name, 'ERROR_REQUEST_OUT_OF_SEQUENCE');
    assert.equal(failure.open, true);
    assert.equal(result.detail.kbs.KB3172605, 'Failed');
    assert.ok(result.detail.remediation.some((step) => step.kb === 'KB3172605'), 'a repair step for the failed KB is recommended');
    assert.equal(result.parse.files[0]?.name, 'CBS.log');
    assert.equal(result.attached, null);
  });

  test('a session needs the CSRF header, like every other unsafe request', async () => {
    await server.http.post('/api/v1/analyze').set('Cookie', admin.cookie).send(KB3172605_LOG).expect(403);
    const res = await uploadAsAdmin(STORE_CORRUPT_LOG, 'name=CBS.log').expect(200);
    const result = analyzeResultSchema.parse(res.body);
    assert.equal(result.detail.failures[0]?.hresult, '0x80073712');
    assert.equal(result.detail.corruption[0]?.kind, 'metadata-corrupt');
  });

  test('anonymous uploads are refused before the body is read', async () => {
    const res = await server.http.post('/api/v1/analyze').send(KB3172605_LOG).expect(401);
    assertEnvelope(res.body, 'unauthenticated');
  });

  test('a zip of the CBS folder is read in time order: rotated logs first, then CBS.log, then CheckSUR.log', async () => {
    const zip = zipSync({
      'CBS/CBS.log': new Uint8Array(STORE_CORRUPT_LOG),
      'CBS/CbsPersist_20241120000000.log': new Uint8Array(KB3172605_LOG),
      'CBS/notes.txt': new TextEncoder().encode('not a log'),
      'CBS/sub/CbsPersist_20241001000000.log': new Uint8Array(RESTORE_HEALTH_LOG),
      'CheckSUR.log': new Uint8Array(log('test/fixtures/families/checksur/rows-mum-fix/CheckSUR.log')),
    });
    const res = await upload(Buffer.from(zip), 'name=CBS.zip').expect(200);
    const result = analyzeResultSchema.parse(res.body);
    assert.equal(result.source.zip, true);
    assert.deepEqual(result.skipped, ['CBS/notes.txt']);
    assert.deepEqual(
      result.parse.files.map((file) => file.name),
      ['CbsPersist_20241001000000.log', 'CbsPersist_20241120000000.log', 'CBS.log', 'CheckSUR.log'],
    );
    assert.deepEqual(result.detail.failures.map((item) => item.hresult).sort(), ['0x80070308', '0x80073712']);
    assert.equal(result.detail.scans.find((scan) => scan.tool === 'dism')?.result, '0x800f081f', 'the RestoreHealth summary from the oldest log is kept');
    assert.ok(result.detail.corruption.some((item) => item.source === 'checksur'), 'the CheckSUR rows are read too');
  });

  test('bad files get a 400 that says what is wrong', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]);
    assert.match((await upload(png, 'name=screenshot.png').expect(400)).body.error.message, /binary file, not a servicing log/);
    assert.match((await upload('hello\nthis is a shopping list\n', 'name=notes.txt').expect(400)).body.error.message, /does not look like a servicing log/);
    const cab = Buffer.concat([Buffer.from('MSCF'), Buffer.alloc(60)]);
    assert.match((await upload(cab, 'name=CbsPersist_20241120000000.cab').expect(400)).body.error.message, /\.cab archive .*expand -F:\*/);
    const empty = await server.http.post('/api/v1/analyze').set('Authorization', `Bearer ${viewerToken}`).set('Content-Type', 'application/octet-stream').expect(400);
    assert.match(empty.body.error.message, /empty/);
    const noLogs = Buffer.from(zipSync({ 'readme.txt': new TextEncoder().encode('x') }));
    assert.match((await upload(noLogs, 'name=logs.zip').expect(400)).body.error.message, /holds no servicing logs/);
    const broken = Buffer.from(zipSync({ 'CBS.log': new Uint8Array(KB3172605_LOG) }, { level: 9 })).subarray(0, 200);
    assertEnvelope((await upload(broken, 'name=cut.zip').expect(400)).body, 'invalid_request');
    const form = await server.http
      .post('/api/v1/analyze')
      .set('Authorization', `Bearer ${viewerToken}`)
      .set('Content-Type', 'multipart/form-data; boundary=x')
      .send('--x--')
      .expect(415);
    assertEnvelope(form.body, 'unsupported_media_type');
  });

  test('a CheckSUR.log whose copied .mum bytes hold a NUL is still read as text', async () => {
    const original = readFileSync(new URL('../../../test/fixtures/families/checksur/rows-raw-bytes/CheckSUR.log', import.meta.url));
    const withNul = Buffer.from(original);
    withNul[withNul.indexOf('fffffI') + 5] = 0;
    const result = analyzeResultSchema.parse((await upload(withNul, 'name=CheckSUR.log').expect(200)).body);
    assert.ok(result.detail.corruption.some((item) => item.kind === 'mum-corrupt' && item.source === 'checksur'));
  });

  test('uploads over the limit are refused with 413, also when the length is not declared', async () => {
    const big = Buffer.concat(Array.from({ length: Math.ceil((LIMIT * 2) / KB3172605_LOG.length) }, () => KB3172605_LOG));
    assertEnvelope((await upload(big).expect(413)).body, 'payload_too_large');
    const chunks = [...Array(Math.ceil(big.length / 65_536)).keys()].map((index) => big.subarray(index * 65_536, (index + 1) * 65_536));
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/analyze`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${viewerToken}`, 'Content-Type': 'application/octet-stream' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });

  test('an admin can attach the result to a device: it becomes the device state, hotfixes are kept', async () => {
    const report = fixtureReport('case2-device');
    const key = await enroll(server, report.device.id, report.device.hostname);
    await postReport(server, key, report).expect(202);
    const viewerAttach = await upload(KB3172605_LOG, `name=CBS.log&deviceId=${report.device.id}`).expect(403);
    assertEnvelope(viewerAttach.body, 'forbidden');
    assertEnvelope((await server.http.post('/api/v1/analyze?deviceId=nope').set('Authorization', `Bearer ${await apiToken(server, 'admin')}`).send('x').expect(404)).body, 'not_found');

    const res = await uploadAsAdmin(KB3172605_LOG, `name=CBS.log&deviceId=${report.device.id}`).expect(200);
    const result = analyzeResultSchema.parse(res.body);
    assert.equal(result.attached?.deviceId, report.device.id);
    assert.equal(result.attached?.outcome, 'applied');
    assert.equal(result.detail.device.hostname, report.device.hostname);
    assert.ok(result.detail.failures.some((item) => item.kb === 'KB3172605'));
    assert.deepEqual(result.detail.hotfixes, report.hotfixes, 'the installed-update list of the device survives');
    const audit = await server.http.get('/api/v1/admin/audit?action=device.attach_log').set('Cookie', admin.cookie).expect(200);
    assert.equal(audit.body.items[0]?.target, `device:${report.device.id}`);
  });
});
