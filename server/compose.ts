// The composition root: builds the platform and fleet knowledge on the chosen storage, wires domain events to their listeners, and schedules the jobs.
import type { Logger } from 'pino';
import { updateCatalog } from '../protocol/catalog';
import { createApp, createPlatform, type PatchLensServer } from './app';
import type { Clock } from './clock';
import type { Config } from './config';
import { createFleet, type Fleet } from './fleet/fleet';
import { LiveReadCache } from './fleet/live-read-cache';
import { pinnedPoster, type WebhookPoster } from './fleet/webhooks';
import type { AppModuleFactory, PlatformContext } from './http/context';
import { analyzeRouter, type AnalyzeOptions } from './http/routes/analyze';
import { fleetRouter } from './http/routes/fleet/index';
import { runRetention } from './ingest/retention';
import { JobSchedule, type Job } from './jobs';
import type { EventBus } from './live/event-bus';
import type { LiveHub } from './live/live-hub';
import type { IngestProjection, Storage } from './storage/repository';

export interface FleetOptions {
  /** The HTTP client webhooks are posted with (tests pass their own). */
  poster?: WebhookPoster;
}

export interface ComposeOptions {
  config: Config;
  /** The opened storage (see storage/open-storage.ts); the caller closes it. */
  storage: Storage;
  clock?: Clock;
  logger?: Logger;
  /** Fleet knowledge: its routes, projection, alerting and jobs. `false` composes the platform alone (tests). */
  fleet?: FleetOptions | false;
  /** POST /analyze. `false` leaves it out (tests that mount their own). */
  analyze?: Pick<AnalyzeOptions, 'maxBytes'> | false;
  /** Run the scheduled jobs once listening (default true); tests run jobs by calling them. */
  schedule?: boolean;
  /** More routes and projections (tests). */
  modules?: AppModuleFactory[];
  /** Projections run before the fleet's in every ingest transaction (tests). */
  projections?: IngestProjection[];
}

export interface ComposedServer extends PatchLensServer {
  /** Fleet knowledge; null when composed without it. */
  fleet: Fleet | null;
}

export async function composeServer(options: ComposeOptions): Promise<ComposedServer> {
  const ctx = createPlatform(options);
  const fleet =
    options.fleet === false
      ? null
      : createFleet({
          storage: ctx.storage,
          catalog: updateCatalog(),
          clock: ctx.clock,
          bus: ctx.bus,
          logger: ctx.logger,
          defaults: { staleAfterMs: ctx.config.staleAfterMs },
          // Read before ingest can start, so the first report is already evaluated against them.
          initialBaselines: await ctx.storage.fleet.baselines.list(),
          poster: options.fleet?.poster ?? pinnedPoster(),
        });
  const reads = new LiveReadCache();
  const modules = (options.modules ?? []).map((factory) => factory(ctx));
  const app: PatchLensServer = createApp(ctx, {
    routers: [
      ...(fleet ? [fleetRouter(ctx, fleet, reads)] : []),
      ...(options.analyze === false ? [] : [analyzeRouter(ctx, { fleet: () => fleet, ingest: () => app.ingest, ...options.analyze })]),
      ...modules.flatMap((module) => (module.router ? [module.router] : [])),
    ],
    projections: [...(options.projections ?? []), ...(fleet ? [fleet.projection] : []), ...modules.flatMap((module) => module.projections ?? [])],
  });
  const unwire = wireEvents(ctx.bus, app.live, fleet, reads);
  const jobs = new JobSchedule(scheduledJobs(ctx, fleet), ctx.logger);
  const schedule = options.schedule ?? true;

  return {
    ...app,
    fleet,
    async listen() {
      const address = await app.listen();
      if (schedule) {
        jobs.start();
        if (fleet) await fleet.trends.takeSnapshot();
      }
      return address;
    },
    async close() {
      await jobs.stop();
      await app.close();
      fleet?.alerts.stop();
      unwire();
    },
  };
}

/** Who listens to which domain event. Returns the function that unsubscribes them all. */
function wireEvents(bus: EventBus, live: LiveHub, fleet: Fleet | null, reads: LiveReadCache): () => void {
  const off = [
    // Live push: what happened since the last tick leaves with the next one.
    bus.on('reports.committed', ({ accepted }) => live.reportsCommitted(accepted)),
    bus.on('device.changed', ({ deviceId, sections }) => live.deviceChanged(deviceId, sections)),
    bus.on('counters.changed', ({ values }) => live.countersChanged(values)),
    bus.on('cluster.changed', (cluster) => live.clusterChanged(cluster)),
    bus.on('alert.raised', (alert) => live.alertRaised(alert)),
    bus.on('credentials.ended', (ended) => live.credentialsEnded(ended)),
    // Aggregates computed after a tick hold everything it announced; older shared ones are dropped.
    bus.on('live.flushed', () => reads.clear()),
  ];
  // Counter changes (ingest, stale sweep, baseline re-evaluation) move clusters and alert conditions.
  if (fleet) off.push(bus.on('counters.changed', ({ values }) => fleet.alerts.countersChanged(values)));
  return () => {
    for (const unsubscribe of off) unsubscribe();
  };
}

/** Every scheduled job of the server. */
function scheduledJobs(ctx: PlatformContext, fleet: Fleet | null): Job[] {
  const jobs: Job[] = [{ name: 'retention', cron: '17 3 * * *', run: () => runRetention(ctx), logLevel: 'info' }];
  if (fleet) {
    jobs.push(
      { name: 'fleet-stale', cron: '* * * * *', run: () => fleet.staleDevices.sweep(), logLevel: 'debug' },
      {
        name: 'fleet-snapshot',
        cron: '5 0 * * *',
        run: async () => ({ snapshot: await fleet.trends.takeSnapshot(), pruned: await fleet.trends.prune() }),
        logLevel: 'debug',
      },
      { name: 'fleet-webhooks', cron: '*/5 * * * * *', run: () => fleet.webhooks.deliverDue(), logLevel: 'debug' },
    );
  }
  return jobs;
}
