// Server configuration: read once from the environment (and an optional JSON file), validated, then passed in.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { parseDuration, parseSize } from '../protocol/units';

/** A number of milliseconds, or text like `30s` / `14d`. */
const duration = z.preprocess(
  (value) => (typeof value === 'string' ? (parseDuration(value) ?? value) : value),
  z.number({ error: (issue) => `${JSON.stringify(issue.input)} is not a duration like 30s, 15m, 12h or 14d` }).int().min(0),
);
/** A number of bytes, or text like `512kb` / `8mb`. */
const size = z.preprocess(
  (value) => (typeof value === 'string' ? (parseSize(value) ?? value) : value),
  z.number({ error: (issue) => `${JSON.stringify(issue.input)} is not a size like 512kb or 8mb` }).int().min(1),
);
const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** `TRUST_PROXY`: false, true, a hop count, or express's address list (`loopback, 10.0.0.0/8`). */
const trustProxy = z.union([
  z.boolean(),
  z.number().int().min(0),
  z.string().transform((text): boolean | number | string => {
    const value = text.trim();
    if (value === '' || value === 'false' || value === '0') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    return value;
  }),
]);

export const configSchema = z
  .object({
    port: integer(0, 65_535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('./data'),
    adminPassword: z.string().min(12, 'PATCHLENS_ADMIN_PASSWORD must be at least 12 characters').optional(),
    trustProxy: trustProxy.default(false),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    /** Mount point behind a reverse proxy, e.g. `/patchlens`; '' for the root. */
    basePath: z
      .string()
      .default('')
      .transform((p) => p.replace(/\/+$/, ''))
      .refine((p) => p === '' || /^\/[A-Za-z0-9._~\-/]*$/.test(p), 'BASE_PATH must start with / and hold only URL path characters'),
    dashboardDir: z.string().min(1).default('dist/dashboard'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** A device that has not reported for this long counts as stale. */
    staleAfterMs: duration.default(14 * 86_400_000),
    reportBodyLimitBytes: size.default(8 * 1024 * 1024),
    /** Reports waiting for a commit; beyond it new reports get 429 + Retry-After. */
    ingestQueueSize: integer(1, 1_000_000).default(5_000),
    /** Raw report bytes allowed to wait; bounds memory when reports are large. */
    ingestQueueBytes: size.default(256 * 1024 * 1024),
    /** Most reports committed in one transaction (group commit). */
    ingestBatchSize: integer(1, 10_000).default(100),
    /** Report bodies older than this are pruned; the report rows stay for history. */
    reportBodyRetentionMs: duration.default(30 * 86_400_000),
    /** Report rows (history) older than this are deleted. */
    reportRetentionMs: duration.default(400 * 86_400_000),
    sessionTtlMs: duration.default(12 * 3_600_000),
    /** Extra origins allowed to open the live socket besides the server's own. */
    allowedOrigins: z
      .union([z.array(z.string()), z.string().transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))])
      .default([]),
    /** Failed enrollment attempts allowed per client address per minute. */
    enrollPerMinute: integer(1, 100_000).default(30),
    /** How long a re-enrollment of an already enrolled device waits for an admin's decision (and, once approved, for the agent's pickup). */
    enrollPendingTtlMs: duration.pipe(z.number().min(60_000, 'ENROLL_PENDING_TTL must be at least 1m')).default(7 * 86_400_000),
    /** Reports one device may send per minute, sustained; beyond it and the burst, 429 + Retry-After. An agent sends one per cycle. */
    reportsPerDevicePerMinute: integer(1, 1_000_000).default(60),
    /** Reports one device may send at once above the sustained rate: an agent drains its spool in one go after an outage. */
    reportBurstPerDevice: integer(1, 1_000_000).default(600),
    /** How often live changes are flushed to dashboards (≥ 250 ms keeps it at 4 emits/s at most). */
    liveIntervalMs: duration.pipe(z.number().min(250, 'LIVE_INTERVAL must be at least 250ms')).default(250),
    /**
     * How often open live sockets have their session or token looked up again, so expiry and changes made
     * by another process (`npm run admin -- user disable`) close them; changes made through the server close
     * them at once.
     */
    liveRecheckMs: duration.pipe(z.number().min(100, 'LIVE_RECHECK must be at least 100ms').max(30_000, 'LIVE_RECHECK must be at most 30s')).default(30_000),
    /**
     * SQLite `synchronous` (WAL mode). NORMAL: every acknowledged report survives a server crash or
     * kill -9, but an OS crash or power loss can drop the last commits, already acknowledged with 202.
     * FULL: also survives power loss, at an fsync per group commit, which bounds ingest by the disk.
     */
    sqliteSynchronous: z.enum(['FULL', 'NORMAL']).default('NORMAL'),
    /** Longest time a client may take to send one whole request (head and body); slower ones get 408. */
    requestTimeoutMs: duration.pipe(z.number().min(1_000, 'REQUEST_TIMEOUT must be at least 1s')).default(30_000),
    /** Longest a kept-alive connection may sit idle between requests. */
    keepAliveTimeoutMs: duration.default(15_000),
    /** Log analyses (POST /analyze) running at once; more get 429 + Retry-After. */
    analyzeConcurrency: integer(1, 64).default(2),
    /** Most bytes the logs in an uploaded zip may unpack to together (413 beyond). */
    analyzeZipMaxUnpackedBytes: size.default(1024 * 1024 * 1024),
    /** Most unpacked bytes per uploaded byte of a zip (413 beyond): stops a zip bomb within its first chunks. */
    analyzeZipMaxRatio: integer(1, 1_000_000).default(100),
    secureCookies: flag.optional(),
    /** Failed password checks allowed per account from one address (and per session) before that pair is locked. */
    loginMaxFailures: integer(1, 1_000).default(5),
    /** Failed password checks allowed per account over every address; reaching it locks the account for everyone. */
    loginAccountMaxFailures: integer(1, 1_000_000).default(100),
    /** Failed password checks allowed per client address over every account. */
    loginAddressMaxFailures: integer(1, 1_000_000).default(30),
    /** The window failures are counted in, and how long a lock lasts. */
    loginLockoutMs: duration.pipe(z.number().min(1_000, 'LOGIN_LOCKOUT must be at least 1s')).default(15 * 60_000),
    /** Password checks (scrypt) run at once; more wait in a short queue. */
    passwordHashConcurrency: integer(1, 64).default(2),
    /** Password checks allowed to wait for a slot; beyond, sign-ins get 429 + Retry-After. */
    passwordHashQueue: integer(0, 10_000).default(32),
  })
  .refine((c) => Boolean(c.tlsCert) === Boolean(c.tlsKey), {
    message: 'TLS_CERT and TLS_KEY must be given together',
    path: ['tlsCert'],
  })
  .refine((c) => c.loginAccountMaxFailures >= c.loginMaxFailures, {
    message: 'LOGIN_ACCOUNT_MAX_FAILURES must be at least LOGIN_MAX_FAILURES',
    path: ['loginAccountMaxFailures'],
  });

