// What makes an upload to /analyze a servicing log: the text test of a file's head and the parsed-lines test.
import type { ParsedLogFacts } from '../../../parser/index';
import { AppError } from '../../errors';

/** Bytes of the head checked for NUL. */
export const BINARY_PROBE_BYTES = 8_192;
/**
 * NUL bytes a text log may carry in its head: CheckSUR.log copies raw bytes of corrupt .mum files
 * into its rows, so one stray NUL is not proof of a binary file; executables and images have hundreds.
 */
const TOLERATED_NULS = 16;
const CAB_MAGIC = [0x4d, 0x53, 0x43, 0x46]; // "MSCF"

export const startsWith = (chunk: Uint8Array, magic: number[]) => magic.every((byte, index) => chunk[index] === byte);

/** Refuses a .cab, UTF-16 text or a binary file by its first bytes (at least BINARY_PROBE_BYTES of them when the file has that many). */
export function assertText(head: Uint8Array, name: string): void {
  if (startsWith(head, CAB_MAGIC)) {
    throw new AppError(400, 'invalid_request', `${name} is a .cab archive (a rotated CbsPersist log); unpack it first (expand -F:* ${name} .) and upload the .log inside, or a .zip of the folder.`);
  }
  if (head[0] === 0xff && head[1] === 0xfe) {
    throw new AppError(400, 'invalid_request', `${name} is UTF-16 text; servicing logs are single-byte text. Upload the original file from C:\\Windows\\Logs\\CBS.`);
  }
  let nuls = 0;
  for (const byte of head.subarray(0, BINARY_PROBE_BYTES)) if (byte === 0) nuls++;
  if (nuls > TOLERATED_NULS) {
    throw new AppError(400, 'invalid_request', `${name} is a binary file, not a servicing log. Upload CBS.log, CbsPersist_*.log, CheckSUR.log or a .zip of the CBS folder.`);
  }
}

/** A file that parsed without a single line in CBS, CheckSUR or SFC layout is not a servicing log. */
export function assertServicingLog(facts: ParsedLogFacts, name: string): void {
  const lines = facts.parse.files.reduce((sum, file) => sum + file.lines, 0);
  if (lines === 0) throw new AppError(400, 'invalid_request', `${name} is empty.`);
  if (facts.parse.unrecognizedLines >= lines) {
    throw new AppError(400, 'invalid_request', `${name} does not look like a servicing log: none of its ${lines} lines is in the CBS.log or CheckSUR.log layout.`);
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError(413, 'payload_too_large', `The upload is larger than ${Math.round(maxBytes / 1024 ** 2)} MiB.`);
}
