// Works out who is calling from request headers: a dashboard session cookie or a `Bearer` API token.
import { parse as parseCookieHeader } from 'cookie';
import type { Clock } from '../clock';
import { SESSION_COOKIE } from '../../protocol/api';
import type { Role, SessionRecord, Storage } from '../storage/repository';
import { hashCredential } from './secrets';
import type { SessionService } from './sessions';

export type Principal =
  | { kind: 'user'; userId: number; username: string; role: Role; mustChangePassword: boolean; session: SessionRecord }
  | { kind: 'token'; tokenId: number; name: string; role: Role };

/** The dashboard session id in a Cookie header (the first one when a client sends several), or null. */
export function sessionIdOf(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  return parseCookieHeader(cookieHeader)[SESSION_COOKIE] || null;
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** Why a credential stopped holding: the session outlived its lifetime, or it was ended or revoked. */
export type CredentialEnd = 'expired' | 'revoked';

export function principalName(principal: Principal): string {
  return principal.kind === 'user' ? principal.username : `token:${principal.name}`;
}

export class Authenticator {
  constructor(
    private readonly storage: Storage,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {}

  /** The API token in `Authorization: Bearer …`, or the session cookie; null when neither is valid. */
  async fromHeaders(headers: { authorization?: string | undefined; cookie?: string | undefined }): Promise<Principal | null> {
    const token = bearerToken(headers.authorization);
    if (token) return this.fromToken(token);
    const sessionId = sessionIdOf(headers.cookie);
    return sessionId ? this.fromSession(sessionId) : null;
  }

  async fromToken(token: string): Promise<Principal | null> {
    const info = await this.storage.credentials.useApiToken(hashCredential(token), this.clock.now());
    return info ? { kind: 'token', tokenId: info.id, name: info.name, role: info.role } : null;
  }

  async fromSession(sessionId: string): Promise<Principal | null> {
    const session = await this.sessions.resolve(sessionId);
    if (!session) return null;
    const user = await this.storage.users.byId(session.userId);
    if (!user || user.disabledAt !== null) {
      await this.sessions.destroy(session.idHash);
      return null;
    }
    return { kind: 'user', userId: user.id, username: user.username, role: user.role, mustChangePassword: user.mustChangePassword, session };
  }

  /**
   * The principals among these whose credential no longer holds, with the reason. Sessions and tokens
   * are each looked up in one query however many principals there are, and nothing is written (no
   * sliding expiry, no token use), so long-lived sockets can be re-checked cheaply and often. It reads
   * the database, so it also sees changes made by another process (`npm run admin`).
   */
  async endedCredentials(principals: readonly Principal[]): Promise<Map<Principal, CredentialEnd>> {
    const sessionHashes = new Set<string>();
    const tokenIds = new Set<number>();
    for (const p of principals) {
      if (p.kind === 'user') sessionHashes.add(p.session.idHash);
      else tokenIds.add(p.tokenId);
    }
    const [expiries, activeTokens] = await Promise.all([
      this.storage.sessions.expiriesOfLive([...sessionHashes]),
      this.storage.credentials.activeApiTokenIds([...tokenIds]),
    ]);
    const now = this.clock.now();
    const ended = new Map<Principal, CredentialEnd>();
    for (const p of principals) {
      if (p.kind === 'token') {
        if (!activeTokens.has(p.tokenId)) ended.set(p, 'revoked');
        continue;
      }
      const expiresAt = expiries.get(p.session.idHash);
      if (expiresAt === undefined) ended.set(p, 'revoked');
      else if (expiresAt <= now) ended.set(p, 'expired');
    }
    return ended;
  }
}
