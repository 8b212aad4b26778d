// Agent enrollment: a new device id gets its key at once; a known one waits for an admin and collects its key with a pickup token.
import type { EnrollmentPollResponse } from '../../protocol/api';
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { EnrollmentRequestInfo, Storage } from '../storage/repository';
import type { AdminService } from './admin-service';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from './secrets';

/** How long an agent waits between polls of a pending re-enrollment. */
export const ENROLLMENT_POLL_SECONDS = 60;
/** Open re-enrollment requests one device id may have at once; more get 429 until an admin decides. */
export const MAX_PENDING_PER_DEVICE = 5;
/** Decided or expired requests are kept this long (the agent learns the outcome), then deleted. */
const KEEP_DECIDED_MS = 30 * 86_400_000;

export type EnrollOutcome =
  | { kind: 'enrolled'; deviceKey: string }
  /** `pickupToken` is set when the server made it (the request carried none). */
  | { kind: 'pending'; request: EnrollmentRequestInfo; pickupToken?: string };

export interface EnrollInput {
  deviceId: string;
  hostname: string;
  pickupToken?: string | undefined;
  secretId: number;
  ip: string | null;
}

export class EnrollmentService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Writes the audit entries of requests and pickups. */
    private readonly admin: Pick<AdminService, 'audit'>,
    private readonly pendingTtlMs: number,
  ) {}

  /**
   * A device id never seen before gets its key now. A known one keeps its key: the request is stored
   * as pending for an admin, bound to the pickup token's hash. The same token again (an agent whose
   * answer was lost) finds the same request.
   */
  async enroll(input: EnrollInput): Promise<EnrollOutcome> {
    const now = this.clock.now();
    const deviceKey = generateCredential(CREDENTIAL_PREFIX.deviceKey);
    const issued = await this.storage.credentials.issueFirstDeviceKey({
      deviceId: input.deviceId,
      hostname: input.hostname,
      keyHash: hashCredential(deviceKey),
      secretId: input.secretId,
      now,
    });
    if (issued) return { kind: 'enrolled', deviceKey };

    const generated = input.pickupToken === undefined ? generateCredential('plp') : undefined;
    const pickupHash = hashCredential(input.pickupToken ?? generated!);
    const existing = await this.storage.enrollmentRequests.byPickupHash(pickupHash);
    if (existing) {
      if (existing.deviceId !== input.deviceId) throw new AppError(400, 'invalid_request', 'This pickup token belongs to another enrollment; make a new one.');
      return { kind: 'pending', request: existing };
    }
    if ((await this.storage.enrollmentRequests.countPending(input.deviceId, now)) >= MAX_PENDING_PER_DEVICE) {
      throw new AppError(
        429,
        'rate_limited',
        `Device ${input.deviceId} already has ${MAX_PENDING_PER_DEVICE} re-enrollments waiting for an admin; they must be decided first.`,
        undefined,
        { 'Retry-After': String(ENROLLMENT_POLL_SECONDS * 10) },
      );
    }
    await this.storage.enrollmentRequests.purge(now - KEEP_DECIDED_MS);
    const request = await this.storage.enrollmentRequests.create({
      deviceId: input.deviceId,
      hostname: input.hostname,
      secretId: input.secretId,
      ip: input.ip,
      pickupHash,
      now,
      expiresAt: now + this.pendingTtlMs,
    });
    await this.admin.audit({ name: 'agent', ip: input.ip }, 'enrollment_request.create', `device:${input.deviceId}`, {
      requestId: request.id,
      hostname: input.hostname,
      secretId: input.secretId,
    });
    return generated === undefined ? { kind: 'pending', request } : { kind: 'pending', request, pickupToken: generated };
  }

  /**
   * What became of the request this pickup token belongs to; null for an unknown token. An approved
   * request hands its key out here, once: the key is made now and only its hash is stored.
   */
  async poll(pickupToken: string, ip: string | null): Promise<EnrollmentPollResponse | null> {
    const now = this.clock.now();
    const request = await this.storage.enrollmentRequests.byPickupHash(hashCredential(pickupToken));
    if (!request) return null;
    const requestId = request.id;
    const open = request.status === 'pending' || request.status === 'approved';
    if (open && request.expiresAt <= now) return { status: 'expired', requestId };
    if (request.status === 'pending') {
      return { status: 'pending', requestId, expiresAt: new Date(request.expiresAt).toISOString(), retryAfterSeconds: ENROLLMENT_POLL_SECONDS };
    }
    if (request.status !== 'approved') return { status: request.status, requestId };
    const deviceKey = generateCredential(CREDENTIAL_PREFIX.deviceKey);
    const key = await this.storage.enrollmentRequests.collect(requestId, hashCredential(deviceKey), now);
    if (!key) return { status: 'collected', requestId };
    await this.admin.audit({ name: 'agent', ip }, 'enrollment_request.collect', `device:${request.deviceId}`, { requestId, keyId: key.id });
    return { status: 'approved', requestId, deviceKey };
  }
}
