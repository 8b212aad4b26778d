// The streaming parser end to end on verbatim fixtures (test/fixtures/logs, from cbs-formats.md §1.4 c,
// §2.1, §2.4): chunking never changes the result, snapshots resume exactly, time zones are derived.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ServicingLogParser, type ParsedLogFacts, type ParserOptions, type ParserSnapshot } from './parser';

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/logs/${name}`, import.meta.url));

function parseChunks(name: string, chunks: Uint8Array[], options?: ParserOptions): ParsedLogFacts {
  const parser = new ServicingLogParser(options);
  parser.beginFile(name, 'cbs');
  for (const chunk of chunks) parser.write(chunk);
  parser.endFile();
  return parser.result(true);
}

const WIN7 = 'win7-kb3172605-0x80070308.log';
const IE11 = 'win7-ie11-staging-0x80070002.log';

test('the same bytes give the same facts whatever the chunk boundaries', () => {
  for (const name of [WIN7, IE11]) {
    const bytes = fixture(name);
    const whole = parseChunks(name, [bytes]);
    assert.equal(whole.failures.length, 1, name);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(parseChunks(name, [bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `${name} split at ${cut}`);
    }
    const bytewise = Array.from(bytes, (byte) => Uint8Array.of(byte));
    assert.deepEqual(parseChunks(name, bytewise), whole, `${name} byte by byte`);
  }
});

test('CRLF and LF files give the same facts (apart from the byte count)', () => {
  const crlf = parseChunks(WIN7, [fixture(WIN7)]);
  const lf = parseChunks(WIN7, [Buffer.from(fixture(WIN7).toString('latin1').replace(/\r\n/g, '\n'), 'latin1')]);
  assert.deepEqual({ ...lf, parse: { ...lf.parse, files: [] } }, { ...crlf, parse: { ...crlf.parse, files: [] } });
  assert.equal(lf.parse.files[0]!.lines, crlf.parse.files[0]!.lines);
});

test('a snapshot taken anywhere (even mid-line) resumes to the one-pass result', () => {
  const bytes = fixture(WIN7);
  const whole = parseChunks(WIN7, [bytes]);
  for (let cut = 0; cut <= bytes.length; cut += 53) {
    const first = new ServicingLogParser();
    first.beginFile(WIN7, 'cbs');
    first.write(bytes.subarray(0, cut));
    first.result(false);
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as ParserSnapshot;
    const resumed = ServicingLogParser.restore(saved);
    resumed.write(bytes.subarray(cut));
    resumed.endFile();
    assert.deepEqual(resumed.result(true), whole, `snapshot at ${cut}`);
  }
});

test('re-reading bytes already parsed (after rotation or truncation) never double-counts', () => {
  const bytes = fixture(IE11);
  const parser = new ServicingLogParser();
  parser.beginFile(IE11, 'cbs');
  parser.write(bytes);
  parser.endFile();
  parser.beginFile(IE11, 'cbs', { mode: 'restart' });
  parser.write(bytes);
  parser.endFile();
  const again = parser.result(true);
  const once = parseChunks(IE11, [bytes]);
  assert.deepEqual(again.failures, once.failures);
  assert.deepEqual(again.packages, once.packages);
  assert.deepEqual(again.parse.files, once.parse.files);
});

test('times carry the UTC offset the log reveals, or the caller supplies', () => {
  // Win7, UTC-6: CSI `000000ec@2016/10/31:17:25:11.317` on a `2016-10-31 11:25:11` line.
  assert.equal(parseChunks(WIN7, [fixture(WIN7)]).failures[0]!.at, '2016-10-31T11:25:11-06:00');
  assert.equal(parseChunks(WIN7, [fixture(WIN7)], { utcOffsetMinutes: 60 }).failures[0]!.at, '2016-10-31T11:25:11+01:00');
  // No CSI stamp, no Universal Time line: local time without a zone.
  assert.equal(parseChunks(IE11, [fixture(IE11)]).failures[0]!.at, '2017-11-24T14:07:40');
  // Win11 26100 (§2.1): `Universal Time is: 2026-09-25 18:12:34.383` on a 20:12:34 line, UTC+2.
  const parser = new ServicingLogParser();
  parser.beginFile('win11-sfc-session-start.log', 'cbs');
  parser.write(fixture('win11-sfc-session-start.log'));
  parser.endFile();
  assert.equal(parser.snapshot().derivedOffsetMinutes, 120);
});

test('servicing stack from `Loaded Servicing Stack v…`; ordinary start-up lines are not "unrecognized"', () => {
  const win7 = parseChunks('win7-loghub-session.log', [fixture('win7-loghub-session.log')]);
  assert.equal(win7.device.servicingStack, '6.1.7601.23505');
  assert.equal(win7.parse.unrecognizedLines, 0);
  assert.equal(win7.parse.files[0]!.lines, 14);
  const win11 = parseChunks('win11-sfc-session-start.log', [fixture('win11-sfc-session-start.log')]);
  assert.equal(win11.parse.unrecognizedLines, 0);
});

test('an unknown CBS message shape is counted, not fatal; empty input is fine', () => {
  const facts = parseChunks('CBS.log', [Buffer.from('2026-08-29 22:08:03, Info                  CBS    Something no handler knows about\r\n')]);
  assert.equal(facts.parse.unrecognizedLines, 1);
  const empty = parseChunks('CBS.log', []);
  assert.deepEqual(empty.parse, { files: [{ name: 'CBS.log', bytes: 0, lines: 0 }], unrecognizedLines: 0 });
});

test('a snapshot of a parsed log stays small and JSON round-trips', () => {
  const parser = new ServicingLogParser();
  for (const name of [WIN7, IE11, 'server2022-ssu-0x80073712.log']) {
    parser.beginFile(name, 'cbs');
    parser.write(fixture(name));
    parser.endFile();
  }
  const text = JSON.stringify(parser.snapshot());
  assert.ok(text.length < 64 * 1024, `snapshot is ${text.length} bytes`);
  assert.deepEqual(ServicingLogParser.restore(JSON.parse(text)).result(true), parser.result(true));
});
