// What routes and modules are given at composition: config, storage, clock, bus, logger and the auth services.
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { EventBus } from '../live/event-bus';
import type { AdminService } from '../security/admin-service';
import type { Authenticator } from '../security/authenticator';
import type { LoginThrottle } from '../security/login-throttle';
import type { PasswordHashGate } from '../security/password-hash-gate';
import type { SessionService } from '../security/sessions';
import type { IngestProjection, Role, Storage } from '../storage/repository';
import type { GuardOptions } from './auth-guard';

export interface PlatformContext {
  config: Config;
  storage: Storage;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  auth: Authenticator;
  sessions: SessionService;
  loginThrottle: LoginThrottle;
  /** Every password check of a sign-in or password change runs through it. */
  passwordGate: PasswordHashGate;
  admin: AdminService;
  /**
   * Route guard: a valid session (plus CSRF header on unsafe methods) or API token, with at least
   * `role` (admin > viewer). Without a role any signed-in caller passes.
   */
  requireAuth(role?: Role, options?: GuardOptions): RequestHandler;
}

/** A feature area plugged in at composition: its routes (mounted under /api/v1) and projections. Jobs and event wiring live in server/compose.ts. */
export interface AppModule {
  name: string;
  router?: Router;
  projections?: IngestProjection[];
}

export type AppModuleFactory = (ctx: PlatformContext) => AppModule;
