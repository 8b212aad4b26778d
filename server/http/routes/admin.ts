// Admin API: enrollment secrets, API tokens, users, device keys, re-enrollment decisions and the audit log (admin role, every change audited).
import express, { Router, type Request } from 'express';
import {
  auditQuerySchema,
  createApiTokenRequestSchema,
  createEnrollmentSecretRequestSchema,
  createUserRequestSchema,
  updateUserRequestSchema,
} from '../../../protocol/api';
import { principalName } from '../../security/authenticator';
import type { Actor } from '../../security/admin-service';
import { clientIp } from '../auth-guard';
import type { PlatformContext } from '../context';
import { apiTokenDto, auditDto, deviceKeyDto, enrollmentRequestDto, enrollmentSecretDto, openEnrollmentRequestDto, userDto } from '../dto';
import { idParam, parseInput } from '../validate';

export function adminRouter(ctx: PlatformContext): Router {
  const router = Router();
  router.use('/admin', express.json({ limit: '64kb' }), ctx.requireAuth('admin'));

  const actor = (req: Request, res: express.Response): Actor => ({ name: principalName(res.locals.principal!), ip: clientIp(req) });

  router.get('/admin/enrollment-secrets', async (_req, res) => {
    res.json({ items: (await ctx.storage.credentials.listEnrollmentSecrets()).map(enrollmentSecretDto) });
  });
  router.post('/admin/enrollment-secrets', async (req, res) => {
    const body = parseInput(createEnrollmentSecretRequestSchema, req.body ?? {}, 'enrollment secret');
    const { secret, info } = await ctx.admin.createEnrollmentSecret(actor(req, res), body);
    res.status(201).json({ secret, enrollmentSecret: enrollmentSecretDto(info) });
  });
  router.delete('/admin/enrollment-secrets/:id', async (req, res) => {
    await ctx.admin.revokeEnrollmentSecret(actor(req, res), idParam(req.params.id, 'enrollment secret'));
    res.status(204).end();
  });

  router.get('/admin/tokens', async (_req, res) => {
    res.json({ items: (await ctx.storage.credentials.listApiTokens()).map(apiTokenDto) });
  });
  router.post('/admin/tokens', async (req, res) => {
    const body = parseInput(createApiTokenRequestSchema, req.body, 'API token');
    const { token, info } = await ctx.admin.createApiToken(actor(req, res), body);
    res.status(201).json({ token, apiToken: apiTokenDto(info) });
  });
  router.delete('/admin/tokens/:id', async (req, res) => {
    await ctx.admin.revokeApiToken(actor(req, res), idParam(req.params.id, 'API token'));
    res.status(204).end();
  });

  router.get('/admin/users', async (_req, res) => {
    res.json({ items: (await ctx.storage.users.list()).map(userDto) });
  });
  router.post('/admin/users', async (req, res) => {
    const body = parseInput(createUserRequestSchema, req.body, 'user');
    const { user, oneTimePassword } = await ctx.admin.createUser(actor(req, res), body);
    res.status(201).json(oneTimePassword ? { user: userDto(user), oneTimePassword } : { user: userDto(user) });
  });
  router.patch('/admin/users/:id', async (req, res) => {
    const body = parseInput(updateUserRequestSchema, req.body, 'user change');
    res.json({ user: userDto(await ctx.admin.updateUser(actor(req, res), idParam(req.params.id, 'user'), body)) });
  });
  router.post('/admin/users/:id/reset-password', async (req, res) => {
    const { user, oneTimePassword } = await ctx.admin.resetPassword(actor(req, res), idParam(req.params.id, 'user'));
    res.json({ user: userDto(user), oneTimePassword });
  });

  router.get('/admin/devices/:id/keys', async (req, res) => {
    res.json({ items: (await ctx.storage.credentials.listDeviceKeys(String(req.params.id))).map(deviceKeyDto) });
  });
  router.post('/admin/devices/:id/revoke-keys', async (req, res) => {
    const deviceId = String(req.params.id);
    res.json({ deviceId, revoked: await ctx.admin.revokeDeviceKeys(actor(req, res), deviceId) });
  });

  router.get('/admin/enrollment-requests', async (_req, res) => {
    res.json({ items: (await ctx.storage.enrollmentRequests.listOpen(ctx.clock.now())).map(openEnrollmentRequestDto) });
  });
  router.post('/admin/enrollment-requests/:id/approve', async (req, res) => {
    const { request, revokedKeys, rejected } = await ctx.admin.approveEnrollmentRequest(actor(req, res), idParam(req.params.id, 're-enrollment request'));
    res.json({ request: enrollmentRequestDto(request), revokedKeys, rejectedRequests: rejected });
  });
  router.post('/admin/enrollment-requests/:id/reject', async (req, res) => {
    const request = await ctx.admin.rejectEnrollmentRequest(actor(req, res), idParam(req.params.id, 're-enrollment request'));
    res.json({ request: enrollmentRequestDto(request) });
  });

  router.get('/admin/audit', async (req, res) => {
    const query = parseInput(auditQuerySchema, req.query, 'audit query');
    const items = await ctx.storage.audit.list({
      limit: query.limit + 1,
      ...(query.cursor !== undefined ? { before: query.cursor } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
    });
    const page = items.slice(0, query.limit);
    res.json({ items: page.map(auditDto), nextCursor: items.length > query.limit ? String(page[page.length - 1]!.id) : null });
  });

  return router;
}
