// UTF-8 split across chunk boundaries and ANSI/binary bytes (CheckSUR raw .mum bytes, cbs-formats.md §3.2), framed from bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordFramer } from './framer';
import type { LogRecord } from './record';
import { charCodesOf, textOf } from './utf8-chunks';

const LINES = [
  '(f) CBS MUM Corrupt 0x800F0900 servicing\\Packages\\Package_166_for_KB2633952~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1: fffffIù',
  '(f) CBS MUM Corrupt 0x800F0900 servicing\\Packages\\Package_167_for_KB2633952~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1: ÑéHGHLH`HGHL',
];

function checkSurFramer(records: LogRecord[]): RecordFramer {
  const framer = new RecordFramer({ record: (record) => records.push(record), clockSample: () => {} });
  framer.beginFile('CheckSUR.log', 'checksur');
  return framer;
}

function rawLines(chunks: Uint8Array[]): string[] {
  const records: LogRecord[] = [];
  const framer = checkSurFramer(records);
  for (const chunk of chunks) framer.pushBytes(chunk);
  framer.flushCarry();
  return records.map((record) => record.raw);
}

test('every split position of multi-byte text frames the same lines', () => {
  const bytes = new TextEncoder().encode(LINES.join('\r\n'));
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(rawLines([bytes.subarray(0, cut), bytes.subarray(cut)]), LINES, `split at ${cut}`);
  }
  assert.deepEqual(rawLines([...bytes].map((byte) => Uint8Array.of(byte))), LINES);
});

test('ANSI (CP1252) and binary bytes become replacement characters, never an exception', () => {
  // "Line 1: fffffIù" as CP1252 bytes: ù is 0xF9, not valid UTF-8.
  const ansi = Uint8Array.from([...new TextEncoder().encode('Line 1: fffffI'), 0xf9, 0x0d, 0x0a]);
  assert.deepEqual(rawLines([ansi]), ['Line 1: fffffI\uFFFD']);
  assert.deepEqual(rawLines([Uint8Array.from([0xff, 0xfe, 0x00, 0xc3])]), ['\uFFFD\uFFFD\u0000\uFFFD']);
  const codes = charCodesOf(Uint8Array.from([0x41, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x42]));
  assert.equal(textOf(codes, 0, codes.length), 'Aé😀B');
});

test('a byte-order mark is dropped at the start of a file only', () => {
  const bom = [0xef, 0xbb, 0xbf];
  const bytes = Uint8Array.from([...bom, ...new TextEncoder().encode('first\n'), ...bom, ...new TextEncoder().encode('second\n')]);
  assert.deepEqual(rawLines([bytes]), ['first', '\uFEFFsecond']);
  assert.deepEqual(rawLines([bytes.subarray(0, 2), bytes.subarray(2)]), ['first', '\uFEFFsecond']);
  // A file of just the mark has no line; the mark then a line end is one empty line.
  assert.deepEqual(rawLines([Uint8Array.from(bom)]), []);
  assert.deepEqual(rawLines([Uint8Array.from([...bom, 10])]), ['']);
});

test('a cut sequence and an unterminated line survive a saved state', () => {
  const bytes = new TextEncoder().encode('Ñé line\nsecond Ñé\n');
  for (const cut of [1, 3, 12, 18]) {
    const first = checkSurFramer([]);
    first.pushBytes(bytes.subarray(0, cut));
    const saved = JSON.parse(JSON.stringify({ state: first.snapshot(), cut: first.cutSequence() })) as {
      state: ReturnType<RecordFramer['snapshot']>;
      cut: number[];
    };
    const records: LogRecord[] = [];
    const resumed = checkSurFramer(records);
    resumed.restore(saved.state, saved.cut);
    resumed.pushBytes(bytes.subarray(cut));
    resumed.flushCarry();
    const expected = cut > 9 ? ['second Ñé'] : ['Ñé line', 'second Ñé'];
    assert.deepEqual(records.map((record) => record.raw), expected, `cut at ${cut}`);
  }
});
