// A simulation run: its command-line arguments, the fleet it starts and its progress lines (used by `simulate` and `demo`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../../protocol/command-line';
import { parseDuration } from '../../protocol/units';
import { createFleet } from './fleet';
import { FleetRunner, SCENARIOS, type FleetStats, type Scenario } from './fleet-runner';
import { formatMs, LatencyWindow, percentile } from './latency';
import { seededRandom } from './random';

export const SIMULATE_USAGE = `usage: npm run simulate -- --devices N --server URL --secret SECRET [options]

  --devices N          simulated devices (required)
  --server URL         PatchLens server, e.g. http://127.0.0.1:8080 (required)
  --secret SECRET      enrollment secret (npm run admin -- enroll-secret); or PATCHLENS_ENROLL_SECRET
  --scenario NAME      steady (15-minute cadence, default) | burst (Patch Tuesday: all within 10 minutes)
                       | outage-return (everyone at once, honouring 429 Retry-After)
  --speed X            simulated time runs X times faster (default 1; 60 turns 15 minutes into 15 s)
  --cadence DURATION   time between two reports of one device (default 15m)
  --duration DURATION  stop after this much real time (default: run until Ctrl-C)
  --reports N          stop each device after N reports
  --concurrency N      requests in flight at most (default 256)
  --prefix NAME        device id prefix (default sim)
  --seed N             fleet seed (default 1): the same seed gives the same fleet
  --spool              give every device a real agent state folder and spool (in a temp folder)
  --allow-http         allow http:// to a non-loopback server`;

export interface SimulateArgs {
  devices: number;
  server: string;
  secret: string;
  scenario: Scenario;
  speed: number;
  cadenceMs: number;
  durationMs: number | null;
  reports: number | null;
  concurrency: number;
  prefix: string;
  seed: number;
  spool: boolean;
  allowHttp: boolean;
}

export class UsageError extends Error {}

function positive(name: string, text: string | undefined, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number (got '${text}')`);
  return value;
}

function duration(name: string, text: string | undefined, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new UsageError(`--${name} must be a duration like 90s, 15m or 2h (got '${text}')`);
  return ms;
}

const SIMULATE_OPTIONS = {
  devices: { type: 'string' },
  server: { type: 'string' },
  secret: { type: 'string' },
  scenario: { type: 'string' },
  speed: { type: 'string' },
  cadence: { type: 'string' },
  duration: { type: 'string' },
  reports: { type: 'string' },
  concurrency: { type: 'string' },
  prefix: { type: 'string' },
  seed: { type: 'string' },
  spool: { type: 'boolean' },
  'allow-http': { type: 'boolean' },
} as const;

function simulateFlags(argv: string[]) {
  try {
    return parseCommandLine({ args: argv, options: SIMULATE_OPTIONS }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parseSimulateArgs(argv: string[], env: NodeJS.ProcessEnv): SimulateArgs {
  const values = simulateFlags(argv);
  const devices = positive('devices', values.devices, null);
  if (devices === null || !Number.isInteger(devices)) throw new UsageError('--devices N is required (a whole number)');
  if (!values.server) throw new UsageError('--server URL is required');
  const secret = values.secret ?? env.PATCHLENS_ENROLL_SECRET;
  if (!secret) throw new UsageError('--secret is required (print one with: npm run admin -- enroll-secret), or set PATCHLENS_ENROLL_SECRET');
  const scenario = (values.scenario ?? 'steady') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')} (got '${values.scenario}')`);
  const prefix = values.prefix ?? 'sim';
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(prefix)) throw new UsageError(`--prefix must be lower-case letters, digits and dashes (got '${prefix}')`);
  return {
    devices,
    server: values.server,
    secret,
    scenario,
    speed: positive('speed', values.speed, 1)!,
    cadenceMs: duration('cadence', values.cadence, 15 * 60_000)!,
    durationMs: duration('duration', values.duration, null),
    reports: positive('reports', values.reports, null),
    concurrency: positive('concurrency', values.concurrency, 256)!,
    prefix,
    seed: positive('seed', values.seed, 1)!,
    spool: values.spool ?? false,
    allowHttp: values['allow-http'] ?? false,
  };
}

export function describeStats(stats: FleetStats, windowSeconds: number, accepted: number, latencies: number[]): string {
  return (
    `${stats.accepted} reports acknowledged (${(accepted / windowSeconds).toFixed(0)}/s now), ` +
    `HTTP p50 ${formatMs(percentile(latencies, 50))} p99 ${formatMs(percentile(latencies, 99))}, ` +
    `${stats.retryAfter} told to wait (429/503), ${stats.retries - stats.retryAfter} unreachable, ${stats.failed} failed` +
    (stats.lastFailure ? ` (last: ${stats.lastFailure})` : '')
  );
}

export interface SimulationHandle {
  runner: FleetRunner;
  done: Promise<FleetStats>;
  stop(): Promise<FleetStats>;
}

/** Starts a simulated fleet; progress lines go to `print` every `progressMs`. */
export function startSimulation(args: SimulateArgs, print: (line: string) => void, progressMs = 5_000): SimulationHandle {
  const stateRoot = args.spool ? mkdtempSync(join(tmpdir(), `patchlens-${args.prefix}-agents-`)) : null;
  const { devices } = createFleet({
    devices: args.devices,
    server: args.server,
    secret: args.secret,
    allowHttp: args.allowHttp,
    prefix: args.prefix,
    seed: args.seed,
    stateRoot,
  });
  const latencies = new LatencyWindow();
  const runner = new FleetRunner(devices, {
    scenario: args.scenario,
    cadenceMs: args.cadenceMs,
    speed: args.speed,
    concurrency: args.concurrency,
    retry: { baseMs: 10_000, capMs: 10 * 60_000 },
    random: seededRandom(args.seed),
    reportsPerDevice: args.reports,
    onResult: (_device, result, ms) => {
      if (result.kind === 'accepted') latencies.add(ms);
    },
  });
  let lastAccepted = 0;
  const progress = setInterval(() => {
    const accepted = runner.stats.accepted - lastAccepted;
    lastAccepted = runner.stats.accepted;
    print(describeStats(runner.stats, progressMs / 1000, accepted, latencies.take()));
  }, progressMs);
  progress.unref();
  const timer = args.durationMs !== null ? setTimeout(() => runner.stop(), args.durationMs) : null;
  const done = runner.run().finally(() => {
    clearInterval(progress);
    if (timer) clearTimeout(timer);
    if (stateRoot) rmSync(stateRoot, { recursive: true, force: true });
  });
  return {
    runner,
    done,
    stop: () => {
      runner.stop();
      return done;
    },
  };
}

