// Drains the spool oldest first; handles acknowledgements, rejections, revoked keys (re-enrollment) and back-pressure.
import { postReport, requestDeviceKey } from './api';
import type { Spool } from './spool';
import type { Transport } from './transport';
import type { AgentLogger } from '../log';
import type { SystemAdapter } from '../windows/adapter';
import { forgetDeviceKey, readDeviceKey, writeDeviceKey } from '../state/device-key';

export interface SenderDeps {
  spool: Spool;
  transport: Transport;
  stateDir: string;
  adapter: SystemAdapter;
  log: AgentLogger;
  now: () => Date;
  /** Fleet enrollment secret, when configured: allows enrolling and re-enrolling without an admin. */
  secret: string | null;
  deviceId: string;
  hostname: string;
}

export type DrainStop =
  | { reason: 'retry'; retryAfterMs: number | null; detail: string }
  | { reason: 'unauthorized'; detail: string }
  | { reason: 'not-enrolled'; detail: string };

export interface DrainResult {
  acknowledged: string[];
  duplicates: number;
  remaining: number;
  stopped: DrainStop | null;
}

/** Enrolls this device and stores its key (owner-only). Returns the key. */
export async function enrollDevice(
  deps: Pick<SenderDeps, 'transport' | 'stateDir' | 'adapter' | 'now' | 'deviceId' | 'hostname'>,
  secret: string,
): Promise<string> {
  const deviceKey = await requestDeviceKey(deps.transport, { secret, deviceId: deps.deviceId, hostname: deps.hostname });
  await writeDeviceKey(
    deps.stateDir,
    { server: deps.transport.serverUrl, deviceId: deps.deviceId, hostname: deps.hostname, deviceKey, enrolledAt: deps.now().toISOString() },
    deps.adapter,
  );
  return deviceKey;
}

/**
 * Sends spooled reports in sequence order and deletes each only after the server acknowledged it
 * (202, or 200 duplicate: a report whose ack was lost to a crash is recognised by its reportId).
 * Stops at the first answer that says "later" so order is preserved.
 */
export async function drainSpool(deps: SenderDeps): Promise<DrainResult> {
  const { spool, log } = deps;
  const result: DrainResult = { acknowledged: [], duplicates: 0, remaining: 0, stopped: null };
  let key: string | null;
  try {
    key = await currentKey(deps);
  } catch (error) {
    result.remaining = spool.entries().length;
    result.stopped = { reason: 'retry', retryAfterMs: null, detail: (error as Error).message };
    return result;
  }
  if (key === null) {
    result.remaining = spool.entries().length;
    result.stopped = { reason: 'not-enrolled', detail: "this device is not enrolled: run 'agent enroll --server URL --secret S'" };
    return result;
  }
  let reEnrolled = false;
  const entries = spool.entries();
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    if (entry === undefined) break;
    const spooled = spool.read(entry);
    if (spooled === null) continue; // quarantined with a warning
    const outcome = await postReport(deps.transport, key, spooled.body, deps.now);
    if (outcome.kind === 'accepted') {
      spool.remove(entry);
      result.acknowledged.push(entry.reportId);
      if (outcome.duplicate) result.duplicates++;
      continue;
    }
    if (outcome.kind === 'rejected') {
      log.error({ reportId: entry.reportId, reason: outcome.reason }, 'server rejected a report for good; it was set aside');
      spool.quarantine(entry, outcome.reason);
      continue;
    }
    if (outcome.kind === 'unauthorized') {
      if (deps.secret !== null && !reEnrolled) {
        log.warn({ reason: outcome.reason }, 'server no longer accepts this device key (revoked?); re-enrolling with the configured secret');
        reEnrolled = true;
        forgetDeviceKey(deps.stateDir);
        try {
          key = await enrollDevice(deps, deps.secret);
        } catch (error) {
          result.stopped = { reason: 'unauthorized', detail: `re-enrollment failed: ${(error as Error).message}` };
          break;
        }
        index--; // send the same report again with the new key
        continue;
      }
      const detail =
        deps.secret === null
          ? `server refused the device key (${outcome.reason}); the key was revoked: run 'agent enroll' again or configure enrollmentSecret`
          : `server refused the device key right after re-enrollment (${outcome.reason})`;
      log.error(detail);
      result.stopped = { reason: 'unauthorized', detail };
      break;
    }
    result.stopped = { reason: 'retry', retryAfterMs: outcome.retryAfterMs, detail: outcome.reason };
    break;
  }
  result.remaining = spool.entries().length;
  return result;
}

/** The stored key; with a configured secret and no key yet, enroll on the spot (zero-touch deployment). */
async function currentKey(deps: SenderDeps): Promise<string | null> {
  const stored = readDeviceKey(deps.stateDir);
  if (stored !== null) return stored.deviceKey;
  if (deps.secret === null) return null;
  deps.log.info('no device key yet; enrolling with the configured secret');
  return enrollDevice(deps, deps.secret);
}
