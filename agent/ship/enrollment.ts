// Getting and keeping a device key: enroll, and when the server holds a re-enrollment for an admin, wait and collect the key.
import { randomBytes } from 'node:crypto';
import type { AgentLogger } from '../log';
import { forgetDeviceKey, readDeviceKey, writeDeviceKey } from '../state/device-key';
import { forgetPendingEnrollment, readPendingEnrollment, writePendingEnrollment, type PendingEnrollment } from '../state/pending-enrollment';
import type { SystemAdapter } from '../windows/adapter';
import { pollEnrollment, requestDeviceKey } from './api';
import type { Transport } from './transport';

export interface EnrollmentDeps {
  transport: Transport;
  stateDir: string;
  adapter: SystemAdapter;
  log: AgentLogger;
  now: () => Date;
  deviceId: string;
  hostname: string;
}

export type EnrollResult =
  | { kind: 'enrolled'; deviceKey: string }
  /** The device id is already enrolled: an admin must approve; the agent collects the key by itself. */
  | { kind: 'pending'; requestId: number; retryAfterMs: number | null };

/** Why sending must wait for the key, as the spool drain reports it. */
export type KeyWait =
  | { reason: 'pending-approval'; retryAfterMs: number | null; detail: string }
  | { reason: 'unauthorized'; detail: string }
  | { reason: 'retry'; retryAfterMs: number | null; detail: string };

/** The operator's instruction while a re-enrollment waits: who must do what, and that nothing is lost meanwhile. */
export function awaitingApproval(deviceId: string, requestId: number, retryAfterMs: number | null): KeyWait {
  return {
    reason: 'pending-approval',
    retryAfterMs,
    detail:
      `device ${deviceId} is already enrolled, so its re-enrollment (request ${requestId}) waits for an admin: approve it on the dashboard's ` +
      `Admin page or with 'npm run admin -- enrollment approve ${requestId}'; reports stay in the spool and the agent collects its new key by itself once approved`,
  };
}

function rejected(deviceId: string): KeyWait {
  return {
    reason: 'unauthorized',
    detail:
      `an admin rejected the re-enrollment of device ${deviceId}; reports stay in the spool. If this host is ${deviceId}, ` +
      "run 'agent enroll --secret SECRET' to ask again and have an admin approve it",
  };
}

async function storeKey(deps: Omit<EnrollmentDeps, 'log'>, deviceKey: string): Promise<void> {
  await writeDeviceKey(
    deps.stateDir,
    { server: deps.transport.serverUrl, deviceId: deps.deviceId, hostname: deps.hostname, deviceKey, enrolledAt: deps.now().toISOString() },
    deps.adapter,
  );
}

/**
 * Trades the fleet secret for this device's key. A device id the server already knows keeps its key
 * there: the request waits for an admin, and this agent keeps the one-time pickup token it sent
 * (owner-only, like the key) to collect the key once approved.
 */
export async function enrollDevice(deps: Omit<EnrollmentDeps, 'log'>, secret: string): Promise<EnrollResult> {
  const pickupToken = randomBytes(32).toString('base64url');
  const answer = await requestDeviceKey(deps.transport, { secret, deviceId: deps.deviceId, hostname: deps.hostname, pickupToken });
  if (answer.kind === 'enrolled') {
    await storeKey(deps, answer.deviceKey);
    forgetPendingEnrollment(deps.stateDir);
    return answer;
  }
  const pending: PendingEnrollment = {
    server: deps.transport.serverUrl,
    deviceId: deps.deviceId,
    hostname: deps.hostname,
    pickupToken,
    requestId: answer.requestId,
    requestedAt: deps.now().toISOString(),
    status: 'waiting',
  };
  await writePendingEnrollment(deps.stateDir, pending, deps.adapter);
  return answer;
}

/**
 * The key to send with: a waiting re-enrollment is polled first (and its key stored once approved),
 * then the stored key, then — with a configured secret and no key — a new enrollment. Returns a
 * `KeyWait` when sending has to wait, null when the device is not enrolled and has no secret.
 */
export async function currentDeviceKey(deps: EnrollmentDeps, secret: string | null): Promise<string | KeyWait | null> {
  let pending = readPendingEnrollment(deps.stateDir);
  if (pending?.status === 'waiting') {
    const answer = await pollEnrollment(deps.transport, pending.pickupToken, deps.now);
    switch (answer.kind) {
      case 'approved':
        await storeKey(deps, answer.deviceKey);
        forgetPendingEnrollment(deps.stateDir);
        deps.log.info({ deviceId: deps.deviceId, requestId: pending.requestId }, 'an admin approved the re-enrollment; new device key stored');
        return answer.deviceKey;
      case 'rejected':
        pending = { ...pending, status: 'rejected' };
        await writePendingEnrollment(deps.stateDir, pending, deps.adapter);
        break;
      case 'expired':
      case 'collected':
      case 'unknown':
        deps.log.warn({ deviceId: deps.deviceId, requestId: pending.requestId, outcome: answer.kind }, 'the waiting re-enrollment ended without a key for this agent');
        forgetPendingEnrollment(deps.stateDir);
        pending = null;
        break;
      default: {
        // Still waiting, or the server cannot say now: a stored key may still work meanwhile.
        const stored = readDeviceKey(deps.stateDir);
        if (stored !== null) return stored.deviceKey;
        return answer.kind === 'pending'
          ? awaitingApproval(deps.deviceId, answer.requestId, answer.retryAfterMs)
          : { reason: 'retry', retryAfterMs: answer.retryAfterMs, detail: answer.reason };
      }
    }
  }
  const stored = readDeviceKey(deps.stateDir);
  if (stored !== null) return stored.deviceKey;
  if (pending?.status === 'rejected') return rejected(deps.deviceId);
  if (secret === null) return null;
  deps.log.info('no device key yet; enrolling with the configured secret');
  return keyOrWait(deps, await enrollDevice(deps, secret));
}

/**
 * After the server refused the stored key (401): with a configured secret, asks to enroll again
 * (the server holds it for an admin when the device id is known) unless a request already waits or
 * was rejected; otherwise says what the operator must do. The key or why sending waits.
 */
export async function replaceRefusedKey(deps: EnrollmentDeps, secret: string | null, reason: string): Promise<string | KeyWait> {
  const pending = readPendingEnrollment(deps.stateDir);
  if (pending !== null || secret !== null) forgetDeviceKey(deps.stateDir); // refused for good; a new one comes from the server
  if (pending?.status === 'rejected') return rejected(deps.deviceId);
  if (pending?.status === 'waiting') return awaitingApproval(deps.deviceId, pending.requestId, null);
  if (secret === null) {
    return {
      reason: 'unauthorized',
      detail:
        `the server refused the key of device ${deps.deviceId} (${reason}): an admin revoked it or the server does not know it. ` +
        `Run 'agent enroll --secret SECRET' on this host; for an enrolled device an admin must then approve the re-enrollment. Reports stay in the spool`,
    };
  }
  deps.log.warn({ deviceId: deps.deviceId, reason }, 'server no longer accepts this device key (revoked?); re-enrolling with the configured secret (a known device id waits for an admin to approve)');
  return keyOrWait(deps, await enrollDevice(deps, secret));
}

function keyOrWait(deps: EnrollmentDeps, result: EnrollResult): string | KeyWait {
  return result.kind === 'enrolled' ? result.deviceKey : awaitingApproval(deps.deviceId, result.requestId, result.retryAfterMs);
}
