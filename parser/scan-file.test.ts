// Incremental reading with file cursors: appended bytes only, partial last lines, rotation, truncation
// (fixture lines: cbs-formats.md §2.4, Win7 IE11 staging failure and the Win7 0x80070308 chain).
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expandLogPaths, logKindOf, orderLogFiles, ScanInputError } from './log-files';
import { ServicingLogParser } from './parser';
import { scanFile } from './scan-file';

const dir = mkdtempSync(join(tmpdir(), 'patchlens-scan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/logs/${name}`, import.meta.url));
const IE11 = fixture('win7-ie11-staging-0x80070002.log');
const WIN7 = fixture('win7-kb3172605-0x80070308.log');

async function oneShot(bytes: Buffer) {
  const path = join(mkdtempSync(join(dir, 'one-shot-')), 'CBS.log');
  writeFileSync(path, bytes);
  const parser = new ServicingLogParser();
  await scanFile(parser, path, null, { final: true });
  return parser.result(true);
}

test('appended bytes are read from the cursor; a half-written last line waits for the next pass', async () => {
  const path = join(dir, 'CBS.log');
  const cut = IE11.indexOf('WER: Generating') + 20; // inside the WER line
  writeFileSync(path, IE11.subarray(0, cut));
  let parser = new ServicingLogParser();
  let cursor = await scanFile(parser, path, null);
  assert.equal(cursor.offset, IE11.lastIndexOf(10, cut) + 1, 'cursor stops after the last complete line');
  assert.equal(parser.result(false).failures.length, 0);

  // The agent saves state between passes; the writer finishes the line and adds more.
  parser = ServicingLogParser.restore(JSON.parse(JSON.stringify(parser.snapshot())));
  appendFileSync(path, IE11.subarray(cut));
  const progress: number[] = [];
  cursor = await scanFile(parser, path, cursor, { onProgress: (read) => progress.push(read) });
  assert.equal(cursor.offset, IE11.length);
  assert.equal(progress.at(-1), IE11.length);
  const incremental = parser.result(true);
  assert.deepEqual(incremental, await oneShot(IE11), 'two passes equal one pass over the whole file');
});

test('a rotated file (new head) and a truncated file are read again from the start', async () => {
  const path = join(mkdtempSync(join(dir, 'rotating-')), 'CBS.log');
  writeFileSync(path, WIN7);
  const parser = new ServicingLogParser();
  const first = await scanFile(parser, path, null);
  assert.equal(first.offset, WIN7.length);
  assert.equal(first.headLength, WIN7.length);

  // Rotation: CBS.log now holds a different log, longer than the old offset.
  writeFileSync(path, Buffer.concat([IE11, IE11]));
  const rotated = await scanFile(parser, path, first);
  assert.equal(rotated.offset, IE11.length * 2);
  assert.notEqual(rotated.headFingerprint, first.headFingerprint);

  // Truncation: same head, shorter than the cursor.
  writeFileSync(path, IE11);
  const truncated = await scanFile(parser, path, rotated);
  assert.equal(truncated.offset, IE11.length);

  const facts = parser.result(true);
  assert.deepEqual(facts.failures.map((f) => f.hresult).sort(), ['0x80070002', '0x80070308'], 'each failure once');
  assert.deepEqual(facts.parse.files, [{ name: 'CBS.log', bytes: IE11.length, lines: 11 }]);

  // Unchanged file: nothing new is read.
  const again = await scanFile(parser, path, truncated);
  assert.equal(again.offset, truncated.offset);
});

test('a cancelled scan stops with an abort error', async () => {
  const path = join(dir, 'CBS.log');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(scanFile(new ServicingLogParser(), path, null, { signal: controller.signal }), { name: 'AbortError' });
});

test('log kinds, reading order and folder expansion', () => {
  assert.equal(logKindOf('CBS.log'), 'cbs');
  assert.equal(logKindOf('C:\\Windows\\Logs\\CBS\\CbsPersist_20261008190827.log'.split('\\').join('/')), 'cbs');
  assert.equal(logKindOf('CheckSUR.log'), 'checksur');
  assert.equal(logKindOf('CheckSUR.persist.log'), 'checksur');
  assert.equal(logKindOf('CbsPersist_20190211123655.cab'), null);
  assert.equal(logKindOf('dism.log'), null);
  assert.deepEqual(
    orderLogFiles(['x/CheckSUR.log', 'x/CBS.log', 'x/CbsPersist_20261008212907.log', 'x/CbsPersist_20261008190827.log', 'x/CbsPersist_20261008192300.log']),
    ['x/CbsPersist_20261008190827.log', 'x/CbsPersist_20261008192300.log', 'x/CbsPersist_20261008212907.log', 'x/CBS.log', 'x/CheckSUR.log'],
  );
  assert.throws(() => expandLogPaths([join(dir, 'missing.log')]), (error: Error) => error instanceof ScanInputError && /no such file/.test(error.message));
  const empty = mkdtempSync(join(dir, 'empty-'));
  assert.throws(() => expandLogPaths([empty]), /no servicing logs/);
});
