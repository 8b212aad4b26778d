// GET /alerts, and /webhooks for admins (the secret is shown once, at creation).
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { alertKindSchema, webhookInputSchema } from '../../../../protocol/fleet-api';
import { AppError } from '../../../errors';
import { principalName } from '../../../security/authenticator';
import { idParam, parseInput } from '../../validate';
import type { FleetRoutes } from './index';

const alertQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  kind: alertKindSchema.optional(),
  open: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});
const webhookPatchSchema = webhookInputSchema.partial();

export function alertRoutes({ router, ctx, fleet, viewer, admin, json, actor }: FleetRoutes): void {
  router.get('/alerts', viewer, async (req, res) => {
    const query = parseInput(alertQuerySchema, req.query, 'alert query');
    const items = await fleet.alerts.list(query);
    res.json({ items, nextCursor: items.length === query.limit ? String(items[items.length - 1]!.id) : null });
  });

  router.get('/webhooks', admin, async (_req, res) => {
    res.json({ items: await fleet.webhooks.list() });
  });
  router.post('/webhooks', json, admin, async (req, res) => {
    const input = parseInput(webhookInputSchema, req.body ?? {}, 'webhook');
    const secret = input.secret ?? randomBytes(24).toString('base64url');
    const webhook = await fleet.webhooks.create({ url: input.url, secret, kinds: input.kinds, enabled: input.enabled }, principalName(res.locals.principal!));
    await ctx.admin.audit(actor(req, res), 'webhook.create', `webhook:${webhook.id}`, { url: webhook.url, kinds: webhook.kinds });
    res.status(201).json({ webhook, secret });
  });
  router.patch('/webhooks/:id', json, admin, async (req, res) => {
    const id = idParam(req.params.id, 'webhook');
    const input = parseInput(webhookPatchSchema, req.body ?? {}, 'webhook');
    const webhook = await fleet.webhooks.update(id, input);
    if (!webhook) throw new AppError(404, 'not_found', `No webhook with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'webhook.update', `webhook:${id}`, { ...input, secret: input.secret ? '(changed)' : undefined });
    res.json({ webhook });
  });
  router.delete('/webhooks/:id', admin, async (req, res) => {
    const id = idParam(req.params.id, 'webhook');
    if (!(await fleet.webhooks.remove(id))) throw new AppError(404, 'not_found', `No webhook with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'webhook.delete', `webhook:${id}`);
    res.status(204).end();
  });
}
