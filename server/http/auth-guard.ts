// The route guard: who is calling (session cookie or API token), CSRF on unsafe session requests, and role checks.
import type { Request, RequestHandler } from 'express';
import { CSRF_HEADER } from '../../protocol/api';
import { AppError } from '../errors';
import { constantTimeEqual } from '../security/secrets';
import type { Authenticator, Principal } from '../security/authenticator';
import type { Role } from '../storage/repository';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      principal?: Principal;
    }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ROLE_RANK: Record<Role, number> = { viewer: 1, admin: 2 };

export interface GuardOptions {
  /** Let a user who must change the password through (the password and session routes). */
  allowPasswordChange?: boolean;
  /** Only dashboard sessions, not API tokens. */
  sessionOnly?: boolean;
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function createAuthGuard(auth: Authenticator) {
  return function requireAuth(role?: Role, options: GuardOptions = {}): RequestHandler {
    return async (req, res, next) => {
      try {
        const principal = res.locals.principal ?? (await auth.fromHeaders(req.headers));
        if (!principal) throw new AppError(401, 'unauthenticated', 'Sign in or send an API token (Authorization: Bearer TOKEN).');
        if (options.sessionOnly && principal.kind !== 'user') {
          throw new AppError(403, 'forbidden', 'This route needs a dashboard session, not an API token.');
        }
        if (principal.kind === 'user' && !SAFE_METHODS.has(req.method)) {
          const sent = req.get(CSRF_HEADER);
          if (!sent || !constantTimeEqual(sent, principal.session.csrfToken)) {
            throw new AppError(403, 'csrf_failed', `Missing or wrong ${CSRF_HEADER} header; use the csrfToken from /auth/me.`);
          }
        }
        if (principal.kind === 'user' && principal.mustChangePassword && !options.allowPasswordChange) {
          throw new AppError(403, 'forbidden', 'Change your one-time password first (POST /api/v1/auth/password).');
        }
        if (role && ROLE_RANK[principal.role] < ROLE_RANK[role]) {
          throw new AppError(403, 'forbidden', `This needs the ${role} role.`);
        }
        res.locals.principal = principal;
        next();
      } catch (err) {
        next(err);
      }
    };
  };
}
