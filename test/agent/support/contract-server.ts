// A small but real implementation of the contract routes the agent uses (re-enrollment held for an admin included), with scriptable failures, for agent tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseReport, type Report } from '../../../protocol/report';

/** What the next report request gets instead of normal handling. */
export type ScriptedAnswer =
  | { status: 429 | 503; retryAfter?: string }
  | { status: 500 }
  /** Close the connection without an answer. */
  | { drop: true }
  /** Store the report, then close the connection before answering (a lost acknowledgement). */
  | { storeThenDrop: true }
  /** Answer normally after a delay. */
  | { delayMs: number };

export interface ContractServer {
  url: string;
  secret: string;
  /** Reports stored, in arrival order (deduplicated by reportId). */
  stored: Report[];
  /** Every POST /reports attempt with its outcome, including duplicates and scripted failures. */
  attempts: { reportId: string | null; status: number | 'dropped' }[];
  /** Device keys handed out, by device id. */
  keys: Map<string, string>;
  script: ScriptedAnswer[];
  /** Re-enrollments of known device ids waiting for a decision, by request id. */
  requests: Map<number, { deviceId: string; hostname: string; pickupToken: string; status: 'pending' | 'approved' | 'rejected' | 'collected' }>;
  /** Revokes the device's key; the id stays known, so enrolling it again waits for `approve`. */
  revoke(deviceId: string): void;
  /** The server forgets the device altogether (a lost database): enrolling it again gets a key at once. */
  forget(deviceId: string): void;
  approve(deviceId: string): void;
  reject(deviceId: string): void;
  close(): Promise<void>;
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error: { code, message } }, headers);
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startContractServer(options: { secret?: string; maxBodyBytes?: number; port?: number } = {}): Promise<ContractServer> {
  const secret = options.secret ?? 'fleet-secret-' + randomBytes(4).toString('hex');
  const keys = new Map<string, string>();
  const deviceOfKey = new Map<string, string>();
  const stored: Report[] = [];
  const seen = new Set<string>();
  const attempts: ContractServer['attempts'] = [];
  const script: ScriptedAnswer[] = [];
  const known = new Set<string>();
  const requests: ContractServer['requests'] = new Map();
  const revoke = (deviceId: string) => {
    const key = keys.get(deviceId);
    if (key) deviceOfKey.delete(key);
    keys.delete(deviceId);
  };
  const issue = (deviceId: string) => {
    revoke(deviceId);
    const key = 'dk_' + randomBytes(16).toString('hex');
    keys.set(deviceId, key);
    deviceOfKey.set(key, deviceId);
    return key;
  };
  const decide = (deviceId: string, status: 'approved' | 'rejected') => {
    for (const entry of requests.values()) if (entry.deviceId === deviceId && entry.status === 'pending') entry.status = status;
    if (status === 'approved') revoke(deviceId);
  };

  const server = http.createServer(async (request, response) => {
    const body = await readBody(request, options.maxBodyBytes ?? 8 * 1024 * 1024);
    if (request.method === 'POST' && request.url === '/api/v1/agents/enroll') {
      const parsed = safeJson(body ?? '') as { secret?: string; deviceId?: string; hostname?: string } | null;
      if (!parsed?.deviceId || !parsed.hostname) return sendError(response, 400, 'invalid_request', 'deviceId and hostname are required');
      if (parsed.secret !== secret) return sendError(response, 401, 'invalid_secret', 'enrollment secret is not valid');
      if (known.has(parsed.deviceId)) {
        const pickupToken = (parsed as { pickupToken?: string }).pickupToken ?? 'plp_' + randomBytes(32).toString('base64url');
        const requestId = requests.size + 1;
        requests.set(requestId, { deviceId: parsed.deviceId, hostname: parsed.hostname, pickupToken, status: 'pending' });
        const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
        return sendJson(response, 202, { status: 'pending', requestId, expiresAt, retryAfterSeconds: 60 }, { 'retry-after': '60' });
      }
      known.add(parsed.deviceId);
      return sendJson(response, 201, { deviceKey: issue(parsed.deviceId) });
    }
    if (request.method === 'POST' && request.url === '/api/v1/agents/enroll/poll') {
      const token = (safeJson(body ?? '') as { pickupToken?: string } | null)?.pickupToken;
      const found = [...requests].find(([, entry]) => entry.pickupToken === token);
      if (!found) return sendError(response, 404, 'not_found', 'no enrollment request for this pickup token');
      const [requestId, entry] = found;
      if (entry.status === 'pending') {
        return sendJson(response, 200, { status: 'pending', requestId, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), retryAfterSeconds: 60 }, { 'retry-after': '60' });
      }
      if (entry.status !== 'approved') return sendJson(response, 200, { status: entry.status, requestId });
      entry.status = 'collected';
      return sendJson(response, 200, { status: 'approved', requestId, deviceKey: issue(entry.deviceId) });
    }
    if (request.method === 'POST' && request.url === '/api/v1/reports') {
      if (body === null) return sendError(response, 413, 'payload_too_large', 'report too large');
      const scripted = script.shift();
      const reportId = (safeJson(body) as { reportId?: string } | null)?.reportId ?? null;
      if (scripted && 'drop' in scripted) {
        attempts.push({ reportId, status: 'dropped' });
        request.socket.destroy();
        return;
      }
      if (scripted && 'status' in scripted) {
        attempts.push({ reportId, status: scripted.status });
        const headers: Record<string, string> = 'retryAfter' in scripted && scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {};
        return sendError(response, scripted.status, scripted.status === 429 ? 'rate_limited' : 'overloaded', 'try later', headers);
      }
      if (scripted && 'delayMs' in scripted) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
      const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const device = auth ? deviceOfKey.get(auth) : undefined;
      if (!device) {
        attempts.push({ reportId, status: 401 });
        return sendError(response, 401, 'invalid_device_key', 'device key is unknown or revoked');
      }
      const parsed = parseReport(safeJson(body));
      if (!parsed.ok) {
        attempts.push({ reportId, status: 400 });
        return sendJson(response, 400, { error: { code: 'invalid_report', message: 'report does not match Report v1', details: parsed.issues } });
      }
      if (parsed.report.device.id !== device) {
        attempts.push({ reportId, status: 403 });
        return sendError(response, 403, 'device_mismatch', 'report is for another device');
      }
      const duplicate = seen.has(parsed.report.reportId);
      if (!duplicate) {
        seen.add(parsed.report.reportId);
        stored.push(parsed.report);
      }
      if (scripted && 'storeThenDrop' in scripted) {
        attempts.push({ reportId, status: 'dropped' });
        request.socket.destroy();
        return;
      }
      attempts.push({ reportId, status: duplicate ? 200 : 202 });
      return duplicate
        ? sendJson(response, 200, { reportId: parsed.report.reportId, duplicate: true })
        : sendJson(response, 202, { reportId: parsed.report.reportId, duplicate: false });
    }
    sendError(response, 404, 'not_found', 'no such route');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  server.unref(); // a failed assertion that skips close() must not keep the test process alive
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    stored,
    attempts,
    keys,
    script,
    requests,
    revoke,
    forget(deviceId: string) {
      revoke(deviceId);
      known.delete(deviceId);
    },
    approve: (deviceId: string) => decide(deviceId, 'approved'),
    reject: (deviceId: string) => decide(deviceId, 'rejected'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
