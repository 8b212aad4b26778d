// Agent configuration: one JSON file validated with zod, command-line flags layered on top.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import cron from 'node-cron';
import { parseCommandLine } from '../protocol/command-line';
import { parseSize } from '../protocol/units';
import { hostnameProblem } from '../protocol/windows-names';
import { ConfigError } from './config-error';

const MINUTE = 60_000;

export const agentConfigFileSchema = z
  .object({
    server: z.string().url('server must be a URL such as https://patchlens.example.org').optional(),
    /** PEM file with the bank's own root/intermediate CAs, trusted in addition to the system store. */
    caBundle: z.string().min(1).optional(),
    /** node-cron expression; default every 15 minutes. */
    schedule: z.string().min(1).optional(),
    logsDir: z.string().min(1).optional(),
    stateDir: z.string().min(1).optional(),
    spoolLimitBytes: z.number().int().min(256 * 1024, 'spoolLimitBytes must be at least 262144 (256 KiB)').optional(),
    /** HTTP(S) proxy that supports CONNECT, e.g. http://proxy.bank.local:8080. */
    proxy: z.string().url('proxy must be a URL such as http://proxy:8080').optional(),
    allowHttp: z.boolean().optional(),
    /** Fleet enrollment secret; when present a revoked key leads to automatic re-enrollment. */
    enrollmentSecret: z.string().min(1).optional(),
    deviceId: z.string().min(1).max(200).optional(),
    hostname: z.string().min(1).max(255).optional(),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).optional(),
    /** Base of the exponential retry backoff, 5–30 seconds. */
    retryBaseSeconds: z.number().min(5).max(30).optional(),
    /** Quiet period after the last change in the CBS folder before a cycle starts. */
    watchDebounceSeconds: z.number().min(1).max(50).optional(),
    /** Target share of one core for the first scan of a large log (0.05–1). */
    scanCpuShare: z.number().min(0.05).max(1).optional(),
  })
  .strict();
export type AgentConfigFile = z.infer<typeof agentConfigFileSchema>;

/** The resolved configuration every command receives. */
export interface AgentConfig {
  server: string | null;
  caBundle: string | null;
  schedule: string;
  logsDir: string | null;
  stateDir: string;
  spoolLimitBytes: number;
  proxy: string | null;
  allowHttp: boolean;
  enrollmentSecret: string | null;
  deviceId: string | null;
  hostname: string | null;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  retryBaseMs: number;
  retryCapMs: number;
  watchDebounceMs: number;
  scanCpuShare: number;
  dryRun: boolean;
  configFile: string | null;
}

export const DEFAULT_SCHEDULE = '*/15 * * * *';
export const DEFAULT_SPOOL_LIMIT_BYTES = 20 * 1024 * 1024;

/** Where the agent keeps state when `--state-dir` is not given. */
export function defaultStateDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'PatchLens');
  return '/var/lib/patchlens';
}

/** The CBS log folder on Windows; elsewhere there is none and `--logs` is required. */
export function defaultLogsDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform !== 'win32') return null;
  return join(env.windir ?? env.SystemRoot ?? 'C:\\Windows', 'Logs', 'CBS');
}

