// Webhook delivery: HMAC-SHA256 signing and the outbox worker that retries with exponential backoff.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../clock';
import type { WebhookStore } from './fleet-store';
import { checkWebhookUrl, pinnedLookup, systemResolver, type Resolver, type WebhookTargetPolicy } from './webhook-targets';

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

/**
 * The HTTP client the worker posts with. It gets the settings' target policy: the URL itself has been
 * checked against it, resolving the host name and checking its addresses is the poster's part.
 */
export type WebhookPoster = (url: string, body: string, headers: Record<string, string>, targets: WebhookTargetPolicy) => Promise<{ status: number }>;

/**
 * Posts with node:http(s), connecting only to addresses the host name resolved to and that passed the
 * target policy (see pinnedLookup); TLS still verifies the certificate for the host name. Redirects are
 * not followed (a 3xx counts as a failed attempt), and the whole request is bounded by `timeoutMs`.
 */
export const pinnedPoster =
  (timeoutMs = 10_000, resolve: Resolver = systemResolver): WebhookPoster =>
  (text, body, headers, targets) =>
    new Promise((done, fail) => {
      const url = new URL(text);
      const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          lookup: pinnedLookup(url, targets, resolve),
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          res.resume();
          done({ status: res.statusCode ?? 0 });
        },
      );
      req.once('error', fail);
      req.end(body);
    });

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
 * Sends every due delivery once, to targets `targets` allows. A 2xx marks it delivered; anything else
 * (status, network error, a target refused) schedules the next attempt with backoff, and gives up after
 * `maxAttempts`.
 */
export async function deliverDue(
  store: WebhookStore,
  post: WebhookPoster,
  clock: Clock,
  targets: WebhookTargetPolicy,
  policy: RetryPolicy = DEFAULT_RETRY,
  limit = 50,
): Promise<{ delivered: number; retried: number; failed: number }> {
  const result = { delivered: 0, retried: 0, failed: 0 };
  for (const item of await store.dueDeliveries(clock.now(), limit)) {
    const timestamp = String(Math.floor(clock.now() / 1000));
    let status: number | null = null;
    let error: string;
    try {
      // Checked at every attempt: the settings may have changed since the webhook was saved.
      checkWebhookUrl(item.url, targets);
      const headers = {
        'Content-Type': 'application/json',
        'User-Agent': 'PatchLens-Webhook',
        [SIGNATURE_HEADER]: signPayload(item.secret, timestamp, item.body),
        [TIMESTAMP_HEADER]: timestamp,
        'X-PatchLens-Delivery': String(item.id),
      };
      status = (await post(item.url, item.body, headers, targets)).status;
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
