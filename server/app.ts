// The platform (config, storage, clock, bus, auth services) and the HTTP(S) server on it: express app, socket.io, ingest queue, live hub. Composed in compose.ts.
import express, { Router, type Express } from 'express';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { Server as SocketServer } from 'socket.io';
import { API_PREFIX } from '../protocol/api';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { apiNotFound, errorHandler } from './errors';
import { createAuthGuard } from './http/auth-guard';
import type { PlatformContext } from './http/context';
import { adminRouter } from './http/routes/admin';
import { agentsRouter } from './http/routes/agents';
import { authRouter } from './http/routes/auth';
import { reportHistoryRouter } from './http/routes/report-history';
import { requestDeadline } from './http/request-deadline';
import { dashboardRouter } from './http/static-dashboard';
import { IngestQueue } from './ingest/ingest-queue';
import { EventBus } from './live/event-bus';
import { LiveHub, type LiveServer } from './live/live-hub';
import { AdminService } from './security/admin-service';
import { Authenticator } from './security/authenticator';
import { securityHeaders } from './security/headers';
import { LoginThrottle } from './security/login-throttle';
import { PasswordHashGate } from './security/password-hash-gate';
import { RateLimiter } from './security/rate-limiter';
import { SessionService } from './security/sessions';
import { TokenBuckets } from './security/token-buckets';
import type { IngestProjection, Storage } from './storage/repository';

export const VERSION = '0.1.0';

/** One client address may have this many password checks running or queued; more get 429 at once. */
const PASSWORD_CHECKS_PER_ADDRESS = 4;
/** A password check waits at most this long for a free slot, then gets 429. */
const PASSWORD_CHECK_WAIT_MS = 5_000;

export interface PlatformOptions {
  config: Config;
  storage: Storage;
  clock?: Clock;
  logger?: Logger;
}

/** What the server adds to the platform's own routes: feature routers under /api/v1 and ingest projections. */
export interface AppParts {
  routers: Router[];
  projections: IngestProjection[];
}

export interface PatchLensServer {
  app: Express;
  server: HttpServer;
  io: LiveServer;
  ctx: PlatformContext;
  ingest: IngestQueue;
  live: LiveHub;
  /** Starts listening on config.host:config.port, and the live ticks. */
  listen(): Promise<AddressInfo>;
  /** Graceful stop: refuse new work, commit queued reports, close sockets. Does not close storage. */
  close(): Promise<void>;
}

/**
 * Slow or stalled clients cannot hold a socket: a request head must arrive within 10 s (or
 * REQUEST_TIMEOUT if shorter), checked by Node at a tenth of that instead of its default 30 s; the
 * whole request within REQUEST_TIMEOUT, checked per request by `requestDeadline` (authenticated log
 * uploads to /analyze lift it), so Node's server-wide request timeout is off. Upgraded live sockets are not
 * requests and are not affected.
 */
function clientTimeouts(config: Config) {
  const headersTimeout = Math.min(10_000, config.requestTimeoutMs);
  return {
    requestTimeout: 0,
    headersTimeout,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.round(headersTimeout / 10)),
  };
}

/** The services every route and feature is given. */
export function createPlatform(options: PlatformOptions): PlatformContext {
  const { config, storage } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const bus = new EventBus((event, err) => logger.error({ err, event }, 'event listener failed'));
  const sessions = new SessionService(storage.sessions, clock, config.sessionTtlMs, bus);
  const auth = new Authenticator(storage, sessions, clock);
  const ctx: PlatformContext = {
    config,
    storage,
    clock,
    bus,
    logger,
    auth,
    sessions,
    loginThrottle: new LoginThrottle(storage.throttle, clock, {
      windowMs: config.loginLockoutMs,
      lockMs: config.loginLockoutMs,
      maxFailures: config.loginMaxFailures,
      maxAccountFailures: config.loginAccountMaxFailures,
      maxAddressFailures: config.loginAddressMaxFailures,
    }),
    passwordGate: new PasswordHashGate({
      concurrency: config.passwordHashConcurrency,
      queue: config.passwordHashQueue,
      perAddress: PASSWORD_CHECKS_PER_ADDRESS,
      maxWaitMs: PASSWORD_CHECK_WAIT_MS,
    }),
    admin: new AdminService(storage, clock, bus),
    requireAuth: createAuthGuard(auth),
  };
  return ctx;
}

export function createApp(ctx: PlatformContext, parts: AppParts): PatchLensServer {
  const { config, storage, clock, bus, logger, auth } = ctx;
  const ingest = new IngestQueue({
    reports: storage.reports,
    projections: parts.projections,
    bus,
    clock,
    capacity: config.ingestQueueSize,
    capacityBytes: config.ingestQueueBytes,
    batchSize: config.ingestBatchSize,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  const api = Router();
  api.use(authRouter(ctx));
  api.use(
    agentsRouter(ctx, ingest, {
      enroll: new RateLimiter(clock, config.enrollPerMinute, 60_000),
      reports: new TokenBuckets(clock, config.reportBurstPerDevice, config.reportsPerDevicePerMinute),
    }),
  );
  api.use(adminRouter(ctx));
  api.use(reportHistoryRouter(ctx));
  for (const router of parts.routers) api.use(router);
  api.use(apiNotFound);

  const root = Router();
  root.use(securityHeaders());
  root.use(requestDeadline(config.requestTimeoutMs));
  root.get('/healthz', async (_req, res) => {
    const ok = await storage.ping();
    res.status(ok ? 200 : 503).json({ ok, queue: ingest.length, version: VERSION });
  });
  root.use(API_PREFIX, api);
  root.use(dashboardRouter(config.dashboardDir));
  app.use(config.basePath || '/', root);
  app.use(errorHandler(logger));

  const server: HttpServer =
    config.tlsCert && config.tlsKey
      ? createHttpsServer({ ...clientTimeouts(config), cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, app)
      : createHttpServer(clientTimeouts(config), app);

  const io: LiveServer = new SocketServer(server, {
    path: `${config.basePath}/socket.io`,
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  const isSecure = (req: IncomingMessage): boolean => {
    if ('encrypted' in req.socket && req.socket.encrypted) return true;
    return config.trustProxy !== false && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
  };
  const live = new LiveHub({
    io,
    bus,
    auth,
    clock,
    intervalMs: config.liveIntervalMs,
    recheckMs: config.liveRecheckMs,
    onRecheckError: (err) => logger.warn({ err }, 'live socket re-check failed'),
    allowedOrigins: config.allowedOrigins,
    isSecure,
    behindProxy: config.trustProxy !== false,
  });

  return {
    app,
    server,
    io,
    ctx,
    ingest,
    live,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      live.start();
      return server.address() as AddressInfo;
    },
    async close() {
      await ingest.close();
      live.stop();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections?.();
      });
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
