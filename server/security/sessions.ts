// Dashboard sessions: random ids given to the browser, only their hashes stored, a CSRF token per session.
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import type { SessionRecord, SessionRepository } from '../storage/repository';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from './secrets';

/** Sliding expiry is written back at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export class SessionService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly bus: EventBus | null = null,
  ) {}

  /** A new session (login always creates one, so an id planted before login is never reused). */
  async create(userId: number): Promise<{ id: string; session: SessionRecord }> {
    const id = generateCredential(CREDENTIAL_PREFIX.session);
    const now = this.clock.now();
    const session: SessionRecord = {
      idHash: hashCredential(id),
      userId,
      csrfToken: generateCredential('csrf'),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.ttlMs,
    };
    await this.repo.create(session);
    return { id, session };
  }

  /** The live session for a cookie value, sliding its expiry; null when unknown or expired. */
  async resolve(id: string): Promise<SessionRecord | null> {
    const idHash = hashCredential(id);
    const session = await this.repo.get(idHash);
    const now = this.clock.now();
    if (!session) return null;
    if (session.expiresAt <= now) {
      await this.repo.delete(idHash);
      return null;
    }
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      session.lastSeenAt = now;
      session.expiresAt = now + this.ttlMs;
      await this.repo.touch(idHash, now, session.expiresAt);
    }
    return session;
  }

  async destroy(idHash: string): Promise<void> {
    await this.repo.delete(idHash);
    this.bus?.publish('credentials.ended', { sessionIdHash: idHash });
  }

  /** Ends every session of a user (password reset, disable). */
  async destroyAllFor(userId: number): Promise<number> {
    const ended = await this.repo.deleteForUser(userId);
    this.bus?.publish('credentials.ended', { userId });
    return ended;
  }
}
