// Differential: a pipelined scan (framing on a worker thread) finds exactly the facts of a one-thread scan,
// on every fixture log and on generated logs with invalid UTF-8, mixed line ends and long continuations.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expandLogPaths, FramingRun, scanLogFiles, scanPaths } from './index';
import { ServicingLogParser } from './parser';
import { testSeeds } from '../test/support/seed';

const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'patchlens-pipeline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every pipelined scan here, however small its input. */
const PIPELINED = { pipeline: { minBytes: 0 } };

function fixtureLogs(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...fixtureLogs(path));
    else if (!name.endsWith('.md')) out.push(path);
  }
  return out;
}

const fixtures = ['test/fixtures/logs', 'test/fixtures/cases', 'test/fixtures/families'].flatMap((folder) => fixtureLogs(join(root, folder)));

async function assertSameFacts(paths: string[], options: { utcOffsetMinutes?: number } = {}): Promise<void> {
  const single = await scanPaths(paths, options);
  const pipelined = await scanPaths(paths, { ...options, ...PIPELINED });
  assert.deepEqual(pipelined, single, `facts differ for ${paths.map((path) => path.replace(root, '')).join(', ')}`);
}

test('every fixture log, one scan each: the same facts with the framing on a worker thread', async () => {
  assert.ok(fixtures.length >= 30, `found only ${fixtures.length} fixture logs`);
  // Four at a time: most of each pipelined scan is the worker starting.
  for (let at = 0; at < fixtures.length; at += 4) await Promise.all(fixtures.slice(at, at + 4).map((fixture) => assertSameFacts([fixture])));
});

test('all fixture logs in one scan (records open across file borders, zone offsets per file): the same facts', async () => {
  await assertSameFacts(fixtures);
  await assertSameFacts(fixtures, { utcOffsetMinutes: 120 });
});

/** Lines of the fixture logs, as bytes, to build generated logs from. */
const corpus: Buffer[] = fixtures.flatMap((path) => {
  const bytes = readFileSync(path);
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(10, start);
    const end = newline === -1 ? bytes.length : newline;
    lines.push(bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end));
    start = end + 1;
  }
  return lines;
});

function seeded(seed: number): (below: number) => number {
  let state = seed;
  return (below) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.floor(((state >>> 8) / 0x100_0000) * below);
  };
}

/**
 * About `bytes` of log: real lines, lines cut or with bytes overwritten (invalid UTF-8), multi-byte
 * characters, head-less continuation runs, blank lines, CRLF and LF mixed, now and then a byte-order
 * mark or a line longer than the 1 MiB line cap; maybe no final line end.
 */
function generatedLog(random: (below: number) => number, bytes: number): Buffer {
  const parts: Buffer[] = random(4) === 0 ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
  let size = 0;
  while (size < bytes) {
    const line = corpus[random(corpus.length)] as Buffer;
    let piece: Buffer;
    switch (random(12)) {
      case 0: piece = line.subarray(0, random(line.length + 1)); break;
      case 1: {
        piece = Buffer.from(line);
        for (let n = 1 + random(3); n > 0 && piece.length > 0; n--) piece[random(piece.length)] = 0x80 + random(128);
        break;
      }
      case 2: piece = Buffer.concat([line.subarray(0, random(line.length + 1)), Buffer.from(' — fichier endommagé ✓ 𝄞 ', 'utf8')]); break;
      case 3: piece = Buffer.from(Array.from({ length: 1 + random(40) }, () => `    detail ${random(1000)}`).join('\r\n')); break;
      case 4: piece = Buffer.alloc(0); break;
      case 5: piece = random(200) === 0 ? Buffer.alloc((1 << 20) + random(5000), 0x61) : line; break;
      default: piece = line;
    }
    parts.push(piece, Buffer.from(random(3) === 0 ? '\n' : '\r\n'));
    size += piece.length + 2;
  }
  if (random(2) === 0) parts.pop();
  return Buffer.concat(parts);
}

test('generated logs of several MiB (several reads and batches each): the same facts, for three seeds', async () => {
  for (const seed of testSeeds('generated logs', [1, 2, 3])) {
    const random = seeded(seed);
    const folder = mkdtempSync(join(dir, `seed-${seed}-`));
    writeFileSync(join(folder, 'CbsPersist_20240101000000.log'), generatedLog(random, 1_500_000));
    writeFileSync(join(folder, 'CBS.log'), generatedLog(random, 2_500_000));
    writeFileSync(join(folder, 'CheckSUR.log'), generatedLog(random, 200_000));
    await assertSameFacts([folder]);
  }
});

test('an aborted pipelined scan stops with the abort reason', async () => {
  const folder = mkdtempSync(join(dir, 'abort-'));
  writeFileSync(join(folder, 'CBS.log'), generatedLog(seeded(9), 3_000_000));
  const controller = new AbortController();
  const scanning = scanPaths([folder], { ...PIPELINED, signal: controller.signal, onProgress: () => controller.abort(new Error('stop')) });
  await assert.rejects(scanning, { message: 'stop' });
});

test('framing started before the parser exists (as scan starts it) and fed late: the same facts', async () => {
  const folder = mkdtempSync(join(dir, 'early-'));
  writeFileSync(join(folder, 'CBS.log'), generatedLog(seeded(4), 300_000));
  const files = expandLogPaths([folder]);
  const framing = FramingRun.start(files, { minBytes: 0 });
  assert.ok(framing);
  // Not a timing assertion: fed now or after the worker has finished, the facts must be the same.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(await scanLogFiles(files, { framing }), await scanLogFiles(files));
});

test('a framing run cancelled before it is fed stops its worker and rejects the feed', async () => {
  const folder = mkdtempSync(join(dir, 'cancel-'));
  writeFileSync(join(folder, 'CBS.log'), generatedLog(seeded(5), 3_000_000));
  const framing = FramingRun.start(expandLogPaths([folder]), { minBytes: 0 });
  assert.ok(framing);
  framing.cancel();
  await assert.rejects(framing.feed(new ServicingLogParser()), { message: 'framing cancelled' });
});

test('empty, byte-order-mark-only, blank and unterminated files: the same facts and line counts', async () => {
  const folder = mkdtempSync(join(dir, 'edges-'));
  writeFileSync(join(folder, 'CBS.log'), '');
  writeFileSync(join(folder, 'CbsPersist_20240101000000.log'), Buffer.from([0xef, 0xbb, 0xbf]));
  writeFileSync(join(folder, 'CbsPersist_20240102000000.log'), '\r\n');
  // cbs-formats.md §2.4, without its line end.
  writeFileSync(join(folder, 'CbsPersist_20240103000000.log'), '2016-09-01 10:28:07, Error                 CBS    Failed to process single phase execution. [HRESULT = 0x80070308 - ERROR_REQUEST_OUT_OF_SEQUENCE]');
  writeFileSync(join(folder, 'CheckSUR.log'), Buffer.concat([Buffer.from('garbage'), Buffer.from([0xff, 0xfe]), Buffer.from('\n    cont')]));
  await assertSameFacts([folder]);
  const facts = await scanPaths([folder], PIPELINED);
  assert.deepEqual(facts.parse.files.map((file) => file.lines), [0, 1, 1, 0, 2]);
});
