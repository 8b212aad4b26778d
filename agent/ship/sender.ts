// Drains the spool oldest first; handles acknowledgements, rejections, refused keys (re-enrollment) and back-pressure.
import { EnrollError, postReport } from './api';
import { currentDeviceKey, replaceRefusedKey, type EnrollmentDeps, type KeyWait } from './enrollment';
import type { Spool } from './spool';
import type { Transport } from './transport';
import type { AgentLogger } from '../log';
import type { SystemAdapter } from '../windows/adapter';

export { enrollDevice } from './enrollment';

export interface SenderDeps {
  spool: Spool;
  transport: Transport;
  stateDir: string;
  adapter: SystemAdapter;
  log: AgentLogger;
  now: () => Date;
  /** Fleet enrollment secret, when configured: allows enrolling, and asking to enroll again, without an operator. */
  secret: string | null;
  deviceId: string;
  hostname: string;
}

export type DrainStop = KeyWait | { reason: 'not-enrolled'; detail: string };

export interface DrainResult {
  acknowledged: string[];
  duplicates: number;
  remaining: number;
  stopped: DrainStop | null;
}

/** The key, or why sending waits; an enrollment that cannot reach the server is a retry, any other failure a refusal. */
async function settle(deps: EnrollmentDeps, find: () => Promise<string | KeyWait | null>): Promise<string | DrainStop> {
  try {
    const found = await find();
    return found ?? { reason: 'not-enrolled', detail: `device ${deps.deviceId} is not enrolled: run 'agent enroll --server URL --secret S'` };
  } catch (error) {
    const detail = `enrollment failed: ${(error as Error).message}`;
    return error instanceof EnrollError && !error.retryable ? { reason: 'unauthorized', detail } : { reason: 'retry', retryAfterMs: null, detail };
  }
}

/**
 * Sends spooled reports in sequence order and deletes each only after the server acknowledged it
 * (202, or 200 duplicate: a report whose ack was lost to a crash is recognised by its reportId).
 * Stops at the first answer that says "later" so order is preserved. While the key is refused or a
 * re-enrollment waits for an admin, reports stay in the spool and the stop says what to do.
 */
export async function drainSpool(deps: SenderDeps): Promise<DrainResult> {
  const { spool, log } = deps;
  const result: DrainResult = { acknowledged: [], duplicates: 0, remaining: 0, stopped: null };
  let key = await settle(deps, () => currentDeviceKey(deps, deps.secret));
  if (typeof key !== 'string') {
    if (key.reason !== 'retry') log.warn({ deviceId: deps.deviceId, waiting: spool.entries().length }, key.detail);
    result.remaining = spool.entries().length;
    result.stopped = key;
    return result;
  }
  let askedAgain = false;
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
      const replaced: string | DrainStop = askedAgain
        ? { reason: 'unauthorized', detail: `server refused the device key right after enrollment (${outcome.reason})` }
        : await settle(deps, () => replaceRefusedKey(deps, deps.secret, outcome.reason));
      askedAgain = true;
      if (typeof replaced === 'string') {
        key = replaced;
        index--; // send the same report again with the new key
        continue;
      }
      log.error({ deviceId: deps.deviceId, waiting: spool.entries().length }, replaced.detail);
      result.stopped = replaced;
      break;
    }
    result.stopped = { reason: 'retry', retryAfterMs: outcome.retryAfterMs, detail: outcome.reason };
    break;
  }
  result.remaining = spool.entries().length;
  return result;
}
