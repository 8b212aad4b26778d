// The contract calls the agent makes (enroll, poll a waiting enrollment, post report) and what each answer means.
import * as z from 'zod';
import { enrollmentPendingSchema, enrollmentPollResponseSchema, enrollResponseSchema } from '../../protocol/api';
import { parseRetryAfter } from './backoff';
import { describeResponse, NetworkError, type HttpResponse, type RequestBody, type Transport } from './transport';

export type SendOutcome =
  | { kind: 'accepted'; duplicate: boolean }
  /** Try again later: server down, overloaded, or asked us to wait. */
  | { kind: 'retry'; retryAfterMs: number | null; reason: string }
  /** The device key is unknown or revoked. */
  | { kind: 'unauthorized'; reason: string }
  /** The server will never take this report (400, 413): keep it aside, do not block the queue. */
  | { kind: 'rejected'; reason: string };

const acceptedSchema = z.object({ duplicate: z.boolean().optional() }).loose();

function classify(response: HttpResponse, now: Date): SendOutcome {
  const { status } = response;
  if (status === 200 || status === 201 || status === 202) {
    const parsed = acceptedSchema.safeParse(safeJson(response.body));
    return { kind: 'accepted', duplicate: parsed.success ? (parsed.data.duplicate ?? status === 200) : status === 200 };
  }
  const reason = describeResponse(response);
  if (status === 401 || status === 403) return { kind: 'unauthorized', reason };
  if (status === 429 || status === 503) {
    return { kind: 'retry', retryAfterMs: parseRetryAfter(headerOf(response, 'retry-after'), now), reason };
  }
  if (status === 400 || status === 413 || status === 422) return { kind: 'rejected', reason };
  return { kind: 'retry', retryAfterMs: null, reason };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** POST /api/v1/reports with the spooled bytes as they are (what was fsynced is what is sent). */
export async function postReport(transport: Transport, deviceKey: string, body: RequestBody, now: () => Date): Promise<SendOutcome> {
  try {
    return classify(await transport.postJson('/api/v1/reports', body, deviceKey), now());
  } catch (error) {
    if (error instanceof NetworkError) return { kind: 'retry', retryAfterMs: null, reason: error.message };
    throw error;
  }
}

export class EnrollError extends Error {
  override name = 'EnrollError';
  constructor(
    message: string,
    /** The server could not be reached or asked to wait: the request may still be answered later. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** What `POST /agents/enroll` gave: a key at once (a new device id), or a re-enrollment waiting for an admin. */
export type EnrollAnswer =
  | { kind: 'enrolled'; deviceKey: string }
  | { kind: 'pending'; requestId: number; retryAfterMs: number | null };

/** POST /api/v1/agents/enroll: the fleet secret (and a pickup token for a wait) for this device's own key. */
export async function requestDeviceKey(
  transport: Transport,
  request: { secret: string; deviceId: string; hostname: string; pickupToken?: string },
): Promise<EnrollAnswer> {
  let response: HttpResponse;
  try {
    response = await transport.postJson('/api/v1/agents/enroll', JSON.stringify(request), null);
  } catch (error) {
    throw new EnrollError(`cannot reach ${transport.serverUrl}: ${(error as Error).message}`, true);
  }
  if (response.status === 202) {
    const parsed = enrollmentPendingSchema.safeParse(safeJson(response.body));
    if (!parsed.success) throw new EnrollError('enrollment answer 202 is not a pending re-enrollment');
    return { kind: 'pending', requestId: parsed.data.requestId, retryAfterMs: parsed.data.retryAfterSeconds * 1000 };
  }
  if (response.status !== 201 && response.status !== 200) {
    const hint = response.status === 401 || response.status === 403 ? ' (is the enrollment secret right?)' : '';
    const retryable = response.status === 429 || response.status >= 500;
    throw new EnrollError(`enrollment refused: ${describeResponse(response)}${hint}`, retryable);
  }
  const parsed = enrollResponseSchema.safeParse(safeJson(response.body));
  if (!parsed.success || parsed.data.deviceKey.length < 8) throw new EnrollError('enrollment answer has no deviceKey');
  return { kind: 'enrolled', deviceKey: parsed.data.deviceKey };
}

/** What became of a waiting re-enrollment, as the agent acts on it. */
export type PollAnswer =
  | { kind: 'approved'; deviceKey: string }
  | { kind: 'pending'; requestId: number; retryAfterMs: number | null }
  /** The server has no request for this token (`unknown`), or it ended without a key for us. */
  | { kind: 'rejected' | 'expired' | 'collected' | 'unknown' }
  /** Unreachable, overloaded or a strange answer: ask again later. */
  | { kind: 'retry'; retryAfterMs: number | null; reason: string };

/** POST /api/v1/agents/enroll/poll with the pickup token; the approved key comes only to its holder, once. */
export async function pollEnrollment(transport: Transport, pickupToken: string, now: () => Date): Promise<PollAnswer> {
  let response: HttpResponse;
  try {
    response = await transport.postJson('/api/v1/agents/enroll/poll', JSON.stringify({ pickupToken }), null);
  } catch (error) {
    if (error instanceof NetworkError) return { kind: 'retry', retryAfterMs: null, reason: error.message };
    throw error;
  }
  if (response.status === 404) return { kind: 'unknown' };
  const retryAfterMs = parseRetryAfter(headerOf(response, 'retry-after'), now());
  if (response.status !== 200) return { kind: 'retry', retryAfterMs, reason: describeResponse(response) };
  const parsed = enrollmentPollResponseSchema.safeParse(safeJson(response.body));
  if (!parsed.success) return { kind: 'retry', retryAfterMs, reason: 'the enrollment poll answer is not understood' };
  const answer = parsed.data;
  switch (answer.status) {
    case 'approved':
      return { kind: 'approved', deviceKey: answer.deviceKey };
    case 'pending':
      return { kind: 'pending', requestId: answer.requestId, retryAfterMs: retryAfterMs ?? answer.retryAfterSeconds * 1000 };
    default:
      return { kind: answer.status };
  }
}

function headerOf(response: HttpResponse, name: string): string | undefined {
  const header = response.headers[name];
  return Array.isArray(header) ? header[0] : header;
}