const FLAG_OPTIONS = {
  config: { type: 'string' },
  server: { type: 'string' },
  secret: { type: 'string' },
  'state-dir': { type: 'string' },
  logs: { type: 'string' },
  'device-id': { type: 'string' },
  hostname: { type: 'string' },
  'ca-bundle': { type: 'string' },
  proxy: { type: 'string' },
  schedule: { type: 'string' },
  'spool-limit': { type: 'string' },
  'log-level': { type: 'string' },
  'allow-http': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

export interface LoadConfigInput {
  argv: string[];
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** Reads `--config FILE` (if any), validates it, applies flags, and checks the result as a whole. */
export function loadConfig(input: LoadConfigInput): AgentConfig {
  const platform = input.platform ?? process.platform;
  const env = input.env ?? process.env;
  const readFile = input.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const flags = parseConfigFlags(input.argv);
  const file = flags.config ? readConfigFile(flags.config, readFile) : {};
  const spoolFlag = flags['spool-limit'];
  const spoolLimitBytes = spoolFlag === undefined ? file.spoolLimitBytes : parseSpoolLimit(spoolFlag);
  const logLevel = flags['log-level'] ?? file.logLevel ?? 'warn';
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of error, warn, info, debug (got '${logLevel}')`);
  }
  const config: AgentConfig = {
    server: flags.server ?? file.server ?? null,
    caBundle: flags['ca-bundle'] ?? file.caBundle ?? null,
    schedule: flags.schedule ?? file.schedule ?? DEFAULT_SCHEDULE,
    logsDir: flags.logs ?? file.logsDir ?? defaultLogsDir(platform, env),
    stateDir: flags['state-dir'] ?? file.stateDir ?? defaultStateDir(platform, env),
    spoolLimitBytes: spoolLimitBytes ?? DEFAULT_SPOOL_LIMIT_BYTES,
    proxy: flags.proxy ?? file.proxy ?? null,
    allowHttp: flags['allow-http'] ?? file.allowHttp ?? false,
    enrollmentSecret: flags.secret ?? file.enrollmentSecret ?? null,
    deviceId: flags['device-id'] ?? file.deviceId ?? null,
    hostname: flags.hostname ?? file.hostname ?? null,
    logLevel: logLevel as AgentConfig['logLevel'],
    retryBaseMs: (file.retryBaseSeconds ?? 10) * 1000,
    retryCapMs: 10 * MINUTE,
    watchDebounceMs: (file.watchDebounceSeconds ?? 10) * 1000,
    scanCpuShare: file.scanCpuShare ?? 0.5,
    dryRun: flags['dry-run'] ?? false,
    configFile: flags.config ?? null,
  };
  if (!cron.validate(config.schedule)) {
    throw new ConfigError(`schedule '${config.schedule}' is not a cron expression (e.g. "*/15 * * * *" for every 15 minutes)`);
  }
  const hostname = config.hostname === null ? null : hostnameProblem(config.hostname);
  if (hostname) throw new ConfigError(`hostname ${JSON.stringify(config.hostname)} is not valid: ${hostname}`);
  if (config.server !== null) checkServerUrl(config.server, config.allowHttp);
  if (config.proxy !== null) checkProxyUrl(config.proxy);
  return config;
}

/** The flags every command but `scan` takes, as given (not merged with the config file). */
export function parseConfigFlags(argv: string[]) {
  try {
    return parseCommandLine({ args: argv, options: FLAG_OPTIONS }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readConfigFile(path: string, readFile: (path: string) => string): AgentConfigFile {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = agentConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      return key ? `${key}: ${issue.message}` : issue.message;
    });
    throw new ConfigError(`config file ${path} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** `--spool-limit`: a size such as `20MB`, `512k` or `1048576` (bytes), at least 256 KiB. */
export function parseSpoolLimit(text: string): number {
  const bytes = parseSize(text);
  if (bytes === null) throw new ConfigError(`--spool-limit must be a size such as 20MB or 512KB (got '${text}')`);
  if (bytes < 256 * 1024) throw new ConfigError(`--spool-limit must be at least 256KB (got '${text}')`);
  return bytes;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Plain HTTP only for loopback hosts or when explicitly allowed: device keys must not cross a network in clear. */
export function checkServerUrl(server: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(`server '${server}' is not a URL (expected https://host[:port])`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') throw new ConfigError(`server '${server}' must use https:// (or http:// for loopback tests)`);
  if (!allowHttp && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`server '${server}' uses plain http:// to a non-loopback host; use https:// or pass --allow-http`);
  }
  return url;
}

function checkProxyUrl(proxy: string): void {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new ConfigError(`proxy '${proxy}' is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:') throw new ConfigError(`proxy '${proxy}' must be an http:// proxy that supports CONNECT`);
}

/** The logs folder, or a clear error on systems without a default. */
export function requireLogsDir(config: AgentConfig): string {
  if (config.logsDir === null) throw new ConfigError('--logs DIR is required on this system (there is no %windir%\\Logs\\CBS here)');
  return config.logsDir;
}

/** The server URL, or a clear error. */
export function requireServer(config: AgentConfig): string {
  if (config.server === null) throw new ConfigError('no server configured: pass --server URL or set "server" in the config file');
  return config.server;
}
