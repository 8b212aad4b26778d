// Test harness: a real server, composed as in production, on 127.0.0.1 with a real SQLite file in a temp dir, plus sign-in and enrollment shortcuts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import type { z } from 'zod';
import type { Report } from '../../protocol/report';
import type { Clock } from '../../server/clock';
import { composeServer, type ComposedServer, type ComposeOptions } from '../../server/compose';
import { loadConfig, type configSchema } from '../../server/config';
import type { AppModuleFactory } from '../../server/http/context';
import type { IngestProjection, Storage } from '../../server/storage/repository';
import { SqliteStorage, databasePath } from '../../server/storage/sqlite/storage';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  url: string;
  dir: string;
  patchlens: ComposedServer;
  storage: SqliteStorage;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  config?: Partial<z.input<typeof configSchema>>;
  clock?: Clock;
  /** Compose fleet knowledge too (routes, projection, alerting); its jobs never run on a schedule here. */
  fleet?: ComposeOptions['fleet'];
  /** Mount POST /analyze on the composed fleet and ingest queue. */
  analyze?: ComposeOptions['analyze'];
  modules?: AppModuleFactory[];
  projections?: IngestProjection[];
  /** Wraps the storage the app sees (e.g. to hold commits back); the harness still closes the real one. */
  wrapStorage?: (storage: SqliteStorage) => Storage;
  /** The server's logger, e.g. one writing into the test to check what is logged; silent by default. */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-test-'));
  const config = loadConfig({}, { dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'silent', adminPassword: ADMIN_PASSWORD, ...options.config });
  const storage = new SqliteStorage(databasePath(dir), { synchronous: 'NORMAL' });
  const patchlens = await composeServer({
    config,
    storage: options.wrapStorage ? options.wrapStorage(storage) : storage,
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
    fleet: options.fleet ?? false,
    analyze: options.analyze ?? false,
    schedule: false,
    ...(options.modules ? { modules: options.modules } : {}),
    ...(options.projections ? { projections: options.projections } : {}),
  });
  await patchlens.ctx.admin.ensureInitialAdmin(ADMIN_PASSWORD);
  const address = await patchlens.listen();
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    dir,
    patchlens,
    storage,
    http: request(url),
    async close() {
      await patchlens.close();
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in and returns the session cookie and CSRF token. */
export async function login(server: TestServer, username = 'admin', password = ADMIN_PASSWORD): Promise<Session> {
  const res = await server.http.post('/api/v1/auth/login').send({ username, password }).expect(200);
  const setCookie = res.headers['set-cookie'] as unknown as string[];
  return { cookie: setCookie[0]!.split(';')[0]!, csrf: res.body.csrfToken as string };
}

/** Creates an API token with the role through the admin service. */
export async function apiToken(server: TestServer, role: 'admin' | 'viewer'): Promise<string> {
  const { token } = await server.patchlens.ctx.admin.createApiToken({ name: 'test', ip: null }, { name: `${role}-test`, role });
  return token;
}

/** Enrolls a device over HTTP and returns its key. */
export async function enroll(server: TestServer, deviceId: string, hostname = deviceId.toUpperCase()): Promise<string> {
  const { secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'test', ip: null }, { name: 'test' });
  const res = await server.http.post('/api/v1/agents/enroll').send({ secret, deviceId, hostname }).expect(201);
  return res.body.deviceKey as string;
}

export type FixtureName = 'case1-device-a' | 'case1-device-b' | 'case2-device' | 'healthy-donor';

/** A support-case report fixture (test/fixtures/reports) as plain JSON. */
export function fixtureReport(name: FixtureName): Report {
  return JSON.parse(readFileSync(new URL(`../fixtures/reports/${name}.json`, import.meta.url), 'utf8')) as Report;
}

/** A small valid report for `deviceId`, varied by `n` (packages change with n so state changes). */
export function syntheticReport(deviceId: string, n: number, overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    reportId: `${deviceId}-r${n}-${Math.random().toString(36).slice(2, 10)}`,
    generatedAt: new Date(Date.UTC(2024, 10, 21, 12, 0, n)).toISOString(),
    sequence: n,
    device: { id: deviceId, hostname: deviceId.toUpperCase(), osBuild: '19045.4894' },
    packages: [
      {
        identity: 'Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9',
        kb: 'KB5043064',
        state: n % 2 === 0 ? 'Installed' : 'Staged',
        lastResult: null,
        failureSource: null,
        lastChangeAt: null,
        client: 'WindowsUpdateAgent',
      },
    ],
    failures: [],
    corruption: [],
    scans: [],
    hotfixes: [{ kb: 'KB5043064', installedOn: '2024-11-20' }],
    parse: { files: [{ name: 'CBS.log', bytes: 1000, lines: 10 }], unrecognizedLines: 0 },
    ...overrides,
  };
}

/** Posts a report with a device key. */
export function postReport(server: TestServer, key: string, report: unknown) {
  return server.http.post('/api/v1/reports').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/json').send(JSON.stringify(report));
}

export function assertEnvelope(body: unknown, code: string): void {
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (!error || error.code !== code || typeof error.message !== 'string' || error.message.length === 0) {
    throw new Error(`expected an error envelope with code ${code}, got ${JSON.stringify(body)}`);
  }
}

/**
 * Polls until `condition` holds and resolves with the milliseconds that took; throws past `boundMs`.
 * The bound only stops a broken run: a test that has a speed target asserts on the returned time.
 */
export async function waitUntil(condition: () => boolean, what = 'condition', boundMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > boundMs) throw new Error(`${what} not reached within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
