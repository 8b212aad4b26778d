// Aggregate reads shared by dashboards refreshing on the same live tick: computed once after each tick, reused until the next.
/**
 * A dashboard re-reads its pages because a live delta told it something changed; any value computed
 * after that delta was sent already holds those changes. So a value computed after the latest live
 * tick can answer every live refresh until the next tick, and 1,000 open overviews cost the server one
 * computation per aggregate per tick instead of one per dashboard.
 *
 * Only live refreshes are answered from here. First loads, scripts and every other read compute a
 * fresh value (and leave it for the refreshes), so nobody sees data older than what they asked after.
 * Each live tick (`live.flushed`, wired in server/compose.ts) and each write through the API that changes
 * what the aggregates show (baselines, settings) calls `clear()`.
 */
export class LiveReadCache {
  private readonly values = new Map<string, Promise<unknown>>();

  /** A value computed after the latest live tick, or a new one (shared by concurrent callers). */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.values.get(key);
    if (known) return known as Promise<T>;
    return this.fresh(key, compute);
  }

  /** Computes now and keeps the result for the live refreshes that follow. */
  fresh<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const value = compute();
    this.values.set(key, value);
    // A failed computation is not kept: the next read tries again.
    value.catch(() => {
      if (this.values.get(key) === value) this.values.delete(key);
    });
    return value;
  }

  clear(): void {
    this.values.clear();
  }
}
