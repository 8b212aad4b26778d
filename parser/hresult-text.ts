// Finds the status code a servicing-log message reports, in every spelling the logs use.
import { hresultFromWin32, isFailureHresult, lookupHresult, normalizeHresult, WIN32_ERROR_CODES } from '../protocol/hresult';

export interface FoundHresult {
  /** `0x` + 8 lower-case hex digits. */
  code: string;
  /** The symbolic name printed beside the code, trimmed; advisory only (names change between builds). */
  printedName: string | null;
}

const NAME_AFTER = /^\s*(?:-\s*([A-Za-z_][\w ]*?)\s*\]|\[\s*([A-Za-z_][\w ]*?)\s*\]|\(\s*([A-Za-z_][\w ]*?)\s*\))/;

/** Each pattern captures the number in group 1; tried in order, the first hit wins. */
const PATTERNS: readonly RegExp[] = [
  // [HRESULT = 0x800f0922 - NAME], [HRESULT = 0x800f0922], [HRESULT =⏎0x…], HRESULT=800F0922, (CBS HRESULT=0x…)
  /\bHRESULT\s*=\s*((?:0x)?[0-9a-fA-F]{1,8})\b/,
  // WER / SQM fields: status: 0x80070002, with status -2147023143
  /\bstatus:?\s+(0x[0-9a-fA-F]{1,8}|-\d{1,10})\b/,
  // overall result:0x…, Operation result: 0x…, Result = 0x800F0950, hrStatus: 0x…, Download error: 0x…, Error: 0x…
  /\b(?:[Rr]esult|hrStatus|[Ee]rror)\s*[:=]?\s*(0x[0-9a-fA-F]{1,8})\b/,
  // CSI error summary: ErrorCode: 800706d9 (no 0x)
  /\bErrorCode:\s*((?:0x)?[0-9a-fA-F]{8})\b/,
  // DISM: (hr:0x800f0922)
  /\(hr:\s*(0x[0-9a-fA-F]{1,8})\)/,
  // WU ETW: *FAILED* [800703F0]
  /\[([89a-fA-F][0-9a-fA-F]{7})\]/,
  // CSI last error: [gle=0x80004005]
  /\[gle=(0x[0-9a-fA-F]{1,8})\]/,
  // anything else that is plainly a 32-bit code
  /\b(0x[0-9a-fA-F]{8})\b/,
];

const WIN32_FORM = /\bHRESULT_FROM_WIN32\(\s*(\d{1,5}|[A-Z_][A-Z0-9_]*)\s*\)/;

function nameAfter(text: string, index: number): string | null {
  const match = NAME_AFTER.exec(text.slice(index, index + 120));
  const name = (match?.[1] ?? match?.[2] ?? match?.[3])?.trim();
  return name ? name : null;
}

/** The first status code in a message, normalised, with the name printed beside it if any. */
export function findHresult(text: string): FoundHresult | null {
  for (const pattern of PATTERNS) {
    const match = pattern.exec(text);
    if (!match?.[1]) continue;
    const code = normalizeHresult(match[1]);
    if (!code) continue;
    return { code, printedName: nameAfter(text, match.index + match[0].length) };
  }
  const win32 = WIN32_FORM.exec(text);
  if (win32?.[1]) {
    const symbol = win32[1];
    const number = /^\d+$/.test(symbol) ? Number(symbol) : WIN32_ERROR_CODES[symbol];
    if (number !== undefined) return { code: hresultFromWin32(number), printedName: /^\d+$/.test(symbol) ? null : symbol };
  }
  return null;
}

/** Codes that mean success even though their severity bit is set (3010: success, restart required). */
const SUCCESS_CODES = new Set(['0x80070bc2']);

/** True when the code reports a failure (not S_OK, not a success-with-reboot). */
export function isFailureCode(code: string): boolean {
  return isFailureHresult(code) && !SUCCESS_CODES.has(code);
}

/** The name for a code: the reference table by number, else the printed name unless CBS did not know it either. */
export function hresultNameOf(code: string, printedName: string | null): string | null {
  const known = lookupHresult(code)?.name;
  if (known) return known;
  if (!printedName || /^unknown error$/i.test(printedName)) return null;
  return printedName;
}
