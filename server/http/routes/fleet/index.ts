// The fleet routes under /api/v1, one file per concern; each calls the read model or service it needs.
import express, { Router, type Request, type Response } from 'express';
import { LIVE_REFRESH_HEADER } from '../../../../protocol/socket-events';
import type { Fleet } from '../../../fleet/fleet';
import type { LiveReadCache } from '../../../fleet/live-read-cache';
import type { Actor } from '../../../security/admin-service';
import { principalName } from '../../../security/authenticator';
import { clientIp } from '../../auth-guard';
import type { PlatformContext } from '../../context';
import { alertRoutes } from './alerts';
import { baselineRoutes } from './baselines';
import { clusterRoutes } from './clusters';
import { deviceRoutes } from './devices';
import { overviewRoutes } from './overview';
import { settingsRoutes } from './settings';
import { trendRoutes } from './trends';

/** What every fleet route file is given. */
export interface FleetRoutes {
  router: Router;
  ctx: PlatformContext;
  fleet: Fleet;
  viewer: express.RequestHandler;
  admin: express.RequestHandler;
  /** JSON bodies of admin writes. */
  json: express.RequestHandler;
  actor(req: Request, res: Response): Actor;
  /**
   * Answers with an aggregate. Live refreshes share the body computed after the latest tick (kept serialised:
   * with many dashboards open, serialising per request would cost more than computing once); every other read
   * computes afresh.
   */
  sendAggregate(req: Request, res: Response, key: string, compute: () => Promise<unknown>): Promise<void>;
}

export function fleetRouter(ctx: PlatformContext, fleet: Fleet, reads: LiveReadCache): Router {
  const router = Router();
  // A write here (baselines, settings) changes what the aggregates show, with no live tick to announce it.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.on('finish', () => reads.clear());
    next();
  });
  const routes: FleetRoutes = {
    router,
    ctx,
    fleet,
    viewer: ctx.requireAuth('viewer'),
    admin: ctx.requireAuth('admin'),
    json: express.json({ limit: '64kb' }),
    actor: (req, res) => ({ name: principalName(res.locals.principal!), ip: clientIp(req) }),
    async sendAggregate(req, res, key, compute) {
      const serialise = async () => JSON.stringify(await compute());
      const body = await (req.get(LIVE_REFRESH_HEADER) === '1' ? reads.shared(key, serialise) : reads.fresh(key, serialise));
      res.type('application/json').send(body);
    },
  };
  for (const add of [overviewRoutes, clusterRoutes, deviceRoutes, baselineRoutes, alertRoutes, settingsRoutes, trendRoutes]) add(routes);
  return router;
}
