// Splits `key: value, key: value` CBS messages on KNOWN keys, because commas are not reliable.

/**
 * Every key the package-change, completion, WER and Exec families print. Listing the long keys
 * (`hotpatch status`, `download status`, `start state`) lets the splitter tell them apart from the
 * short ones they contain (`status`, `start`).
 */
export const SERVICING_KEYS = [
  'package', 'update', 'current', 'pending', 'start', 'applicable', 'target', 'targeted', 'limit', 'original',
  'hotpatch status', 'status', 'failure source', 'failure details', 'reboot required', 'client id',
  'initiated offline', 'execution sequence', 'first merged sequence', 'reboot reason', 'RM App session',
  'RM App name', 'FileName in use', 'release type', 'release quality', 'OC operation', 'download source',
  'download time (secs)', 'download status', 'Express download', 'Download Size', 'pending decision',
  'primitive execution context', 'Interactive Flight', 'overall result', 'start state', 'target state',
  'Client', 'Session', 'Package', 'Identifier', 'Update', 'PinDeployment', 'InstallDeployment',
  'ApplicableState', 'CurrentState',
] as const;

interface KeyHit {
  key: string;
  start: number;
  valueStart: number;
}

const needles = new Map<string, string>();

function needleOf(key: string): string {
  let needle = needles.get(key);
  if (needle === undefined) {
    needle = key + ':';
    needles.set(key, needle);
  }
  return needle;
}

function isBoundary(code: number): boolean {
  return Number.isNaN(code) || code === 32 || code === 44 || code === 9 || code === 46;
}

/**
 * Values by key, for the keys given. A key counts only at a boundary (line start, space, comma)
 * and when followed by `:`; a key found inside a longer listed key (`status` in `hotpatch status`)
 * is ignored. A value runs to the next key and loses its trailing `,`, `.` and spaces.
 */
export function readKeyValues(text: string, keys: readonly string[] = SERVICING_KEYS): Map<string, string> {
  const hits: KeyHit[] = [];
  for (const key of keys) {
    const needle = needleOf(key);
    let from = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at === -1) break;
      from = at + 1;
      if (!isBoundary(text.charCodeAt(at - 1))) continue;
      hits.push({ key, start: at, valueStart: at + key.length + 1 });
    }
  }
  hits.sort((a, b) => a.start - b.start || b.valueStart - a.valueStart);
  const kept: KeyHit[] = [];
  for (const hit of hits) {
    const last = kept[kept.length - 1];
    if (last && hit.valueStart <= last.valueStart) continue; // nested inside a longer key
    kept.push(hit);
  }
  const values = new Map<string, string>();
  for (let i = 0; i < kept.length; i++) {
    const hit = kept[i] as KeyHit;
    const end = kept[i + 1]?.start ?? text.length;
    const value = text.slice(hit.valueStart, end).replace(/[\s,]+$/, '').trim();
    if (!values.has(hit.key)) values.set(hit.key, value);
  }
  return values;
}
