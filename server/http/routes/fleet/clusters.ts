// GET /corruption/clusters and one cluster's drill-down.
import * as z from 'zod';
import { AppError } from '../../../errors';
import { parseInput } from '../../validate';
import type { FleetRoutes } from './index';

const clusterPageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

export function clusterRoutes({ router, fleet, viewer, sendAggregate }: FleetRoutes): void {
  router.get('/corruption/clusters', viewer, (req, res) => sendAggregate(req, res, 'clusters', () => fleet.clusters.list()));
  router.get('/corruption/clusters/:family', viewer, async (req, res) => {
    const page = parseInput(clusterPageSchema, req.query, 'cluster query');
    const family = String(req.params.family);
    const detail = await fleet.clusters.detail(family, { limit: page.limit, cursor: page.cursor ?? null });
    if (!detail) throw new AppError(404, 'not_found', `No open corruption cluster for family ${family}.`);
    res.json(detail);
  });
}
