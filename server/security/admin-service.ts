// Admin actions shared by the admin API and `npm run admin`: secrets, tokens, users, device keys, re-enrollments — each audited.
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import { AppError } from '../errors';
import type { ApiTokenInfo, EnrollmentRequestInfo, EnrollmentSecretInfo, Role, Storage, UserRecord } from '../storage/repository';
import { decoyPasswordHash, hashPassword } from './passwords';
import { CREDENTIAL_PREFIX, generateCredential, generatePassword, hashCredential } from './secrets';

/** Who performs an action: a username, `token:NAME`, or `cli` for the admin command. */
export interface Actor {
  name: string;
  ip: string | null;
}

export class AdminService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    /** Told when sessions or tokens end, so live sockets using them close (absent in the CLI). */
    private readonly bus: EventBus | null = null,
  ) {}

  private async endSessionsOf(userId: number): Promise<void> {
    await this.storage.sessions.deleteForUser(userId);
    this.bus?.publish('credentials.ended', { userId });
  }

  async audit(actor: Actor, action: string, target: string | null, details?: unknown): Promise<void> {
    await this.storage.audit.append({ at: this.clock.now(), actor: actor.name, action, target, details: details ?? null, ip: actor.ip });
  }

  async createEnrollmentSecret(actor: Actor, input: { name: string; expiresInDays?: number | undefined }): Promise<{ secret: string; info: EnrollmentSecretInfo }> {
    const secret = generateCredential(CREDENTIAL_PREFIX.enrollSecret);
    const now = this.clock.now();
    const info = await this.storage.credentials.createEnrollmentSecret({
      name: input.name,
      secretHash: hashCredential(secret),
      createdBy: actor.name,
      expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
      now,
    });
    await this.audit(actor, 'enrollment_secret.create', `enrollment_secret:${info.id}`, { name: info.name, expiresAt: info.expiresAt });
    return { secret, info };
  }

  async revokeEnrollmentSecret(actor: Actor, id: number): Promise<void> {
    if (!(await this.storage.credentials.revokeEnrollmentSecret(id, this.clock.now()))) {
      throw new AppError(404, 'not_found', `No active enrollment secret with id ${id}.`);
    }
    await this.audit(actor, 'enrollment_secret.revoke', `enrollment_secret:${id}`);
  }

  async createApiToken(actor: Actor, input: { name: string; role: Role }): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = generateCredential(CREDENTIAL_PREFIX.apiToken);
    const info = await this.storage.credentials.createApiToken({
      name: input.name,
      role: input.role,
      tokenHash: hashCredential(token),
      createdBy: actor.name,
      now: this.clock.now(),
    });
    await this.audit(actor, 'api_token.create', `api_token:${info.id}`, { name: info.name, role: info.role });
    return { token, info };
  }

  async revokeApiToken(actor: Actor, id: number): Promise<void> {
    if (!(await this.storage.credentials.revokeApiToken(id, this.clock.now()))) {
      throw new AppError(404, 'not_found', `No active API token with id ${id}.`);
    }
    this.bus?.publish('credentials.ended', { tokenId: id });
    await this.audit(actor, 'api_token.revoke', `api_token:${id}`);
  }

  async revokeDeviceKeys(actor: Actor, deviceId: string): Promise<number> {
    const revoked = await this.storage.credentials.revokeDeviceKeys(deviceId, this.clock.now());
    await this.audit(actor, 'device_keys.revoke', `device:${deviceId}`, { revoked });
    return revoked;
  }

  /**
   * Approves a pending re-enrollment: the device's current keys are revoked at once, its other open
   * requests are rejected, and the waiting agent receives a new key at its next poll.
   */
  async approveEnrollmentRequest(actor: Actor, id: number): Promise<{ request: EnrollmentRequestInfo; revokedKeys: number; rejected: number[] }> {
    await this.requireRequest(id);
    const decided = await this.storage.enrollmentRequests.approve(id, actor.name, this.clock.now());
    if (!decided) throw new AppError(409, 'conflict', `Re-enrollment request ${id} is not pending (already decided or expired).`);
    const { request, revokedKeys, rejected } = decided;
    await this.audit(actor, 'enrollment_request.approve', `device:${request.deviceId}`, {
      requestId: id,
      hostname: request.hostname,
      ip: request.ip,
      revokedKeys,
      rejectedRequests: rejected,
    });
    return decided;
  }

  /** Rejects a pending (or approved, not yet collected) re-enrollment; the device keeps its current key. */
  async rejectEnrollmentRequest(actor: Actor, id: number): Promise<EnrollmentRequestInfo> {
    await this.requireRequest(id);
    const request = await this.storage.enrollmentRequests.reject(id, actor.name, this.clock.now());
    if (!request) throw new AppError(409, 'conflict', `Re-enrollment request ${id} is no longer open (already decided, collected or expired).`);
    await this.audit(actor, 'enrollment_request.reject', `device:${request.deviceId}`, { requestId: id, hostname: request.hostname, ip: request.ip });
    return request;
  }

  private async requireRequest(id: number): Promise<EnrollmentRequestInfo> {
    const request = await this.storage.enrollmentRequests.get(id);
    if (!request) throw new AppError(404, 'not_found', `No re-enrollment request with id ${id}.`);
    return request;
  }

  /** Creates a user; without a password a one-time password is generated and must be changed at first login. */
  async createUser(actor: Actor, input: { username: string; role: Role; password?: string | undefined }): Promise<{ user: UserRecord; oneTimePassword?: string }> {
    if (await this.storage.users.byUsername(input.username)) {
      throw new AppError(409, 'conflict', `A user named ${input.username} already exists.`);
    }
    const oneTimePassword = input.password === undefined ? generatePassword() : undefined;
    const user = await this.storage.users.create({
      username: input.username,
      passwordHash: await hashPassword(input.password ?? oneTimePassword!),
      role: input.role,
      mustChangePassword: oneTimePassword !== undefined,
      now: this.clock.now(),
    });
    await this.audit(actor, 'user.create', `user:${user.username}`, { role: user.role });
    return oneTimePassword === undefined ? { user } : { user, oneTimePassword };
  }

  /** Role change and enable/disable; the last enabled admin cannot lose admin rights. Disabling ends sessions. */
  async updateUser(actor: Actor, id: number, changes: { role?: Role | undefined; disabled?: boolean | undefined }): Promise<UserRecord> {
    const user = await this.requireUser(id);
    const losesAdmin = user.role === 'admin' && user.disabledAt === null && (changes.role === 'viewer' || changes.disabled === true);
    if (losesAdmin && (await this.storage.users.countActiveAdmins()) <= 1) {
      throw new AppError(409, 'conflict', 'This is the last enabled admin; create or enable another admin first.');
    }
    const disabledAt = changes.disabled === undefined ? undefined : changes.disabled ? (user.disabledAt ?? this.clock.now()) : null;
    const updated = (await this.storage.users.update(id, { ...(changes.role ? { role: changes.role } : {}), ...(disabledAt !== undefined ? { disabledAt } : {}) }))!;
    if (changes.disabled === true || (changes.role && changes.role !== user.role)) await this.endSessionsOf(id);
    await this.audit(actor, 'user.update', `user:${user.username}`, changes);
    return updated;
  }

  /** Sets a new one-time password, ends the user's sessions, clears sign-in locks, and returns the password once. */
  async resetPassword(actor: Actor, id: number): Promise<{ user: UserRecord; oneTimePassword: string }> {
    const user = await this.requireUser(id);
    const oneTimePassword = generatePassword();
    await this.storage.users.setPassword(id, await hashPassword(oneTimePassword), true, this.clock.now());
    await this.endSessionsOf(id);
    const locksCleared = await this.storage.throttle.clearAccount(user.username.toLowerCase());
    await this.audit(actor, 'user.reset_password', `user:${user.username}`, { locksCleared });
    return { user: (await this.storage.users.byId(id))!, oneTimePassword };
  }

  /**
   * Clears the user's sign-in failure counts and locks (account-wide, per address, per session).
   * They live in the database, so a running server sees it at the next attempt.
   */
  async unlockUser(actor: Actor, id: number): Promise<number> {
    const user = await this.requireUser(id);
    const locksCleared = await this.storage.throttle.clearAccount(user.username.toLowerCase());
    await this.audit(actor, 'user.unlock', `user:${user.username}`, { locksCleared });
    return locksCleared;
  }

  /**
   * On a database without users, creates `admin`: with `password` when given (PATCHLENS_ADMIN_PASSWORD),
   * else with a one-time password the caller prints once. Returns null when users already exist.
   */
  async ensureInitialAdmin(password: string | undefined): Promise<{ username: string; oneTimePassword: string | null } | null> {
    if ((await this.storage.users.count()) > 0) return null;
    void decoyPasswordHash();
    const { oneTimePassword } = await this.createUser({ name: 'system', ip: null }, { username: 'admin', role: 'admin', password });
    return { username: 'admin', oneTimePassword: oneTimePassword ?? null };
  }

  private async requireUser(id: number): Promise<UserRecord> {
    const user = await this.storage.users.byId(id);
    if (!user) throw new AppError(404, 'not_found', `No user with id ${id}.`);
    return user;
  }
}
