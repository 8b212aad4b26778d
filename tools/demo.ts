// `npm run demo`: the server on its own throw-away database with a 2,000-device simulated fleet reporting live.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CommandLineError, parseCommandLine } from '../protocol/command-line';
import { adminCommand, freePort, startServerProcess } from './simulator/server-process';
import { startSimulation, UsageError } from './simulator/simulation';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_PASSWORD = 'patchlens demo';
/** 15 simulated minutes pass every 30 s: every device reports twice a minute, repairs and stale devices show within minutes. */
const DEMO_SPEED = 30;

const print = (line: string) => process.stdout.write(`${line}\n`);

const DEMO_USAGE = 'usage: npm run demo -- [--devices N] [--port PORT]';

interface DemoOptions {
  devices: number;
  /** 0 picks a free port. */
  port: number;
}

/** The demo's flags, checked: a fleet of at least one device on a valid port. */
function demoOptions(flags: { devices?: string | undefined; port?: string | undefined }, env: NodeJS.ProcessEnv): DemoOptions {
  const devices = Number(flags.devices ?? 2_000);
  if (!/^\d+$/.test(flags.devices ?? '1') || devices < 1) throw new UsageError(`--devices must be a whole number of at least 1 (got '${flags.devices}')`);
  const portText = flags.port ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new UsageError(`--port must be a port number from 0 to 65535 (got '${portText}')`);
  return { devices, port };
}

async function runDemo({ devices, port }: DemoOptions): Promise<void> {
  // Demo data lives only in a fresh temporary folder, never in DATA_DIR: it cannot mix with a real fleet.
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-demo-'));
  writeFileSync(join(dataDir, 'DEMO-DATA.txt'), 'Simulated PatchLens demo fleet (npm run demo). Not a real database; removed when the demo stops.\n');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'dashboard', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the dashboard build failed');

  const server = await startServerProcess({
    dataDir,
    port: port === 0 ? await freePort() : port,
    // Devices quiet for 5 minutes count as stale, so the demo shows stale devices without waiting 14 days;
    // throw-away data needs no flush to disk at every commit.
    env: { PATCHLENS_ADMIN_PASSWORD: DEMO_PASSWORD, STALE_AFTER: '5m', LOG_LEVEL: 'error', SQLITE_SYNCHRONOUS: 'NORMAL' },
  });
  const secret = await adminCommand(dataDir, 'enroll-secret', '--name', 'demo fleet');
  print(
    `\nPatchLens DEMO — ${devices} simulated devices (DEMO-WS-…) reporting live.\n` +
      `  Dashboard: ${server.url}/   user: admin   password: ${DEMO_PASSWORD}\n` +
      `  Database:  ${dataDir} (temporary demo data, deleted on exit)\n` +
      `  Ctrl-C stops the demo.\n`,
  );

  const simulation = startSimulation(
    {
      devices,
      server: server.url,
      secret,
      // The fleet arrives as on a Patch Tuesday (all within 10 simulated minutes), then reports every 15.
      scenario: 'burst',
      speed: DEMO_SPEED,
      cadenceMs: 15 * 60_000,
      durationMs: null,
      reports: null,
      concurrency: 64,
      prefix: 'demo',
      seed: 2024,
      spool: false,
      allowHttp: false,
    },
    (line) => print(`[demo fleet] ${line}`),
    15_000,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    print('\nstopping the demo…');
    await simulation.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  server.child.once('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`demo: the server stopped unexpectedly (${code})\n`);
    void simulation.stop().then(() => process.exit(1));
  });
}

/** `npm run demo -- …` (and `npm start -- --demo …`): a flag mistake exits 2 with the usage, a failed start exits 1. */
export async function demoMain(argv: string[]): Promise<void> {
  let options: DemoOptions;
  try {
    const { values } = parseCommandLine({ args: argv, options: { devices: { type: 'string' }, port: { type: 'string' } } });
    options = demoOptions(values, process.env);
  } catch (error) {
    if (!(error instanceof CommandLineError || error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n${DEMO_USAGE}\n`);
    process.exit(2);
  }
  try {
    await runDemo(options);
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await demoMain(process.argv.slice(2));
