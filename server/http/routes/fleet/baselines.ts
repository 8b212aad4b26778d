// /baselines: each baseline's compliance, and an admin's create, update and delete (audited).
import { baselineInputSchema } from '../../../../protocol/fleet-api';
import { AppError } from '../../../errors';
import { principalName } from '../../../security/authenticator';
import { idParam, parseInput } from '../../validate';
import type { FleetRoutes } from './index';

export function baselineRoutes({ router, ctx, fleet, viewer, admin, json, actor }: FleetRoutes): void {
  router.get('/baselines', viewer, async (_req, res) => {
    res.json({ items: await fleet.baselines.compliance() });
  });
  router.post('/baselines', json, admin, async (req, res) => {
    const input = parseInput(baselineInputSchema, req.body ?? {}, 'baseline');
    const baseline = await fleet.baselines.create(input, principalName(res.locals.principal!));
    await ctx.admin.audit(actor(req, res), 'baseline.create', `baseline:${baseline.id}`, input);
    res.status(201).json({ baseline });
  });
  router.put('/baselines/:id', json, admin, async (req, res) => {
    const id = idParam(req.params.id, 'baseline');
    const input = parseInput(baselineInputSchema, req.body ?? {}, 'baseline');
    const baseline = await fleet.baselines.update(id, input);
    if (!baseline) throw new AppError(404, 'not_found', `No baseline with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'baseline.update', `baseline:${id}`, input);
    res.json({ baseline });
  });
  router.delete('/baselines/:id', admin, async (req, res) => {
    const id = idParam(req.params.id, 'baseline');
    if (!(await fleet.baselines.delete(id))) throw new AppError(404, 'not_found', `No baseline with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'baseline.delete', `baseline:${id}`);
    res.status(204).end();
  });
}
