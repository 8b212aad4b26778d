// UTF-8 split across chunk boundaries and ANSI/binary bytes (CheckSUR raw .mum bytes, cbs-formats.md §3.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Utf8ChunkDecoder } from './utf8-chunks';

const LINES = [
  '(f) CBS MUM Corrupt 0x800F0900 servicing\\Packages\\Package_166_for_KB2633952~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1: fffffIù',
  '(f) CBS MUM Corrupt 0x800F0900 servicing\\Packages\\Package_167_for_KB2633952~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1: ÑéHGHLH`HGHL',
].join('\r\n');

test('every split position of multi-byte text decodes to the same string', () => {
  const bytes = new TextEncoder().encode(LINES);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const decoder = new Utf8ChunkDecoder();
    const text = decoder.decode(bytes.subarray(0, cut)) + decoder.decode(bytes.subarray(cut)) + decoder.flush();
    assert.equal(text, LINES, `split at ${cut}`);
  }
  const oneByOne = new Utf8ChunkDecoder();
  let text = '';
  for (const byte of bytes) text += oneByOne.decode(Uint8Array.of(byte));
  assert.equal(text + oneByOne.flush(), LINES);
});

test('ANSI (CP1252) and binary bytes become replacement characters, never an exception', () => {
  const decoder = new Utf8ChunkDecoder();
  // "Line 1: fffffIù" as CP1252 bytes: ù is 0xF9, not valid UTF-8.
  const ansi = Uint8Array.from([...new TextEncoder().encode('Line 1: fffffI'), 0xf9, 0x0d, 0x0a]);
  assert.equal(decoder.decode(ansi), 'Line 1: fffffI\uFFFD\r\n');
  assert.equal(decoder.decode(Uint8Array.from([0xff, 0xfe, 0x00, 0xc3])) + decoder.flush(), '\uFFFD\uFFFD\u0000\uFFFD');
});

test('a cut sequence survives a saved state', () => {
  const bytes = new TextEncoder().encode('Ñé');
  const first = new Utf8ChunkDecoder();
  assert.equal(first.decode(bytes.subarray(0, 3)), 'Ñ');
  const resumed = new Utf8ChunkDecoder();
  resumed.pendingBytes = first.pendingBytes;
  assert.equal(resumed.decode(bytes.subarray(3)), 'é');
});
