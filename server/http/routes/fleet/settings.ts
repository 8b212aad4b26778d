// /settings/fleet: the fleet settings, edited by admins (audited).
import { fleetSettingsPatchSchema } from '../../../../protocol/fleet-api';
import { parseInput } from '../../validate';
import type { FleetRoutes } from './index';

export function settingsRoutes({ router, ctx, fleet, viewer, admin, json, actor }: FleetRoutes): void {
  router.get('/settings/fleet', viewer, async (_req, res) => {
    res.json({ settings: await fleet.settings.get() });
  });
  router.patch('/settings/fleet', json, admin, async (req, res) => {
    const patch = parseInput(fleetSettingsPatchSchema, req.body ?? {}, 'settings');
    const settings = await fleet.settings.update(patch);
    await ctx.admin.audit(actor(req, res), 'settings.update', 'settings:fleet', patch);
    res.json({ settings });
  });
}
