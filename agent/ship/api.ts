// The two contract calls the agent makes (enroll, post report) and what each answer means for the spool.
import * as z from 'zod';
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
    const header = response.headers['retry-after'];
    return { kind: 'retry', retryAfterMs: parseRetryAfter(Array.isArray(header) ? header[0] : header, now), reason };
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
}

const enrolledSchema = z.object({ deviceKey: z.string().min(8) }).loose();

/** POST /api/v1/agents/enroll: the fleet secret for this device's own key. */
export async function requestDeviceKey(
  transport: Transport,
  request: { secret: string; deviceId: string; hostname: string },
): Promise<string> {
  let response: HttpResponse;
  try {
    response = await transport.postJson('/api/v1/agents/enroll', JSON.stringify(request), null);
  } catch (error) {
    throw new EnrollError(`cannot reach ${transport.serverUrl}: ${(error as Error).message}`);
  }
  if (response.status !== 201 && response.status !== 200) {
    const hint = response.status === 401 || response.status === 403 ? ' (is the enrollment secret right?)' : '';
    throw new EnrollError(`enrollment refused: ${describeResponse(response)}${hint}`);
  }
  const parsed = enrolledSchema.safeParse(safeJson(response.body));
  if (!parsed.success) throw new EnrollError('enrollment answer has no deviceKey');
  return parsed.data.deviceKey;
}
