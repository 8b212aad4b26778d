// Slow, broken and hostile clients against the real server: slow bodies, cut bodies, endless bodies, replays with other content,
// forged keys and SQL metacharacters in every device filter — each rejected with the right status, nothing stored, the server still serving.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { CREDENTIAL_PREFIX, generateCredential } from '../../server/security/secrets';
import { analyzeModule } from '../../server/http/routes/analyze';
import { apiToken, assertEnvelope, enroll, fixtureReport, postReport, startTestServer, syntheticReport, type TestServer } from '../server/harness';
import { bearer, startFleetServer, type FleetTestServer } from '../server/fleet/fleet-server';

const BODY_LIMIT = 64 * 1024;

/** Writes a raw HTTP request head (and optional body start) on a fresh socket. */
function rawRequest(url: string, head: string, body = ''): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head + body);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** Collects whatever the server answers until it closes the socket (or `ms` pass): the status line, or '' for none. */
function answer(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => resolve(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? '');
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (/^HTTP\/1\.1 \d{3}/.test(text)) socket.destroy();
    });
    socket.on('close', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, ms).unref();
  });
}

const reportHead = (key: string, extra: string) =>
  `POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n${extra}\r\n`;

/** The real app with the fleet routes and a small body limit, so an endless body is cut off quickly. */
async function startSmallLimitServer(): Promise<TestServer & { viewer: string }> {
  const server = await startTestServer({
    config: { reportBodyLimitBytes: BODY_LIMIT },
    fleet: {},
  });
  return Object.assign(server, { viewer: await apiToken(server, 'viewer') });
}

describe('hostile report senders', () => {
  let server: TestServer & { viewer: string };
  let key: string;
  const storedReports = () => (server.storage.db.prepare('SELECT COUNT(*) FROM reports').pluck().get() as number);

  before(async () => {
    server = await startSmallLimitServer();
    key = await enroll(server, 'hostile-ws-1');
  });
  after(() => server.close());

  test('forty slow-body clients do not keep an agent from being acknowledged, and store nothing', { timeout: 20_000 }, async (t) => {
    const before = storedReports();
    const slowIds: string[] = [];
    const slow: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const report = JSON.stringify(syntheticReport('hostile-ws-1', 100 + i));
      slowIds.push((JSON.parse(report) as { reportId: string }).reportId);
      slow.push(await rawRequest(server.url, reportHead(key, `Content-Length: ${Buffer.byteLength(report)}\r\n`), report.slice(0, 10)));
    }
    // A slow client that got an answer or lost its connection is no longer holding the server.
    const settled = new Set<Socket>();
    for (const s of slow) for (const event of ['data', 'close']) s.once(event, () => settled.add(s));
    const drip = setInterval(() => slow.forEach((s) => s.write(' ')), 100);
    try {
      const started = performance.now();
      const res = await postReport(server, key, syntheticReport('hostile-ws-1', 1));
      assert.equal(res.status, 202);
      // Not queued behind them: the agent was acknowledged while every slow client was still sending.
      assert.equal(settled.size, 0, `${settled.size} slow clients were answered or cut off before the agent was acknowledged`);
      t.diagnostic(`the agent was acknowledged in ${(performance.now() - started).toFixed(0)} ms beside 40 slow clients`);
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(storedReports(), before + 1, 'only the agent report is stored');
    const stored = server.storage.db.prepare('SELECT 1 FROM reports WHERE report_id = ?');
    assert.deepEqual(slowIds.filter((id) => stored.get(id) !== undefined), []);
  });

  test('a body cut short (connection closed before Content-Length bytes) stores nothing', async () => {
    const before = storedReports();
    const report = JSON.stringify(syntheticReport('hostile-ws-1', 200));
    const socket = await rawRequest(server.url, reportHead(key, `Content-Length: ${Buffer.byteLength(report)}\r\n`), report.slice(0, report.length / 2));
    socket.end();
    assert.notEqual(await answer(socket, 2_000), '202');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(storedReports(), before);
  });

  test('a chunked body far over the size limit is refused with 413 and stores nothing', async () => {
    const before = storedReports();
    const socket = await rawRequest(server.url, reportHead(key, 'Transfer-Encoding: chunked\r\n'));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const status = answer(socket, 5_000);
    for (let sent = 0; sent < BODY_LIMIT * 4 && !socket.destroyed; sent += chunk.length) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.write('0\r\n\r\n');
    assert.equal(await status, '413');
    assert.equal(storedReports(), before);
  });

  test('a small gzip body that inflates past the size limit (a zip bomb) is refused with 413 and stores nothing', async () => {
    const before = storedReports();
    const bomb = gzipSync(Buffer.alloc(BODY_LIMIT * 64, ' '));
    assert.ok(bomb.length < BODY_LIMIT / 4);
    const socket = await rawRequest(server.url, reportHead(key, `Content-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n`));
    const status = answer(socket, 5_000);
    socket.write(bomb);
    assert.equal(await status, '413');
    assert.equal(storedReports(), before);
  });

  test('a replayed reportId with different content is a duplicate: the stored state keeps the original', async () => {
    const original = syntheticReport('hostile-ws-1', 300);
    assert.equal((await postReport(server, key, original)).status, 202);
    const before = storedReports();
    const replay = { ...original, device: { ...original.device, hostname: 'REPLAYED-NAME' }, sequence: 999 };
    const res = await postReport(server, key, replay);
    assert.equal(res.status, 200);
    assert.equal(res.body.duplicate, true);
    assert.equal(storedReports(), before);
    const device = await server.http.get('/api/v1/devices/hostile-ws-1').set(bearer(server.viewer)).expect(200);
    assert.equal(device.body.device.hostname, 'HOSTILE-WS-1');
  });

  test('a well-formed device key the server never issued is 401 and stores nothing', async () => {
    const before = storedReports();
    const res = await postReport(server, generateCredential(CREDENTIAL_PREFIX.deviceKey), syntheticReport('hostile-ws-1', 400));
    assert.equal(res.status, 401);
    assertEnvelope(res.body, 'invalid_device_key');
    assert.equal(storedReports(), before);
  });
});