export type Config = z.infer<typeof configSchema>;

/** Environment variable → config key. */
const ENV_KEYS: Record<string, keyof z.input<typeof configSchema>> = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'dataDir',
  PATCHLENS_ADMIN_PASSWORD: 'adminPassword',
  TRUST_PROXY: 'trustProxy',
  TLS_CERT: 'tlsCert',
  TLS_KEY: 'tlsKey',
  BASE_PATH: 'basePath',
  DASHBOARD_DIR: 'dashboardDir',
  LOG_LEVEL: 'logLevel',
  STALE_AFTER: 'staleAfterMs',
  REPORT_BODY_LIMIT: 'reportBodyLimitBytes',
  INGEST_QUEUE_SIZE: 'ingestQueueSize',
  INGEST_BATCH_SIZE: 'ingestBatchSize',
  INGEST_QUEUE_BYTES: 'ingestQueueBytes',
  REPORT_BODY_RETENTION: 'reportBodyRetentionMs',
  REPORT_RETENTION: 'reportRetentionMs',
  SESSION_TTL: 'sessionTtlMs',
  ALLOWED_ORIGINS: 'allowedOrigins',
  ENROLL_PER_MINUTE: 'enrollPerMinute',
  ENROLL_PENDING_TTL: 'enrollPendingTtlMs',
  REPORTS_PER_DEVICE_PER_MINUTE: 'reportsPerDevicePerMinute',
  REPORT_BURST_PER_DEVICE: 'reportBurstPerDevice',
  LIVE_INTERVAL: 'liveIntervalMs',
  LIVE_RECHECK: 'liveRecheckMs',
  SQLITE_SYNCHRONOUS: 'sqliteSynchronous',
  REQUEST_TIMEOUT: 'requestTimeoutMs',
  KEEP_ALIVE_TIMEOUT: 'keepAliveTimeoutMs',
  ANALYZE_CONCURRENCY: 'analyzeConcurrency',
  ANALYZE_ZIP_MAX_UNPACKED: 'analyzeZipMaxUnpackedBytes',
  ANALYZE_ZIP_MAX_RATIO: 'analyzeZipMaxRatio',
  SECURE_COOKIES: 'secureCookies',
  LOGIN_MAX_FAILURES: 'loginMaxFailures',
  LOGIN_ACCOUNT_MAX_FAILURES: 'loginAccountMaxFailures',
  LOGIN_ADDRESS_MAX_FAILURES: 'loginAddressMaxFailures',
  LOGIN_LOCKOUT: 'loginLockoutMs',
  PASSWORD_HASH_CONCURRENCY: 'passwordHashConcurrency',
  PASSWORD_HASH_QUEUE: 'passwordHashQueue',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the config from `PATCHLENS_CONFIG` (a JSON file with the camelCase keys) overlaid by
 * environment variables. Throws ConfigError with every problem listed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<z.input<typeof configSchema>> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.PATCHLENS_CONFIG;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!result.success) {
    const envName = (key: string) => Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0] ?? key;
    const lines = result.error.issues.map((i) => `${envName(String(i.path[0] ?? ''))}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

/** Settings that work but weaken a defence; the server logs each line as a warning at start. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.trustProxy === true) {
    warnings.push(
      'TRUST_PROXY=true believes the client address in any X-Forwarded-For header, so a client can pick its own address and ' +
        'slip past every per-address limit (sign-in throttling, enrollment). Set the hop count of your reverse proxies (e.g. TRUST_PROXY=1) ' +
        'or their addresses (e.g. TRUST_PROXY=loopback or 10.0.0.5) instead.',
    );
  }
  return warnings;
}
