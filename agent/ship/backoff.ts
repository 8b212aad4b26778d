// Retry timing: exponential backoff with full jitter, and the server's Retry-After when it gives one.

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
}

/** Full jitter (uniform in [0, min(cap, base·2^attempt)]): 50,000 agents coming back never retry in lockstep. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Longest wait a Retry-After header may impose, so a misconfigured proxy cannot park the agent for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** `Retry-After: 120` or an HTTP date → milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | null {
  if (!header) return null;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
