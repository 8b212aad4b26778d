// GET /trends: the daily fleet snapshots of the last N days.
import * as z from 'zod';
import { parseInput } from '../../validate';
import type { FleetRoutes } from './index';

const trendQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(3_650).default(90) });

export function trendRoutes({ router, fleet, viewer }: FleetRoutes): void {
  router.get('/trends', viewer, async (req, res) => {
    const query = parseInput(trendQuerySchema, req.query, 'trend query');
    res.json({ items: await fleet.trends.list(query.days) });
  });
}
