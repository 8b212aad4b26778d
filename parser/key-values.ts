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

/**
 * Reads `key: value` messages for one list of keys, and keeps where each key's value is until the
 * next read: a value becomes a string only when asked for (a package change line has sixteen keys,
 * its handler reads six). Readers are shared per key list (`keyValueReader`); read, then take the
 * values, before anything else reads with the same list.
 */
export class KeyValueReader {
  /** Key indices grouped by the key's last character, longest key first, so each `:` is matched against few keys. */
  private readonly byLastChar: (number[] | undefined)[] = [];
  private readonly indexOfKey = new Map<string, number>();
  /** Keys found in the last read, in order (index into `keys`), and where each starts. */
  private foundKeys = new Int32Array(16);
  private foundAt = new Int32Array(16);
  private found = 0;
  /** Per key: where its (first) value starts and ends in the last text read; -1 when absent. */
  private readonly valueFrom: Int32Array;
  private readonly valueTo: Int32Array;
  private text = '';

  constructor(readonly keys: readonly string[]) {
    const order = keys.map((key, index) => ({ key, index })).sort((a, b) => b.key.length - a.key.length);
    for (const { key, index } of order) {
      const last = key.charCodeAt(key.length - 1);
      const list = this.byLastChar[last] ?? [];
      list.push(index);
      this.byLastChar[last] = list;
    }
    keys.forEach((key, index) => this.indexOfKey.set(key, index));
    this.valueFrom = new Int32Array(keys.length).fill(-1);
    this.valueTo = new Int32Array(keys.length).fill(-1);
  }

  /**
   * A key counts only at a boundary (line start, space, comma) and when followed by `:`; at each
   * colon the longest listed key wins, so `status` inside `hotpatch status` is not taken for the
   * `status` key. A value runs to the next key and loses surrounding blanks and trailing commas.
   */
  read(text: string): this {
    this.text = text;
    this.valueFrom.fill(-1);
    this.found = 0;
    const keys = this.keys;
    for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
      const candidates = this.byLastChar[text.charCodeAt(colon - 1)];
      if (!candidates) continue;
      for (const index of candidates) {
        const key = keys[index] as string;
        const at = colon - key.length;
        if (at >= 0 && text.startsWith(key, at) && isBoundary(text.charCodeAt(at - 1))) {
          this.remember(index, at);
          break;
        }
      }
    }
    for (let i = 0; i < this.found; i++) {
      const index = this.foundKeys[i] as number;
      if ((this.valueFrom[index] as number) !== -1) continue;
      let from = (this.foundAt[i] as number) + (keys[index] as string).length + 1;
      let to = i + 1 < this.found ? (this.foundAt[i + 1] as number) : text.length;
      while (from < to && isTrimmed(text.charCodeAt(from))) from++;
      while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--;
      this.valueFrom[index] = from;
      this.valueTo[index] = to;
    }
    return this;
  }

  /** The value of `key` in the last text read (undefined when absent or not a key of this reader). */
  get(key: string): string | undefined {
    const index = this.indexOfKey.get(key);
    if (index === undefined) return undefined;
    const from = this.valueFrom[index] as number;
    return from === -1 ? undefined : this.text.slice(from, this.valueTo[index]);
  }

  /** Every value of the last text read, by key, in the order the keys appear. */
  toMap(): Map<string, string> {
    const values = new Map<string, string>();
    for (let i = 0; i < this.found; i++) {
      const key = this.keys[this.foundKeys[i] as number] as string;
      if (!values.has(key)) values.set(key, this.get(key) as string);
    }
    return values;
  }

  private remember(index: number, at: number): void {
    if (this.found === this.foundKeys.length) {
      // More keys on one line than ever before: room for twice as many.
      const keys = new Int32Array(2 * this.found);
      const starts = new Int32Array(2 * this.found);
      keys.set(this.foundKeys);
      starts.set(this.foundAt);
      this.foundKeys = keys;
      this.foundAt = starts;
    }
    this.foundKeys[this.found] = index;
    this.foundAt[this.found] = at;
    this.found++;
  }
}

const readers = new WeakMap<readonly string[], KeyValueReader>();

/** The shared reader for `keys` (the same array each time, as a module constant). */
export function keyValueReader(keys: readonly string[] = SERVICING_KEYS): KeyValueReader {
  let reader = readers.get(keys);
  if (!reader) {
    reader = new KeyValueReader(keys);
    readers.set(keys, reader);
  }
  return reader;
}

function isBoundary(code: number): boolean {
  return Number.isNaN(code) || code === 32 || code === 44 || code === 9 || code === 46;
}

function isTrimmed(code: number): boolean {
  return code === 32 || code === 44 || code === 9 || code === 13 || code === 10;
}

/** Values by key, for the keys given (see `KeyValueReader.read` for how keys are told apart). */
export function readKeyValues(text: string, keys: readonly string[] = SERVICING_KEYS): Map<string, string> {
  return keyValueReader(keys).read(text).toMap();
}
