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

/** Keys grouped by their last character, longest first, so each `:` is matched against few keys. */
const tables = new WeakMap<readonly string[], Map<number, string[]>>();

function tableFor(keys: readonly string[]): Map<number, string[]> {
  let table = tables.get(keys);
  if (!table) {
    table = new Map();
    for (const key of [...keys].sort((a, b) => b.length - a.length)) {
      const last = key.charCodeAt(key.length - 1);
      const list = table.get(last) ?? [];
      list.push(key);
      table.set(last, list);
    }
    tables.set(keys, table);
  }
  return table;
}

function isBoundary(code: number): boolean {
  return Number.isNaN(code) || code === 32 || code === 44 || code === 9 || code === 46;
}

function isTrimmed(code: number): boolean {
  return code === 32 || code === 44 || code === 9 || code === 13 || code === 10;
}

/**
 * Values by key, for the keys given. A key counts only at a boundary (line start, space, comma)
 * and when followed by `:`; at each colon the longest listed key wins, so `status` inside
 * `hotpatch status` is not taken for the `status` key. A value runs to the next key and loses
 * surrounding blanks and trailing commas.
 */
export function readKeyValues(text: string, keys: readonly string[] = SERVICING_KEYS): Map<string, string> {
  const table = tableFor(keys);
  const found: string[] = [];
  const starts: number[] = [];
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const candidates = table.get(text.charCodeAt(colon - 1));
    if (!candidates) continue;
    for (const key of candidates) {
      const at = colon - key.length;
      if (at >= 0 && text.startsWith(key, at) && isBoundary(text.charCodeAt(at - 1))) {
        found.push(key);
        starts.push(at);
        break;
      }
    }
  }
  const values = new Map<string, string>();
  for (let i = 0; i < found.length; i++) {
    const key = found[i] as string;
    if (values.has(key)) continue;
    let from = (starts[i] as number) + key.length + 1;
    let to = i + 1 < starts.length ? (starts[i + 1] as number) : text.length;
    while (from < to && isTrimmed(text.charCodeAt(from))) from++;
    while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--;
    values.set(key, text.slice(from, to));
  }
  return values;
}
