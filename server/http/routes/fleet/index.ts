// The fleet module: fleet read routes, baselines, alerts, webhooks, settings, trends, and the fleet jobs.
import express, { Router, type Request, type Response } from 'express';
import { schedule, type ScheduledTask } from 'node-cron';
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { updateCatalog } from '../../../../protocol/catalog';
import {
  alertKindSchema,
  baselineInputSchema,
  deviceListQuerySchema,
  fleetSettingsPatchSchema,
  webhookInputSchema,
  type DeviceListItem,
} from '../../../../protocol/fleet-api';
import { LIVE_REFRESH_HEADER } from '../../../../protocol/socket-events';
import type { SqliteDatabase } from '../../../storage/sqlite/database';
import { StatementCache } from '../../../storage/sqlite/database';
import { AppError } from '../../../errors';
import { CursorError, FleetService } from '../../../fleet/fleet-service';
import { LiveReadCache } from '../../../fleet/live-read-cache';
import { FleetProjection } from '../../../fleet/storage/fleet-projection';
import { SqliteFleetStore } from '../../../fleet/storage/sqlite-fleet-store';
import { deliverDue, pinnedPoster, type WebhookPoster } from '../../../fleet/webhooks';
import type { Actor } from '../../../security/admin-service';
import { principalName } from '../../../security/authenticator';
import { clientIp } from '../../auth-guard';
import type { AppModule, PlatformContext } from '../../context';
import { idParam, parseInput } from '../../validate';

const clusterPageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
const alertQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
  kind: alertKindSchema.optional(),
  open: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});
const trendQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(3_650).default(90) });
const webhookPatchSchema = webhookInputSchema.partial();

const CSV_COLUMNS: (keyof DeviceListItem)[] = ['id', 'hostname', 'osBuild', 'lastSeenAt', 'stale', 'failedKbs', 'hresults', 'corruptFamilies'];

/**
 * RFC 4180 field. A leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula;
 * so is a leading TAB or CR, which spreadsheets skip before reading what follows as a formula.
 */
