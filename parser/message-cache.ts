// Remembers what repeated log messages say: found by a short part of the message, confirmed against all of it.

interface Remembered<V> {
  message: string;
  value: V;
}

/**
 * Servicing logs repeat the same messages at every start (one line per package). Hashing a whole
 * message costs about as much as reading it, so entries are found by a short key (the part that
 * tells messages apart, such as the package identity) and confirmed by comparing the whole message,
 * which is a fast memory compare. A key holds a few messages; the cache is emptied when full.
 */
export class MessageCache<V, K = string> {
  private readonly slots = new Map<K, Remembered<V>[]>();

  constructor(
    private readonly limit: number,
    private readonly perKey = 8,
  ) {}

  get(key: K, message: string): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    for (const remembered of slot) if (remembered.message === message) return remembered.value;
    return undefined;
  }

  /** Keeps `message` and `key` as given: callers pass strings that pin nothing larger than one line. */
  set(key: K, message: string, value: V): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (this.slots.size >= this.limit) this.slots.clear();
      slot = [];
      this.slots.set(key, slot);
    }
    if (slot.length >= this.perKey) slot.shift();
    slot.push({ message, value });
  }
}
