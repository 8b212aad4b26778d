// Hostile zips uploaded to /analyze: bombs are refused at the ratio and size caps, binary entries like binary uploads, at most
// ANALYZE_CONCURRENCY run at once, a client that leaves stops the work, and agents' reports are acknowledged fast throughout.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync } from 'node:zlib';
import { Zip, zipSync, type ZipInputFile } from 'fflate';
import pino from 'pino';
import { analyzeModule } from '../../server/http/routes/analyze';
import { apiToken, assertEnvelope, enroll, postReport, startTestServer, syntheticReport, waitUntil, type TestServer } from '../server/harness';

// The server unpacks zips under os.tmpdir(): a folder of this test's own, so what it finds there is this server's.
const TEMP = mkdtempSync(join(tmpdir(), 'patchlens-analyze-zip-test-'));
process.env.TMPDIR = TEMP;
after(() => rmSync(TEMP, { recursive: true, force: true }));

const MIB = 1024 ** 2;
const REAL_LOG = readFileSync(new URL('../fixtures/logs/win7-kb3172605-0x80070308.log', import.meta.url));
const LINE = Buffer.from(
  '2024-11-20 10:00:00, Info                  CBS    Exec: Processing complete.  Session: 31140000_1234567890, Package: Package_for_KB5043064~31bf3856ad364e35~amd64~~19041.4894.1.9\r\n',
);
const MIB_OF_LINES = Buffer.alloc(MIB);
for (let at = 0; at < MIB; at += LINE.length) LINE.copy(MIB_OF_LINES, at);
/** One MiB of log lines as deflate blocks ending on a byte boundary (sync flush): copies of it chain into one valid stream. */
const MIB_DEFLATED = deflateRawSync(MIB_OF_LINES, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
/** The closing, empty final block of a deflate stream. */
const FINAL_BLOCK = deflateRawSync(Buffer.alloc(0));

/** A zip built by fflate around deflate streams made here: each entry is its name, its unpacked size and its deflated bytes. */
function zipOf(entries: [name: string, size: number, deflated: Buffer[]][]): Buffer {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  for (const [filename, size, deflated] of entries) {
    // The CRC is left 0: the server does not check it, and a bomb's author would not bother.
    const file: ZipInputFile = { filename, size, crc: 0, compression: 8 };
    zip.add(file);
    for (const [index, chunk] of deflated.entries()) file.ondata!(null, new Uint8Array(chunk), index === deflated.length - 1);
  }
  zip.end();
  return Buffer.concat(parts);
}

/** A zip whose entries each unpack to the given MiB of one real CBS line repeated: about 250 times their packed size. */
function zipBomb(entries: Record<string, number>): Buffer {
  return zipOf(Object.entries(entries).map(([name, mib]) => [name, mib * MIB, [...Array<Buffer>(mib).fill(MIB_DEFLATED), FINAL_BLOCK]]));
}

/** A zip of a CBS.log of `mib` MiB whose lines carry random session ids: deflate packs it only about 3:1, far under the ratio cap. */
function plainZip(mib: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  const ids = randomBytes(16 * Math.ceil((mib * MIB) / 100)).toString('hex');
  for (let n = 0; length < mib * MIB; n++) {
    const line = `2024-11-20 10:00:00, Info                  CBS    Session: ${ids.slice(n * 32, n * 32 + 32)} initialized by client WindowsUpdateAgent.\r\n`;
    lines.push(line);
    length += line.length;
  }
  const text = Buffer.from(lines.join(''), 'latin1');
  return zipOf([['CBS/CBS.log', text.length, [deflateRawSync(text, { level: 1 })]]]);
}

/** What the server has unpacked and not yet removed: its temporary folders and the bytes in them. */
function unpacked(): { folders: number; bytes: number } {
  let folders = 0;
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      try {
        if (entry.isDirectory()) walk(path);
        else bytes += statSync(path).size;
      } catch {
        // removed while walked
      }
    }
  };
  for (const name of readdirSync(TEMP)) {
    if (!name.startsWith('patchlens-analyze-')) continue;
    folders++;
    try {
      walk(join(TEMP, name));
    } catch {
      // removed while walked
    }
  }
  return { folders, bytes };
}

const HEAD = (token: string, name: string, length: number) =>
  `POST /api/v1/analyze?name=${name} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`;

/** A raw connection with the head of an upload written, for bodies sent piece by piece or cut off. */
function openUpload(server: TestServer, token: string, name: string, length: number): Promise<Socket & { answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let text = '';
    const answer = new Promise<string>((done) => {
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (/\r\n\r\n/.test(text)) done(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? '');
      });
      socket.on('close', () => done(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? ''));
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(HEAD(token, name, length));
      resolve(Object.assign(socket, { answer }));
    });
    socket.once('error', reject);
  });
}