function csvField(value: unknown): string {
  let text = Array.isArray(value) ? value.join(' ') : value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface FleetModuleOptions {
  /** The HTTP client for webhooks (tests pass their own). */
  poster?: WebhookPoster;
  /** Run the cron jobs (tests call the service directly instead). */
  schedule?: boolean;
}

export interface FleetModule extends AppModule {
  service: FleetService;
  /** Sends due webhook deliveries now. */
  deliverWebhooks(): Promise<{ delivered: number; retried: number; failed: number }>;
}

/** Builds the fleet module on the SQLite connection the platform storage uses. */
export function createFleetModule(ctx: PlatformContext, db: SqliteDatabase, options: FleetModuleOptions = {}): FleetModule {
  const catalog = updateCatalog();
  const store = new SqliteFleetStore(db, new StatementCache(db));
  const service = new FleetService({
    storage: ctx.storage,
    store,
    catalog,
    clock: ctx.clock,
    bus: ctx.bus,
    defaults: { staleAfterMs: ctx.config.staleAfterMs },
    initialBaselines: store.baselinesNow(),
    logger: ctx.logger,
  });
  const reads = new LiveReadCache(ctx.bus);
  const poster = options.poster ?? pinnedPoster();
  const deliverWebhooks = async () => deliverDue(store, poster, ctx.clock, await service.webhookTargets());

  // Counter changes arrive after each ingest commit: clusters are pushed at once, alerts are
  // evaluated at most once a second so a burst of reports costs one evaluation.
  let alertTimer: NodeJS.Timeout | null = null;
  const unsubscribe = ctx.bus.on('counters.changed', ({ values }) => {
    const clusters = service.clustersChanged(values);
    if ((clusters || values.baseline) && !alertTimer) {
      alertTimer = setTimeout(() => {
        alertTimer = null;
        service.evaluateAlerts().catch((err: unknown) => ctx.logger.error({ err }, 'alert evaluation failed'));
      }, 1_000);
      alertTimer.unref();
    }
  });

  const tasks: ScheduledTask[] = [];
  const job = (name: string, cron: string, run: () => Promise<unknown>) => {
    tasks.push(
      schedule(
        cron,
        async () => {
          try {
            const result = await run();
            ctx.logger.debug({ job: name, result }, 'fleet job done');
          } catch (err) {
            ctx.logger.error({ err, job: name }, 'fleet job failed');
          }
        },
        { name: `fleet-${name}`, noOverlap: true },
      ),
    );
  };

  return {
    name: 'fleet',
    service,
    deliverWebhooks,
    router: fleetRouter(ctx, service, reads),
    projections: [new FleetProjection(catalog, () => service.baselines)],
    async start() {
      if (options.schedule === false) return;
      job('stale', '* * * * *', () => service.markStale());
      job('snapshot', '5 0 * * *', async () => ({ snapshot: await service.takeSnapshot(), pruned: await service.pruneTrends() }));
      job('webhooks', '*/5 * * * * *', deliverWebhooks);
      await service.takeSnapshot();
    },
    async stop() {
      unsubscribe();
      reads.close();
      if (alertTimer) clearTimeout(alertTimer);
      for (const task of tasks) await task.stop();
    },
  };
}

export function fleetRouter(ctx: PlatformContext, service: FleetService, reads: LiveReadCache): Router {
  const router = Router();
  // A write here (baselines, settings) changes what the aggregates show, with no live tick to announce it.
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') res.on('finish', () => reads.clear());
    next();
  });
  /**
   * Live refreshes share the body computed after the latest tick (kept serialised: with many dashboards
   * open, serialising per request would cost more than computing once); every other read computes afresh.
   */
  const sendAggregate = async (req: Request, res: Response, key: string, compute: () => Promise<unknown>) => {
    const serialise = async () => JSON.stringify(await compute());
    const body = await (req.get(LIVE_REFRESH_HEADER) === '1' ? reads.shared(key, serialise) : reads.fresh(key, serialise));
    res.type('application/json').send(body);
  };
  const viewer = ctx.requireAuth('viewer');
  const admin = ctx.requireAuth('admin');
  const json = express.json({ limit: '64kb' });
  const actor = (req: Request, res: Response): Actor => ({ name: principalName(res.locals.principal!), ip: clientIp(req) });
  const deviceQuery = (req: Request) => parseInput(deviceListQuerySchema, req.query, 'device query');
  const withCursor = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof CursorError) throw new AppError(400, 'invalid_request', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  };

  router.get('/fleet/summary', viewer, (req, res) => sendAggregate(req, res, 'summary', () => service.summary()));
  router.get('/kbs', viewer, (req, res) => sendAggregate(req, res, 'kbs', async () => ({ items: await service.kbs() })));
  router.get('/errors', viewer, (req, res) => sendAggregate(req, res, 'errors', async () => ({ items: await service.errors() })));
  router.get('/corruption/clusters', viewer, (req, res) => sendAggregate(req, res, 'clusters', () => service.clusters()));
  router.get('/corruption/clusters/:family', viewer, async (req, res) => {
    const page = parseInput(clusterPageSchema, req.query, 'cluster query');
    const family = String(req.params.family);
    const detail = await service.cluster(family, { limit: page.limit, cursor: page.cursor ?? null });
    if (!detail) throw new AppError(404, 'not_found', `No open corruption cluster for family ${family}.`);
    res.json(detail);
  });

  router.get('/devices', viewer, async (req, res) => {
    const query = deviceQuery(req);
    res.json(await withCursor(() => service.devices(query)));
  });
  router.get('/export/devices.csv', viewer, async (req, res) => {
    const query = { ...deviceQuery(req), limit: 500, cursor: undefined as string | undefined };
    res.type('text/csv').attachment('patchlens-devices.csv');
    res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for (;;) {
      const page = await service.devices(query);
      res.write(page.items.map((item) => `${CSV_COLUMNS.map((column) => csvField(item[column])).join(',')}\r\n`).join(''));
      if (!page.nextCursor) break;
      query.cursor = page.nextCursor;
    }
    res.end();
  });
  router.get('/devices/:id', viewer, async (req, res) => {
    const id = String(req.params.id);
    const detail = await service.device(id);
    if (!detail) throw new AppError(404, 'not_found', `No device with id ${id}.`);
    res.json(detail);
  });

  router.get('/baselines', viewer, async (_req, res) => {
    res.json({ items: await service.compliance() });
  });
  router.post('/baselines', json, admin, async (req, res) => {
    const input = parseInput(baselineInputSchema, req.body ?? {}, 'baseline');
    const baseline = await service.createBaseline(input, principalName(res.locals.principal!));
    await ctx.admin.audit(actor(req, res), 'baseline.create', `baseline:${baseline.id}`, input);
    res.status(201).json({ baseline });
  });
  router.put('/baselines/:id', json, admin, async (req, res) => {
    const id = idParam(req.params.id, 'baseline');
    const input = parseInput(baselineInputSchema, req.body ?? {}, 'baseline');
    const baseline = await service.updateBaseline(id, input);
    if (!baseline) throw new AppError(404, 'not_found', `No baseline with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'baseline.update', `baseline:${id}`, input);
    res.json({ baseline });
  });
  router.delete('/baselines/:id', admin, async (req, res) => {
    const id = idParam(req.params.id, 'baseline');
    if (!(await service.deleteBaseline(id))) throw new AppError(404, 'not_found', `No baseline with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'baseline.delete', `baseline:${id}`);
    res.status(204).end();
  });

  router.get('/alerts', viewer, async (req, res) => {
    const query = parseInput(alertQuerySchema, req.query, 'alert query');
    const items = await service.alerts(query);
    res.json({ items, nextCursor: items.length === query.limit ? String(items[items.length - 1]!.id) : null });
  });

  router.get('/webhooks', admin, async (_req, res) => {
    res.json({ items: await service.webhooks.list() });
  });
  router.post('/webhooks', json, admin, async (req, res) => {
    const input = parseInput(webhookInputSchema, req.body ?? {}, 'webhook');
    const secret = input.secret ?? randomBytes(24).toString('base64url');
    const webhook = await service.webhooks.create({ url: input.url, secret, kinds: input.kinds, enabled: input.enabled }, principalName(res.locals.principal!));
    await ctx.admin.audit(actor(req, res), 'webhook.create', `webhook:${webhook.id}`, { url: webhook.url, kinds: webhook.kinds });
    res.status(201).json({ webhook, secret });
  });
  router.patch('/webhooks/:id', json, admin, async (req, res) => {
    const id = idParam(req.params.id, 'webhook');
    const input = parseInput(webhookPatchSchema, req.body ?? {}, 'webhook');
    const webhook = await service.webhooks.update(id, input);
    if (!webhook) throw new AppError(404, 'not_found', `No webhook with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'webhook.update', `webhook:${id}`, { ...input, secret: input.secret ? '(changed)' : undefined });
    res.json({ webhook });
  });
  router.delete('/webhooks/:id', admin, async (req, res) => {
    const id = idParam(req.params.id, 'webhook');
    if (!(await service.webhooks.remove(id))) throw new AppError(404, 'not_found', `No webhook with id ${id}.`);
    await ctx.admin.audit(actor(req, res), 'webhook.delete', `webhook:${id}`);
    res.status(204).end();
  });

  router.get('/settings/fleet', viewer, async (_req, res) => {
    res.json({ settings: await service.settings() });
  });
  router.patch('/settings/fleet', json, admin, async (req, res) => {
    const patch = parseInput(fleetSettingsPatchSchema, req.body ?? {}, 'settings');
    const settings = await service.updateSettings(patch);
    await ctx.admin.audit(actor(req, res), 'settings.update', 'settings:fleet', patch);
    res.json({ settings });
  });

  router.get('/trends', viewer, async (req, res) => {
    const query = parseInput(trendQuerySchema, req.query, 'trend query');
    res.json({ items: await service.trends(query.days) });
  });
  return router;
}
