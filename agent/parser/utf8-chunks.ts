// Decodes UTF-8 arriving in arbitrary chunks: sequences cut by a chunk end wait for the next chunk, bad bytes become U+FFFD.
import { isAscii } from 'node:buffer';

/** Length of the UTF-8 sequence a lead byte starts (1 for ASCII, stray continuation and invalid bytes). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return lead <= 0xf7 ? 4 : 1;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Index where an incomplete multi-byte sequence at the end of `bytes` begins, or `bytes.length`. */
function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    return byte >= 0xc0 && sequenceLength(byte) > back ? length - back : length;
  }
  return length;
}

/**
 * Unlike a streaming TextDecoder, the only state is the few bytes of a cut sequence, which can be
 * saved in a snapshot and restored. ANSI text (CP1252 bytes) and binary garbage decode with
 * replacement characters; decoding never throws.
 */
export class Utf8ChunkDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private carry: Uint8Array = new Uint8Array(0);

  decode(chunk: Uint8Array): string {
    // Servicing logs are almost always plain ASCII: a one-byte copy is then the exact decoding.
    if (this.carry.length === 0 && isAscii(chunk)) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let bytes = chunk;
    let head = '';
    if (this.carry.length > 0) {
      const carry = this.carry;
      const needed = sequenceLength(carry[0] as number) - carry.length;
      let take = 0;
      while (take < needed && take < bytes.length && ((bytes[take] as number) & 0xc0) === 0x80) take++;
      const joined = new Uint8Array(carry.length + take);
      joined.set(carry);
      joined.set(bytes.subarray(0, take), carry.length);
      if (take < needed && take === bytes.length) {
        this.carry = joined; // still incomplete: wait for the next chunk
        return '';
      }
      this.carry = new Uint8Array(0);
      head = this.decoder.decode(joined);
      bytes = bytes.subarray(take);
    }
    const cut = incompleteTail(bytes);
    if (cut < bytes.length) this.carry = bytes.slice(cut);
    if (cut === 0) return head;
    const body = this.decoder.decode(cut === bytes.length ? bytes : bytes.subarray(0, cut));
    return head.length === 0 ? body : head + body;
  }

  /** End of input: a cut sequence that never completed becomes a replacement character. */
  flush(): string {
    if (this.carry.length === 0) return '';
    const carry = this.carry;
    this.carry = new Uint8Array(0);
    return this.decoder.decode(carry);
  }

  /** Drops a cut sequence without decoding it. */
  reset(): void {
    this.carry = new Uint8Array(0);
  }

  get pendingBytes(): number[] {
    return [...this.carry];
  }

  set pendingBytes(bytes: number[]) {
    this.carry = Uint8Array.from(bytes);
  }
}