describe('a client that sends its body too slowly', () => {
  const REQUEST_TIMEOUT_MS = 1_500;
  /**
   * Later than this is a broken deadline, not a busy machine: node's own connection check, which the server
   * replaces, would take up to 30 s, and a client never cut off waits out answer()'s 8 s. Three timeouts leave
   * a shared CPU seconds of slack.
   */
  const LATE_CUTOFF_MS = 3 * REQUEST_TIMEOUT_MS;
  let server: TestServer;
  let key: string;

  let viewer: string;

  before(async () => {
    server = await startTestServer({
      config: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
      modules: [analyzeModule({ fleet: () => null, ingest: () => null })],
    });
    key = await enroll(server, 'slow-ws-1');
    viewer = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('is answered 408 and cut off within REQUEST_TIMEOUT even while it keeps dripping bytes; nothing is stored', { timeout: 10_000 }, async () => {
    const report = JSON.stringify(syntheticReport('slow-ws-1', 1));
    const started = performance.now();
    const socket = await rawRequest(server.url, reportHead(key, `Content-Length: ${Buffer.byteLength(report)}\r\n`), report.slice(0, 10));
    const drip = setInterval(() => socket.write(' '), 100);
    try {
      const status = await answer(socket, 8_000);
      const elapsed = performance.now() - started;
      assert.equal(status, '408', 'a stalled body must end with 408 Request Timeout');
      assert.ok(elapsed >= REQUEST_TIMEOUT_MS - 100, `cut off after ${elapsed.toFixed(0)} ms, before REQUEST_TIMEOUT`);
      assert.ok(elapsed < LATE_CUTOFF_MS, `cut off after ${elapsed.toFixed(0)} ms, well past REQUEST_TIMEOUT ${REQUEST_TIMEOUT_MS} ms`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    assert.equal(server.storage.db.prepare('SELECT COUNT(*) FROM reports').pluck().get(), 0);
    assert.equal((await postReport(server, key, syntheticReport('slow-ws-1', 2))).status, 202, 'the server still takes reports');
  });

  test('a request head dripped slower than the bound is answered 408 and cut off', { timeout: 10_000 }, async () => {
    const started = performance.now();
    const socket = await rawRequest(server.url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    try {
      assert.equal(await answer(socket, 8_000), '408');
      assert.ok(performance.now() - started < LATE_CUTOFF_MS, `cut off after ${(performance.now() - started).toFixed(0)} ms`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  test('a log upload to /analyze that takes longer than REQUEST_TIMEOUT is not cut off: it is paced by the parser, not the client', { timeout: 10_000 }, async () => {
    const body = readFileSync(new URL('../fixtures/logs/win7-kb3172605-0x80070308.log', import.meta.url));
    const socket = await rawRequest(
      server.url,
      `POST /api/v1/analyze?name=CBS.log HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${viewer}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const status = answer(socket, 8_000);
    const started = performance.now();
    const step = Math.ceil(body.length / 20);
    for (let at = 0; at < body.length; at += step) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.write(body.subarray(at, at + step));
    }
    assert.ok(performance.now() - started > REQUEST_TIMEOUT_MS, 'the upload must outlast REQUEST_TIMEOUT to prove anything');
    assert.equal(await status, '200');
  });
});

describe('SQL metacharacters in every device filter', () => {
  let server: FleetTestServer;
  const PAYLOADS = ["' OR '1'='1", "'; DROP TABLE devices; --", '%', '_', '\\', '" OR ""="', "bank-ws-0101' --", '*/ UNION SELECT 1 /*', '\u0000'];
  const FILTERS = ['q', 'kb', 'state', 'hresult', 'family', 'osBuild', 'stale', 'sort', 'order', 'cursor', 'limit'];

  before(async () => {
    server = await startFleetServer();
    for (const name of ['healthy-donor', 'case1-device-a', 'case2-device'] as const) assert.equal(await server.ingest(name), 202);
  });
  after(() => server.close());

  test('each filter answers 200 with no unrelated device, or 400 with the envelope; never 500; the tables stay intact', async () => {
    const devicesBefore = server.storage.db.prepare('SELECT COUNT(*) FROM devices').pluck().get();
    for (const filter of FILTERS) {
      for (const payload of PAYLOADS) {
        const res = await server.http.get('/api/v1/devices').query({ [filter]: payload }).set(bearer(server.viewer));
        const where = `${filter}=${JSON.stringify(payload)}`;
        assert.ok(res.status === 200 || res.status === 400, `${where} answered ${res.status}`);
        // No device id or host name holds these characters: a match means the text was read as SQL or a wildcard.
        if (res.status === 400) assertEnvelope(res.body, 'invalid_request');
        else assert.deepEqual(res.body.items, [], `${where} matched devices`);
      }
      const cluster = await server.http.get(`/api/v1/corruption/clusters/${encodeURIComponent(PAYLOADS[1]!)}`).set(bearer(server.viewer));
      assert.ok(cluster.status === 404 || cluster.status === 400, `cluster route answered ${cluster.status}`);
    }
    assert.equal(server.storage.db.prepare('SELECT COUNT(*) FROM devices').pluck().get(), devicesBefore);
    assert.equal(server.storage.db.pragma('integrity_check', { simple: true }), 'ok');
    // Still a working filter afterwards.
    const real = await server.http.get('/api/v1/devices').query({ family: 'dual_wpdmtp.inf' }).set(bearer(server.viewer)).expect(200);
    assert.ok(real.body.items.length >= 2);
  });

  test('a report whose device id and evidence carry SQL is stored as text', async () => {
    const report = fixtureReport('case2-device');
    // Host names follow NetBIOS/DNS rules (no quotes or spaces); the device id is free text.
    const id = "SQL'; DROP TABLE devices; --";
    const key = await enroll(server, id, 'SQL-WS-1');
    const res = await postReport(server, key, {
      ...report,
      reportId: 'sql-report-1',
      device: { ...report.device, id, hostname: 'SQL-WS-1' },
      failures: report.failures.map((failure) => ({ ...failure, evidence: ["x'); DELETE FROM devices; --"] })),
    });
    assert.equal(res.status, 202);
    const device = await server.http.get(`/api/v1/devices/${encodeURIComponent(id)}`).set(bearer(server.viewer)).expect(200);
    assert.equal(device.body.device.id, id);
    assert.ok(device.body.failures.some((failure: { evidence: string[] }) => failure.evidence.includes("x'); DELETE FROM devices; --")));
    const search = await server.http.get('/api/v1/devices').query({ q: "sql'; drop" }).set(bearer(server.viewer)).expect(200);
    assert.deepEqual(search.body.items.map((d: { id: string }) => d.id), [id]);
  });
});
