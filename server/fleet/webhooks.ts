// Webhook delivery: HMAC-SHA256 signing and the outbox worker that retries with exponential backoff.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';
import type { FleetStore } from './storage/fleet-store';

export const SIGNATURE_HEADER = 'X-PatchLens-Signature';
export const TIMESTAMP_HEADER = 'X-PatchLens-Timestamp';

/**
 * `sha256=<hex>` over `<timestamp>.<raw body>`: binding the timestamp stops a captured delivery
 * from being replayed later with a fresh timestamp header.
 */
export function signPayload(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** Receiver-side check, constant time. */
export function verifySignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The HTTP client the worker posts with; tests pass a loopback one, production uses fetch. */
export type WebhookPoster = (url: string, body: string, headers: Record<string, string>) => Promise<{ status: number }>;

export const fetchPoster = (timeoutMs = 10_000): WebhookPoster => async (url, body, headers) => {
  const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  await response.body?.cancel();
  return { status: response.status };
};

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 5_000, maxDelayMs: 3_600_000, maxAttempts: 10 };

/** Delay before attempt `attempt + 1` after `attempt` failures: base × 2^(attempt-1), capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends every due delivery once. A 2xx marks it delivered; anything else (status or network error)
 * schedules the next attempt with backoff, and gives up after `maxAttempts`.
 */
export async function deliverDue(store: FleetStore, post: WebhookPoster, clock: Clock, policy: RetryPolicy = DEFAULT_RETRY, limit = 50): Promise<{ delivered: number; retried: number; failed: number }> {
  const result = { delivered: 0, retried: 0, failed: 0 };
  for (const item of await store.dueDeliveries(clock.now(), limit)) {
    const timestamp = String(Math.floor(clock.now() / 1000));
    let status: number | null = null;
    let error: string;
    try {
      status = (
        await post(item.url, item.body, {
          'Content-Type': 'application/json',
          'User-Agent': 'PatchLens-Webhook',
          [SIGNATURE_HEADER]: signPayload(item.secret, timestamp, item.body),
          [TIMESTAMP_HEADER]: timestamp,
          'X-PatchLens-Delivery': String(item.id),
        })
      ).status;
      if (status >= 200 && status < 300) {
        await store.markDelivered(item.id, clock.now(), status);
        result.delivered += 1;
        continue;
      }
      error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempt = item.attempts + 1;
    if (attempt >= policy.maxAttempts) {
      await store.markFailed(item.id, clock.now(), status, error);
      result.failed += 1;
    } else {
      await store.markRetry(item.id, clock.now() + backoffDelay(attempt, policy), status, error);
      result.retried += 1;
    }
  }
  return result;
}