const upload = (server: TestServer, token: string, body: Buffer, name = 'CBS.zip') =>
  fetch(`${server.url}/api/v1/analyze?name=${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });

/**
 * Uploads `body` `count` times at once on raw connections, each request written in one go as a script or
 * curl in another process would: the server finds it already buffered. Resolves with the statuses.
 */
async function uploadAtOnce(server: TestServer, token: string, body: Buffer, count: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => openUpload(server, token, 'CBS.zip', body.length)));
  for (const socket of sockets) socket.write(body);
  try {
    return (await Promise.all(sockets.map((socket) => socket.answer))).map(Number);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/**
 * Enrolls an agent, then starts `work` and posts reports one after another until it is done (at
 * least one, each sent as soon as the previous is acknowledged); resolves with the work's result and
 * every acknowledgement's time in ms.
 */
async function acknowledgementsDuring<T>(server: TestServer, deviceId: string, work: () => Promise<T>): Promise<{ result: T; acks: number[] }> {
  const key = await enroll(server, deviceId);
  let running = true;
  const busy = work().finally(() => (running = false));
  const acks: number[] = [];
  let n = 0;
  do {
    const started = performance.now();
    const res = await postReport(server, key, syntheticReport(deviceId, ++n));
    acks.push(performance.now() - started);
    assert.equal(res.status, 202);
  } while (running);
  return { result: await busy, acks };
}

describe('zip uploads to /analyze with the default limits', () => {
  let server: TestServer;
  let viewer: string;
  const logged: { level: number; msg: string }[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as { level: number; msg: string });
        callback();
      },
    });
    server = await startTestServer({ logger: pino({ level: 'debug' }, sink), modules: [analyzeModule({ fleet: () => null, ingest: () => null })] });
    viewer = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('a 1 MB zip bomb is refused with 413 long before it unpacks to its 256 MiB, and leaves no temporary files', { timeout: 60_000 }, async () => {
    const bomb = zipBomb({ 'CBS/CBS.log': 256 });
    const res = await upload(server, viewer, bomb);
    const body = await res.json();
    assert.equal(res.status, 413, `answered ${res.status} ${JSON.stringify(body)}`);
    assertEnvelope(body, 'payload_too_large');
    assert.match(body.error.message, /zip bomb/);
    assert.deepEqual(unpacked(), { folders: 0, bytes: 0 }, 'the temporary folder is removed');
  });

  test('an agent posting reports while four 2 MB bombs (512 MiB each) are uploaded at once is acknowledged within 1 s every time', { timeout: 120_000 }, async (t) => {
    const bomb = zipBomb({ 'CBS/CBS.log': 512 });
    const { result: statuses, acks } = await acknowledgementsDuring(server, 'bomb-ack-ws-1', () => uploadAtOnce(server, viewer, bomb, 4));
    const slowest = Math.max(...acks);
    t.diagnostic(`${acks.length} acknowledgements, slowest ${slowest.toFixed(0)} ms; uploads answered ${statuses.join(', ')}`);
    assert.ok(slowest < 1_000, `the slowest of ${acks.length} acknowledgements took ${slowest.toFixed(0)} ms`);
    assert.deepEqual(
      statuses.filter((status) => status !== 413 && status !== 429),
      [],
      'each bomb is refused (413), or turned away while two others are read (429)',
    );
    assert.deepEqual(unpacked(), { folders: 0, bytes: 0 });
  });

  test('an entry named like a log that is binary, a .cab or UTF-16 is refused as a plain upload of it would be', { timeout: 30_000 }, async () => {
    const png = new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16 * 1024)]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['CBS/CbsPersist_20241120000000.log', png, /CbsPersist_20241120000000\.log.* is a binary file, not a servicing log/],
      ['CBS/CbsPersist_20241121000000.log', new Uint8Array(Buffer.concat([Buffer.from('MSCF'), Buffer.alloc(600)])), /CbsPersist_20241121000000\.log.* is a \.cab archive/],
      ['CBS/CheckSUR.log', new Uint8Array(Buffer.from('\ufeffChecking System Update Readiness.\r\n', 'utf16le')), /CheckSUR\.log.* is UTF-16 text/],
    ];
    for (const [entry, bytes, message] of cases) {
      // Next to a real CBS.log, so the zip as a whole still parses: only the entry test can refuse it.
      const zip = Buffer.from(zipSync({ 'CBS/CBS.log': new Uint8Array(REAL_LOG), [entry]: bytes }));
      const res = await upload(server, viewer, zip);
      const body = await res.json();
      assert.equal(res.status, 400, `${entry}: answered ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      assertEnvelope(body, 'invalid_request');
      assert.match(body.error.message, message);
    }
    assert.deepEqual(unpacked(), { folders: 0, bytes: 0 });
  });

  test('a zip of more than 10,000 files is refused with 413 before its reader slows down', { timeout: 30_000 }, async () => {
    const files: Record<string, Uint8Array> = { 'CBS/CBS.log': new Uint8Array(REAL_LOG) };
    for (let index = 0; index < 10_000; index++) files[`CBS/empty-${index}.txt`] = new Uint8Array(0);
    const res = await upload(server, viewer, Buffer.from(zipSync(files, { level: 0 })));
    const body = await res.json();
    assert.equal(res.status, 413, `answered ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    assert.match(body.error.message, /more than 10000 files/);
  });

  test('a client that leaves mid-upload stops the work: files removed within 1 s, logged at info as aborted, not as an error', { timeout: 60_000 }, async (t) => {
    logged.length = 0;
    const zip = plainZip(32);
    const socket = await openUpload(server, viewer, 'CBS.zip', zip.length);
    socket.write(zip.subarray(0, 2 * MIB));
    await waitUntil(() => unpacked().bytes > 0, 'the server unpacking the upload', 20_000);
    const left = performance.now();
    socket.destroy();
    await waitUntil(() => unpacked().folders === 0, 'the temporary folder removed', 20_000);
    const cleanedMs = performance.now() - left;
    t.diagnostic(`temporary files removed ${cleanedMs.toFixed(0)} ms after the client left`);
    assert.ok(cleanedMs < 1_000, `the temporary files were removed ${cleanedMs.toFixed(0)} ms after the client left`);
    await waitUntil(() => logged.some((line) => line.level >= 30 && /upload/.test(line.msg)), 'the abort logged', 5_000).catch(() => undefined);
    assert.deepEqual(
      logged.filter((line) => line.level >= 50).map((line) => line.msg),
      [],
      'nothing is logged at error level',
    );
    assert.ok(
      logged.some((line) => line.level === 30 && /closed the connection/.test(line.msg)),
      `the abort is logged at info: ${JSON.stringify(logged)}`,
    );
    const key = await enroll(server, 'left-ws-1');
    assert.equal((await postReport(server, key, syntheticReport('left-ws-1', 1))).status, 202, 'the server goes on serving');
  });
});

describe('zip uploads to /analyze with the size and ratio caps raised, so bombs unpack in full', () => {
  let server: TestServer;
  let viewer: string;

  before(async () => {
    server = await startTestServer({
      config: { analyzeZipMaxRatio: 1_000_000, analyzeZipMaxUnpackedBytes: 2 * 1024 ** 3 },
      modules: [analyzeModule({ fleet: () => null, ingest: () => null })],
    });
    viewer = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('an agent posting reports while three 64 MiB bombs are uploaded at once is acknowledged within 1 s every time', { timeout: 120_000 }, async (t) => {
    const bomb = zipBomb({ 'CBS/CbsPersist_20241120000000.log': 32, 'CBS/CBS.log': 32 });
    const { result: statuses, acks } = await acknowledgementsDuring(server, 'bomb-ack-ws-2', () => uploadAtOnce(server, viewer, bomb, 3));
    const slowest = Math.max(...acks);
    t.diagnostic(`${acks.length} acknowledgements, slowest ${slowest.toFixed(0)} ms; uploads answered ${statuses.join(', ')}`);
    assert.ok(slowest < 1_000, `the slowest of ${acks.length} acknowledgements took ${slowest.toFixed(0)} ms`);
    // Two analyses run at once by default; the third is turned away rather than queued.
    assert.deepEqual(statuses.sort((a, b) => a - b), [200, 200, 429]);
    assert.deepEqual(unpacked(), { folders: 0, bytes: 0 });
  });
});

describe('zip uploads to /analyze with small caps: ANALYZE_ZIP_MAX_UNPACKED 4 MiB, ANALYZE_CONCURRENCY 1', () => {
  let server: TestServer;
  let viewer: string;

  before(async () => {
    server = await startTestServer({
      config: { analyzeZipMaxUnpackedBytes: 4 * MIB, analyzeConcurrency: 1 },
      modules: [analyzeModule({ fleet: () => null, ingest: () => null })],
    });
    viewer = await apiToken(server, 'viewer');
  });
  after(() => server.close());

  test('logs that unpack past ANALYZE_ZIP_MAX_UNPACKED are refused with 413, however plainly they compress', { timeout: 30_000 }, async () => {
    // Far under the ratio cap: only the size cap can refuse it.
    const res = await upload(server, viewer, plainZip(6));
    const body = await res.json();
    assert.equal(res.status, 413, `answered ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    assertEnvelope(body, 'payload_too_large');
    assert.match(body.error.message, /unpack to more than 4 MiB/);
    assert.deepEqual(unpacked(), { folders: 0, bytes: 0 });
  });

  test('a second analysis while one runs is turned away with 429 and Retry-After; once the first is done it is taken', { timeout: 30_000 }, async () => {
    const zip = Buffer.from(zipSync({ 'CBS/CBS.log': new Uint8Array(REAL_LOG) }, { level: 0 }));
    const first = await openUpload(server, viewer, 'CBS.zip', zip.length);
    first.write(zip.subarray(0, 200));
    await waitUntil(() => unpacked().folders > 0, 'the first upload being unpacked', 10_000);

    const busy = await upload(server, viewer, zip);
    const body = await busy.json();
    assert.equal(busy.status, 429, `answered ${busy.status} ${JSON.stringify(body).slice(0, 200)}`);
    assertEnvelope(body, 'overloaded');
    assert.ok(Number(busy.headers.get('retry-after')) > 0, 'Retry-After says when to come back');

    first.write(zip.subarray(200));
    assert.equal(await first.answer, '200');
    first.destroy();
    assert.equal((await upload(server, viewer, zip)).status, 200);
  });
});
