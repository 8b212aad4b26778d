// HRESULT normalisation and the servicing error table (name, meaning) keyed by number.
import { HRESULTS_TSV } from './data/hresults-tsv';

export interface HresultInfo {
  code: string;
  name: string | null;
  meaning: string | null;
  source: string | null;
}

/**
 * Turns any spelling of a 32-bit status into `0x` + 8 lower-case hex digits:
 * `0x800F0922`, `800f0922`, `0x0`, signed decimal `-2147023143`, unsigned decimal.
 * Returns null when the text is not a number that fits in 32 bits.
 */
export function normalizeHresult(text: string): string | null {
  const raw = text.trim();
  let value: number;
  if (/^0x[0-9a-f]{1,8}$/i.test(raw)) value = Number.parseInt(raw.slice(2), 16);
  else if (/^[0-9a-f]{8}$/i.test(raw) && /[a-f]/i.test(raw)) value = Number.parseInt(raw, 16);
  else if (/^-\d{1,10}$/.test(raw)) {
    value = Number(raw);
    if (value < -0x80000000) return null;
    value = value >>> 0;
  } else if (/^\d{1,10}$/.test(raw)) {
    // Eight digits with no hex letter and no 0x are ambiguous; CBS prints bare hex only as 8 digits
    // (`ErrorCode: 800706d9`, `HRESULT=800F0922`), which always begin with 8 for failures.
    value = raw.length === 8 && raw.startsWith('8') ? Number.parseInt(raw, 16) : Number(raw);
    if (value > 0xffffffff) return null;
  } else return null;
  return '0x' + value.toString(16).padStart(8, '0');
}

/** `HRESULT_FROM_WIN32(n)`: Win32 error n in facility 7, as CSI prints it. */
export function hresultFromWin32(code: number): string {
  const value = code <= 0 || code > 0xffff ? code >>> 0 : (0x80070000 | (code & 0xffff)) >>> 0;
  return '0x' + value.toString(16).padStart(8, '0');
}

/** True for failure codes (severity bit set). */
export function isFailureHresult(code: string): boolean {
  return code.length === 10 && code.charCodeAt(2) >= 0x38; // '8'..'f'
}

let table: Map<string, HresultInfo> | null = null;

function loadTable(): Map<string, HresultInfo> {
  const map = new Map<string, HresultInfo>();
  const lines = HRESULTS_TSV.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const [codeText = '', name = '', meaning = '', source = ''] = line.split('\t');
    const code = normalizeHresult(codeText);
    if (!code) continue;
    map.set(code, {
      code,
      name: name.trim() || null,
      meaning: meaning.trim() || null,
      source: source.trim() || null,
    });
  }
  return map;
}

/** Name and meaning of a code from reference/hresults.tsv; the number decides, never a printed name. */
export function lookupHresult(code: string): HresultInfo | null {
  table ??= loadTable();
  return table.get(code.toLowerCase()) ?? null;
}

/** Every code in the table, for listings. */
export function allHresults(): HresultInfo[] {
  table ??= loadTable();
  return [...table.values()];
}

/** Win32 error names CSI prints inside `HRESULT_FROM_WIN32(NAME)` / `NTSTATUS_FROM_WIN32(NAME)`. */
export const WIN32_ERROR_CODES: Readonly<Record<string, number>> = {
  ERROR_SUCCESS: 0,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_PATH_NOT_FOUND: 3,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_DATA: 13,
  ERROR_SHARING_VIOLATION: 32,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_INSUFFICIENT_BUFFER: 122,
  ERROR_ALREADY_EXISTS: 183,
  ERROR_ILLEGAL_CHARACTER: 582,
  ERROR_NOT_FOUND: 1168,
  ERROR_SERVICE_DISABLED: 1058,
  ERROR_FILE_CORRUPT: 1392,
  ERROR_SUCCESS_REBOOT_REQUIRED: 3010,
  ERROR_FAIL_REBOOT_REQUIRED: 3017,
  ERROR_REQUEST_OUT_OF_SEQUENCE: 776,
  ERROR_SXS_ASSEMBLY_NOT_FOUND: 14003,
  ERROR_SXS_ASSEMBLY_MISSING: 14081,
  ERROR_SXS_COMPONENT_STORE_CORRUPT: 14098,
  ERROR_SXS_FILE_HASH_MISMATCH: 14028,
};
