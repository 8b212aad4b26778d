// Splits `key: value, key: value` CBS messages on KNOWN keys, because commas are not reliable.

/** A list of keys to split on, grouped by their last character, longest first, so each `:` is matched against few keys. */
export class KeySet {
  private readonly byLastChar = new Map<number, string[]>();

  constructor(keys: readonly string[]) {
    for (const key of [...keys].sort((a, b) => b.length - a.length)) {
      const last = key.charCodeAt(key.length - 1);
      const group = this.byLastChar.get(last) ?? [];
      group.push(key);
      this.byLastChar.set(last, group);
    }
  }

  /** The longest key that ends right before `text[colon]` and starts at a boundary (line start, blank, comma, dot). */
  keyBefore(text: string, colon: number): string | null {
    for (const key of this.byLastChar.get(text.charCodeAt(colon - 1)) ?? []) {
      const at = colon - key.length;
      if (at >= 0 && text.startsWith(key, at) && isBoundary(text.charCodeAt(at - 1))) return key;
    }
    return null;
  }
}

/**
 * Every key the package-change, completion, WER and Exec families print. Listing the long keys
 * (`hotpatch status`, `download status`, `start state`) lets the splitter tell them apart from the
 * short ones they contain (`status`, `start`).
 */
export const SERVICING_KEYS = new KeySet([
  'package', 'update', 'current', 'pending', 'start', 'applicable', 'target', 'targeted', 'limit', 'original',
  'hotpatch status', 'status', 'failure source', 'failure details', 'reboot required', 'client id',
  'initiated offline', 'execution sequence', 'first merged sequence', 'reboot reason', 'RM App session',
  'RM App name', 'FileName in use', 'release type', 'release quality', 'OC operation', 'download source',
  'download time (secs)', 'download status', 'Express download', 'Download Size', 'pending decision',
  'primitive execution context', 'Interactive Flight', 'overall result', 'start state', 'target state',
  'Client', 'Session', 'Package', 'Identifier', 'Update', 'PinDeployment', 'InstallDeployment',
  'ApplicableState', 'CurrentState',
]);

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
 * surrounding blanks and trailing commas; a key printed twice keeps its first value.
 */
export function readKeyValues(text: string, keys: KeySet = SERVICING_KEYS): Map<string, string> {
  const found: { key: string; at: number }[] = [];
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const key = keys.keyBefore(text, colon);
    if (key !== null) found.push({ key, at: colon - key.length });
  }
  const values = new Map<string, string>();
  for (const [i, { key, at }] of found.entries()) {
    if (values.has(key)) continue;
    let from = at + key.length + 1;
    let to = found[i + 1]?.at ?? text.length;
    while (from < to && isTrimmed(text.charCodeAt(from))) from++;
    while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--;
    values.set(key, text.slice(from, to));
  }
  return values;
}
