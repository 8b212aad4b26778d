// Anonymous uploads to /analyze declaring a huge body: each gets its 401 and loses its connection within seconds, instead of
// holding it past REQUEST_TIMEOUT under the upload exemption (which now applies only once the caller is authenticated);
// a signed-in upload that stalls is stopped too, so it cannot hold an analysis slot.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { analyzeModule } from '../../server/http/routes/analyze';
import { apiToken, startTestServer, type TestServer } from '../server/harness';

/** Anonymous connections opened at once. */
const ANONYMOUS = 100;
/** How soon after its 401 a connection must be closed; the REQUEST_TIMEOUT in force is its default of 30 s. */
const CLOSED_WITHIN_MS = 3_000;
/** Declared and never sent: the 2 GiB an upload to /analyze may have. */
const HUGE = 2 * 1024 ** 3;

/** One raw connection: the status it was answered with, when, and when the server closed it. */
interface Connection {
  socket: Socket;
  status: string;
  answeredAt: number | null;
  closedAt: number | null;
}

function openUpload(port: number, token?: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const connection: Connection = { socket, status: '', answeredAt: null, closedAt: null };
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (status && connection.answeredAt === null) {
        connection.status = status;
        connection.answeredAt = performance.now();
      }
    });
    socket.on('close', () => (connection.closedAt = performance.now()));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `POST /api/v1/analyze?name=CBS.log HTTP/1.1\r\nHost: 127.0.0.1\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}Content-Type: application/octet-stream\r\nContent-Length: ${HUGE}\r\n\r\n2024-11-20 10:00:00, Info`,
      );
      resolve(connection);
    });
    socket.once('error', reject);
  });
}

/** Resolves once every connection satisfies `done`, or after `boundMs` (the caller asserts on what it sees then). */
async function settled(connections: Connection[], done: (connection: Connection) => boolean, boundMs: number): Promise<void> {
  const started = performance.now();
  while (!connections.every(done) && performance.now() - started < boundMs) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('anonymous uploads to /analyze', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ modules: [analyzeModule({ fleet: () => null, ingest: () => null })] });
  });
  after(() => server.close());

  test(`${ANONYMOUS} at once, each declaring ${HUGE / 1024 ** 3} GiB: every one gets 401 and is disconnected within ${CLOSED_WITHIN_MS / 1000} s of it`, { timeout: 30_000 }, async () => {
    const port = Number(new URL(server.url).port);
    const connections = await Promise.all(Array.from({ length: ANONYMOUS }, () => openUpload(port)));
    try {
      await settled(connections, (connection) => connection.answeredAt !== null, 10_000);
      assert.deepEqual(
        connections.filter((connection) => connection.status !== '401').map((connection) => connection.status),
        [],
        'every anonymous upload is answered 401',
      );
      await settled(connections, (connection) => connection.closedAt !== null, CLOSED_WITHIN_MS + 2_000);
      const heldOpen = connections.filter((connection) => connection.closedAt === null || connection.closedAt - connection.answeredAt! > CLOSED_WITHIN_MS);
      assert.equal(heldOpen.length, 0, `${heldOpen.length} of ${ANONYMOUS} connections were still open ${CLOSED_WITHIN_MS} ms after their 401`);
    } finally {
      for (const connection of connections) connection.socket.destroy();
    }
  });
});

describe('a signed-in upload to /analyze that stalls', () => {
  const REQUEST_TIMEOUT_MS = 1_500;
  let server: TestServer;
  let viewer: string;

  before(async () => {
    server = await startTestServer({
      config: { requestTimeoutMs: REQUEST_TIMEOUT_MS, analyzeConcurrency: 1 },
      modules: [analyzeModule({ fleet: () => null, ingest: () => null })],
    });
    viewer = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('is stopped with 408 once nothing arrived for REQUEST_TIMEOUT, and its analysis slot is free again', { timeout: 20_000 }, async () => {
    const port = Number(new URL(server.url).port);
    const started = performance.now();
    const stalled = await openUpload(port, viewer);
    try {
      await settled([stalled], (connection) => connection.answeredAt !== null, 3 * REQUEST_TIMEOUT_MS);
      assert.equal(stalled.status, '408', 'a stalled upload is answered 408');
      const waited = stalled.answeredAt! - started;
      // A broken deadline answers never (or after node's 30 s check); three timeouts leave a shared CPU its slack.
      assert.ok(waited < 3 * REQUEST_TIMEOUT_MS, `answered after ${waited.toFixed(0)} ms`);
    } finally {
      stalled.socket.destroy();
    }
    const res = await server.http
      .post('/api/v1/analyze?name=CBS.log')
      .set('Authorization', `Bearer ${viewer}`)
      .set('Content-Type', 'application/octet-stream')
      .send('2024-11-20 10:00:00, Info                  CBS    Loaded Servicing Stack v10.0.19041.4890 with Core: C:\\Windows\\winsxs\\cbscore.dll\r\n');
    assert.equal(res.status, 200, `the next analysis is taken: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
  });
});
