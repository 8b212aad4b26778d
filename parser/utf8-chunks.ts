// Character codes the framer reads: pure-ASCII bytes as they are, other bytes decoded from UTF-8 (bad bytes become U+FFFD).
import { isAscii } from 'node:buffer';

/**
 * Text as an array of character codes, index = string index: bytes when every code is below 256
 * (read as Latin-1, which for ASCII is the exact UTF-8 decoding), UTF-16 units otherwise.
 */
export type CharCodes = Buffer | Uint16Array;

// Keeps a U+FEFF wherever it is: the framer drops a byte-order mark only at the start of a file.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function unitsOf(text: string): Uint16Array {
  const bytes = Buffer.from(text, 'utf16le');
  // Pooled buffers are 8-byte aligned, but a Uint16Array view needs an even offset: copy if not.
  return bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2) : new Uint16Array(Uint8Array.from(bytes).buffer);
}

/** The character codes of UTF-8 `bytes` (a cut sequence at the end becomes U+FFFD); ASCII bytes are used in place, not copied. */
export function charCodesOf(bytes: Uint8Array): CharCodes {
  const buffer = bufferOf(bytes);
  return isAscii(buffer) ? buffer : unitsOf(utf8.decode(buffer));
}

/** The character codes of a string (lines a regular expression has already read). */
export function charCodesOfText(text: string): CharCodes {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return unitsOf(text);
  return Buffer.from(text, 'latin1');
}

/** `codes[start, end)` as a fresh string. */
export function textOf(codes: CharCodes, start: number, end: number): string {
  if (codes instanceof Uint16Array) return Buffer.from(codes.buffer, codes.byteOffset + 2 * start, 2 * (end - start)).toString('utf16le');
  return codes.toString('latin1', start, end);
}

/** Decodes UTF-8 that may end in a cut or bad sequence (an unterminated line): bad bytes become U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Length of the UTF-8 sequence a lead byte starts (1 for ASCII, stray continuation and invalid bytes). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return lead <= 0xf7 ? 4 : 1;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Index where an incomplete multi-byte sequence at the end of `bytes` begins, or `bytes.length`. */
export function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    return byte >= 0xc0 && sequenceLength(byte) > back ? length - back : length;
  }
  return length;
}
