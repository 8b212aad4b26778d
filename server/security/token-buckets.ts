// A token bucket per key (a device): a burst up to `capacity`, then `ratePerMinute` sustained; beyond it the key is told how long to wait.
import type { Clock } from '../clock';

/** Above this many keys, buckets that have refilled completely (the same as no bucket) are dropped. */
const SWEEP_ABOVE = 100_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly capacity: number,
    ratePerMinute: number,
  ) {
    this.perMs = ratePerMinute / 60_000;
  }

  /** Takes one token for `key`: 0 when it had one, else the whole seconds until it will have one (nothing is taken). */
  take(key: string): number {
    const now = this.clock.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs) : this.capacity;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
    }
    if (!bucket && this.buckets.size >= SWEEP_ABOVE) this.sweep(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.tokens + (now - bucket.at) * this.perMs >= this.capacity) this.buckets.delete(key);
  }
}
