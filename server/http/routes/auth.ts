// Dashboard sign-in: login (new session each time), logout, me, and password change.
import express, { Router, type Response } from 'express';
import { changePasswordRequestSchema, loginRequestSchema, SESSION_COOKIE, type SessionResponse } from '../../../protocol/api';
import { AppError } from '../../errors';
import { sessionIdOf } from '../../security/authenticator';
import type { Attempt, AttemptInput } from '../../security/login-throttle';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../../security/passwords';
import { hashCredential } from '../../security/secrets';
import type { UserRecord } from '../../storage/repository';
import { clientIp } from '../auth-guard';
import type { PlatformContext } from '../context';
import { sessionUserDto } from '../dto';
import { parseInput } from '../validate';

export function authRouter(ctx: PlatformContext): Router {
  const router = Router();
  const json = express.json({ limit: '16kb' });
  const cookiePath = `${ctx.config.basePath}/`;

  const setSessionCookie = (res: Response, id: string, secure: boolean) => {
    res.cookie(SESSION_COOKIE, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: cookiePath,
      maxAge: ctx.config.sessionTtlMs,
    });
  };

  const startSession = async (res: Response, user: UserRecord, secure: boolean): Promise<SessionResponse> => {
    const { id, session } = await ctx.sessions.create(user.id);
    setSessionCookie(res, id, secure);
    return { user: sessionUserDto(user), csrfToken: session.csrfToken };
  };

  const secureCookies = (req: express.Request) => ctx.config.secureCookies ?? req.secure;

  /**
   * Counts the attempt first (429 while locked), then checks the password through the hash gate
   * (429 when busy, and the attempt is taken back). A wrong password stays counted.
   */
  const checkPassword = async (input: AttemptInput, password: string, hash: () => Promise<string>): Promise<{ valid: boolean; attempt: Attempt }> => {
    const attempt = await ctx.loginThrottle.begin(input);
    try {
      const valid = await ctx.passwordGate.run(input.address, async () => verifyPassword(password, await hash()));
      return { valid, attempt };
    } catch (err) {
      await attempt.cancelled();
      throw err;
    }
  };

  router.post('/auth/login', json, async (req, res) => {
    const body = parseInput(loginRequestSchema, req.body, 'sign-in request');
    const user = await ctx.storage.users.byUsername(body.username);
    // Always run one scrypt so response time does not reveal whether the user exists.
    const { valid, attempt } = await checkPassword(
      { username: body.username, address: clientIp(req) },
      body.password,
      async () => user?.passwordHash ?? (await decoyPasswordHash()),
    );
    if (!user || !valid || user.disabledAt !== null) {
      throw new AppError(401, 'unauthenticated', 'Wrong username or password.');
    }
    await attempt.succeeded();
    // Rotation: a session presented at login is ended; the user always gets a fresh id.
    const previous = sessionIdOf(req.headers.cookie);
    if (previous) await ctx.sessions.destroy(hashCredential(previous));
    await ctx.storage.users.recordLogin(user.id, ctx.clock.now());
    res.json(await startSession(res, user, secureCookies(req)));
  });

  router.post('/auth/logout', ctx.requireAuth(undefined, { allowPasswordChange: true, sessionOnly: true }), async (_req, res) => {
    const principal = res.locals.principal;
    if (principal?.kind === 'user') await ctx.sessions.destroy(principal.session.idHash);
    res.clearCookie(SESSION_COOKIE, { path: cookiePath });
    res.status(204).end();
  });

  router.get('/auth/me', ctx.requireAuth(undefined, { allowPasswordChange: true, sessionOnly: true }), async (_req, res) => {
    const principal = res.locals.principal;
    if (principal?.kind !== 'user') throw new AppError(401, 'unauthenticated', 'No session.');
    const user = await ctx.storage.users.byId(principal.userId);
    if (!user) throw new AppError(401, 'unauthenticated', 'No session.');
    res.json({ user: sessionUserDto(user), csrfToken: principal.session.csrfToken } satisfies SessionResponse);
  });

  router.post('/auth/password', json, ctx.requireAuth(undefined, { allowPasswordChange: true, sessionOnly: true }), async (req, res) => {
    const principal = res.locals.principal;
    if (principal?.kind !== 'user') throw new AppError(401, 'unauthenticated', 'No session.');
    const body = parseInput(changePasswordRequestSchema, req.body, 'password change');
    const user = await ctx.storage.users.byId(principal.userId);
    if (!user) throw new AppError(401, 'unauthenticated', 'No session.');
    // Throttled like a sign-in, and per session too: a stolen session must not be a way to guess the password.
    const { valid, attempt } = await checkPassword(
      { username: user.username, address: clientIp(req), session: principal.session.idHash },
      body.currentPassword,
      async () => user.passwordHash,
    );
    if (!valid) {
      throw new AppError(400, 'invalid_request', 'The current password is wrong.', [{ path: 'currentPassword', message: 'wrong password' }]);
    }
    await attempt.succeeded();
    if (body.newPassword === body.currentPassword) {
      throw new AppError(400, 'invalid_request', 'The new password must differ from the current one.', [{ path: 'newPassword', message: 'unchanged' }]);
    }
    await ctx.storage.users.setPassword(user.id, await hashPassword(body.newPassword), false, ctx.clock.now());
    // Every other session of the user ends; this browser continues on a fresh session.
    await ctx.sessions.destroyAllFor(user.id);
    await ctx.admin.audit({ name: user.username, ip: clientIp(req) }, 'user.change_password', `user:${user.username}`);
    res.json(await startSession(res, (await ctx.storage.users.byId(user.id))!, secureCookies(req)));
  });

  return router;
}
