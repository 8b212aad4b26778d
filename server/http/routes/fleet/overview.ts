// GET /fleet/summary, /kbs, /errors: the overview aggregates, shared between dashboards refreshing on one live tick.
import type { FleetRoutes } from './index';

export function overviewRoutes({ router, fleet, viewer, sendAggregate }: FleetRoutes): void {
  router.get('/fleet/summary', viewer, (req, res) => sendAggregate(req, res, 'summary', () => fleet.overview.summary()));
  router.get('/kbs', viewer, (req, res) => sendAggregate(req, res, 'kbs', async () => ({ items: await fleet.overview.kbs() })));
  router.get('/errors', viewer, (req, res) => sendAggregate(req, res, 'errors', async () => ({ items: await fleet.overview.errors() })));
}
