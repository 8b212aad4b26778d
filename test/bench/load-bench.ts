// `npm run bench:load`: 100,000 simulated agents (real report builder and transport) against one server process:
// burst enrollment, ingest with 0 vs 1,000 dashboards side by side, report-to-dashboard latency, page queries, RSS and database size.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFleet } from '../../tools/simulator/fleet';
import { FleetRunner, type FleetRunOptions } from '../../tools/simulator/fleet-runner';
import { formatMs, percentile } from '../../tools/simulator/latency';
import { seededRandom } from '../../tools/simulator/random';
import { adminCommand, freePort, startServerProcess } from '../../tools/simulator/server-process';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from '../../server/security/secrets';
import { openSqliteStorage } from '../../server/storage/sqlite/storage';
import type { SimulatedDevice } from '../../tools/simulator/simulated-device';
import { describeCheck, mean, neighbourBaseline, parseSwarmSpec, processCpuSeconds, startSwarm, swarmAuth, type SwarmClient, type SwarmLive, type SwarmResult } from './swarm';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const DASHBOARDS = Number(process.env.BENCH_DASHBOARDS ?? 1_000);
/**
 * Ingest phases in order, each `dashboards[:client[:live]]` (see parseSwarmSpec); alternating so that the
 * machine's drift hits both sides. Default client `wire` (bare engine.io, light on the shared cores), default
 * live mode `tick` (one message per tick, as the dashboard asks for).
 */
const PHASES = (process.env.BENCH_PHASES ?? [0, ...Array.from({ length: 5 }, () => `${DASHBOARDS},0`)].join(',')).split(',').map(parseSwarmSpec);
/** Niceness of the dashboards' process: real dashboards run in browsers on other machines. */
const DASHBOARD_NICE = Number(process.env.BENCH_DASHBOARD_NICE ?? 10);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** Devices that enroll over HTTP (one fsynced transaction each); the rest get keys straight in the database first. */
const HTTP_ENROLLMENTS = Math.min(DEVICES, Number(process.env.BENCH_HTTP_ENROLLMENTS ?? 2_000));
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The API calls behind each dashboard page (what a page waits for before it renders). */
const PAGES: [page: string, path: (device: string) => string][] = [
  ['overview        GET /fleet/summary', () => '/api/v1/fleet/summary'],
  ['devices         GET /devices?limit=50', () => '/api/v1/devices?limit=50'],
  ['devices search  GET /devices?q=LOAD-WS-01', () => '/api/v1/devices?limit=50&q=LOAD-WS-01'],
  ['devices by KB   GET /devices?kb=KB5048652&state=Failed', () => '/api/v1/devices?limit=50&kb=KB5048652&state=Failed'],
  ['device          GET /devices/:id', (device) => `/api/v1/devices/${device}`],
  ['clusters        GET /corruption/clusters', () => '/api/v1/corruption/clusters'],
  ['cluster         GET /devices?family=dual_wpdmtp.inf', () => '/api/v1/devices?limit=50&family=dual_wpdmtp.inf'],
  ['updates         GET /kbs', () => '/api/v1/kbs'],
  ['errors          GET /errors', () => '/api/v1/errors'],
];

const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
function get(port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: keepAlive, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function procStatus(pid: number): { rssMb: number; peakMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuSeconds: processCpuSeconds(pid) };
}

/** Nanoseconds the process's main thread has spent runnable but waiting for a core (Linux schedstat). */
function runQueueWaitNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return NaN;
  }
}

function databaseMb(dataDir: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      bytes += statSync(join(dataDir, `patchlens.sqlite${suffix}`)).size;
    } catch {
      // not there
    }
  }
  return bytes / 1024 / 1024;
}

interface Phase {
  dashboards: number;
  client: SwarmClient;
  live: SwarmLive;
  reportsPerSecond: number;
  serverCpu: number;
  /** Share of the phase the server's main thread was ready to run but waited for a core. */
  serverWaited: number;
  /** CPU share of the load generator (this process) and of the dashboards' process. */
  generatorCpu: number;
  dashboardCpu: number;
  http: number[];
  toDashboard: number[];
  retryAfter: number;
  /** Events each dashboard received per second, by name. */
  eventsPerDashboardSecond: Record<string, number>;
  check: SwarmResult['check'];
  /** Overview reads all dashboards made per second after deltas (as the dashboard paces them), and failed ones. */
  pageReads: { perSecond: number; failed: number };
}

function runnerOptions(overrides: Partial<FleetRunOptions>): FleetRunOptions {
  return {
    scenario: 'outage-return',
    cadenceMs: 24 * 3_600_000,
    speed: 1,
    concurrency: CONCURRENCY,
    retry: { baseMs: 1_000, capMs: 10_000 },
    random: seededRandom(7),
    reportsPerDevice: null,
    ...overrides,
  };
}

/** Every device reports as fast as the server takes it for PHASE_SECONDS; dashboards (if any) listen meanwhile. */
async function ingestPhase(devices: SimulatedDevice[], serverPid: number, port: number, token: string, plan: (typeof PHASES)[number], offset: number): Promise<Phase> {
  const { dashboards, client } = plan;
  const live = dashboards > 0 ? await startSwarm({ url: `http://127.0.0.1:${port}`, count: dashboards, client, auth: swarmAuth(token, plan.live), pageReads: true }, DASHBOARD_NICE) : null;
  const acked: { sent: number; acked: number }[] = [];
  const http: number[] = [];
  // Rotate through the fleet so each phase reaches different devices (states move on as devices report again).
  const order = devices.slice(offset).concat(devices.slice(0, offset));
  const runner = new FleetRunner(
    order,
    runnerOptions({
      onResult: (_device, result, ms) => {
        if (result.kind !== 'accepted') return;
        const now = performance.timeOrigin + performance.now();
        http.push(ms);
        acked.push({ sent: now - ms, acked: now });
      },
    }),
  );
  const cpuBefore = procStatus(serverPid).cpuSeconds;
  const waitBefore = runQueueWaitNs(serverPid);
  const generatorBefore = process.cpuUsage();
  const dashboardsBefore = live?.cpuSeconds() ?? 0;
  const started = performance.now();
  const timer = setTimeout(() => runner.stop(), PHASE_SECONDS * 1000);
  const stats = await runner.run();
  clearTimeout(timer);
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = (procStatus(serverPid).cpuSeconds - cpuBefore) / elapsed;
  const serverWaited = (runQueueWaitNs(serverPid) - waitBefore) / 1e9 / elapsed;
  const generator = process.cpuUsage(generatorBefore);
  const generatorCpu = (generator.user + generator.system) / 1e6 / elapsed;
  const dashboardCpu = ((live?.cpuSeconds() ?? 0) - dashboardsBefore) / elapsed;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const received = (await live?.stop()) ?? { arrivals: [], events: {}, check: null, pageReads: { ok: 0, failed: 0 } };
  const deltas = received.arrivals;

  // Report → dashboard: from sending a report to the first fleet:delta a dashboard receives after the ack
  // (an upper bound: the delta that carries the report can be no later than that one).
  const toDashboard: number[] = [];
  const sample = acked.filter((_, i) => i % 20 === 0).sort((a, b) => a.acked - b.acked);
  for (const times of deltas) {
    let j = 0;
    for (const report of sample) {
      while (j < times.length && times[j]! < report.acked) j++;
      if (j < times.length) toDashboard.push(times[j]! - report.sent);
    }
  }
  const eventsPerDashboardSecond = Object.fromEntries(Object.entries(received.events).map(([name, n]) => [name, n / dashboards / (elapsed + 1)]));
  return {
    dashboards,
    client,
    live: plan.live,
    eventsPerDashboardSecond,
    check: received.check,
    pageReads: { perSecond: received.pageReads.ok / (elapsed + 1), failed: received.pageReads.failed },
    reportsPerSecond: acked.length / elapsed,
    serverCpu,
    serverWaited,
    generatorCpu,
    dashboardCpu,
    http: http.sort((a, b) => a - b),
    toDashboard: toDashboard.sort((a, b) => a - b),
    retryAfter: stats.retryAfter,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The drop with dashboards, raw and per server CPU-second, and where the CPU went. Each dashboard phase is
 * compared with the 0-dashboard phases right before and after it, so a machine that slowly gets busier or
 * calmer (other work, the growing database) does not count as the dashboards' cost. The server's cost is its
 * CPU beyond what the neighbouring 0-dashboard phases spent per report (the live fan-out); the dashboards'
 * own process is measured separately.
 */
function compareDashboardCost(phases: Phase[]): void {
  const groups = new Map<string, { ratio: number; cpuRatio: number; extraServer: number; messages: number; swarmCpu: number }[]>();
  phases.forEach((p, i) => {
    const baseline = p.dashboards === 0 ? null : neighbourBaseline(phases, i);
    if (!baseline) return;
    const { rate, perCpu } = baseline;
    const key = `${p.dashboards} ${p.client} (${p.live})`;
    groups.set(key, [
      ...(groups.get(key) ?? []),
      {
        ratio: p.reportsPerSecond / rate,
        cpuRatio: p.reportsPerSecond / p.serverCpu / perCpu,
        extraServer: p.serverCpu - p.reportsPerSecond / perCpu,
        messages: Object.values(p.eventsPerDashboardSecond).reduce((a, b) => a + b, 0) * p.dashboards,
        swarmCpu: p.dashboardCpu,
      },
    ]);
  });
  for (const [label, list] of groups) {
    const ratio = mean(list.map((c) => c.ratio));
    const cpuRatio = mean(list.map((c) => c.cpuRatio));
    const extraServer = mean(list.map((c) => c.extraServer));
    const messages = mean(list.map((c) => c.messages));
    const drops = list.map((c) => `${((1 - c.ratio) * 100).toFixed(1)}%`).join(', ');
    log(
      `  ${label} dashboards vs the 0-dashboard phases around them: ingest ${ratio.toFixed(3)} (drop ${((1 - ratio) * 100).toFixed(1)}%, median ${((1 - median(list.map((c) => c.ratio))) * 100).toFixed(1)}%; per phase ${drops}); ` +
        `per server CPU-second ${cpuRatio.toFixed(3)} (drop ${((1 - cpuRatio) * 100).toFixed(1)}%)`,
    );
    log(
      `    CPU the dashboards cost: server ${(extraServer * 100).toFixed(1)}% of a core beyond its per-report cost (${messages.toFixed(0)} messages/s written, ` +
        `${((extraServer * 1e6) / messages).toFixed(0)} µs each); the dashboards' own process ${(mean(list.map((c) => c.swarmCpu)) * 100).toFixed(1)}% of a core`,
    );
  }
}

/** Issues device keys for devices [from, to) through the storage layer, before the server starts. */
async function preEnroll(dataDir: string, devices: SimulatedDevice[], from: number): Promise<void> {
  const storage = openSqliteStorage(dataDir, { synchronous: 'NORMAL' });
  try {
    for (const device of devices.slice(from)) {
      const key = generateCredential(CREDENTIAL_PREFIX.deviceKey);
      await storage.credentials.issueDeviceKey({ deviceId: device.plan.deviceId, hostname: device.plan.hostname, keyHash: hashCredential(key), secretId: null, now: Date.now() });
      device.adoptKey(key);
    }
  } finally {
    storage.close();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-load-'));
  const port = await freePort();
  const secret = await adminCommand(dataDir, 'enroll-secret', '--name', 'load bench');
  const token = await adminCommand(dataDir, 'token', '--role', 'viewer', '--name', 'load bench');
  const url = `http://127.0.0.1:${port}`;
  const { devices, builder } = createFleet({ devices: DEVICES, server: url, secret, prefix: 'load', seed: 1, stateRoot: null });
  await preEnroll(dataDir, devices, HTTP_ENROLLMENTS);
  const server = await startServerProcess({ dataDir, port, env: { PATCHLENS_ADMIN_PASSWORD: 'load bench password' } });
  const pid = server.child.pid!;
  try {
    log(`PatchLens load benchmark: ${DEVICES} simulated agents, ${CONCURRENCY} requests in flight, ${PHASE_SECONDS} s per ingest phase, ${cpus().length} cores`);

    // 0. Enrollment over HTTP (the rest of the fleet was given keys in the database beforehand).
    const enrollStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < HTTP_ENROLLMENTS) await devices[next++]!.enroll();
      }),
    );
    const enrollSeconds = (performance.now() - enrollStarted) / 1000;
    log(`
enrollment over HTTP: ${HTTP_ENROLLMENTS} devices in ${enrollSeconds.toFixed(1)} s, ${(HTTP_ENROLLMENTS / enrollSeconds).toFixed(0)} enrollments/s`);

    // 1. Everyone at once (return after an outage, on an empty database): every device sends its first report.
    const burstStarted = performance.now();
    const burstHttp: number[] = [];
    const burst = await new FleetRunner(
      devices,
      runnerOptions({ reportsPerDevice: 1, onResult: (_d, result, ms) => result.kind === 'accepted' && burstHttp.push(ms) }),
    ).run();
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    burstHttp.sort((a, b) => a - b);
    log(
      `first report of all ${DEVICES} devices at once (empty database): ${burstSeconds.toFixed(0)} s, ${(burst.accepted / burstSeconds).toFixed(0)} reports/s, ` +
        `HTTP p50 ${formatMs(percentile(burstHttp, 50))} p99 ${formatMs(percentile(burstHttp, 99))}, ` +
        `${burst.retryAfter} told to wait (429), ${burst.failed} failed${burst.lastFailure ? ` (${burst.lastFailure})` : ''}; ` +
        `${builder.logs.parsedStates} distinct log states parsed`,
    );
    const afterBurst = procStatus(pid);
    log(`server RSS ${afterBurst.rssMb.toFixed(0)} MB (peak ${afterBurst.peakMb.toFixed(0)} MB), database ${databaseMb(dataDir).toFixed(0)} MB`);

    // 2. Ingest side by side: 0 and DASHBOARDS dashboards, alternating (BENCH_PHASES).
    const phases: Phase[] = [];
    let offset = 0;
    for (const plan of PHASES) {
      phases.push(await ingestPhase(devices, pid, server.port, token, plan, offset));
      offset = (offset + 37_813) % DEVICES;
    }
    log(`\ningest over HTTP (new connection per report, 202 after the group commit; dashboards' process at nice ${DASHBOARD_NICE}):`);
    for (const p of phases) {
      const events = Object.entries(p.eventsPerDashboardSecond).map(([name, n]) => `${name} ${n.toFixed(2)}/s`).join(', ');
      log(
        `  ${String(p.dashboards).padStart(5)} dashboards${p.dashboards > 0 ? ` (${`${p.client}, ${p.live}`.padEnd(16)})` : ' '.repeat(19)}: ${p.reportsPerSecond.toFixed(0).padStart(5)} reports/s, server CPU ${(p.serverCpu * 100).toFixed(0)}% (waited for a core ${(p.serverWaited * 100).toFixed(0)}%) ` +
          `(${(p.reportsPerSecond / p.serverCpu).toFixed(0)} reports per server CPU-second; load generator ${(p.generatorCpu * 100).toFixed(0)}%, dashboards ${(p.dashboardCpu * 100).toFixed(1)}%), ` +
          `HTTP p50 ${formatMs(percentile(p.http, 50))} p99 ${formatMs(percentile(p.http, 99))}` +
          (p.dashboards > 0 ? `, report→dashboard p95 ${formatMs(percentile(p.toDashboard, 95))} p99 ${formatMs(percentile(p.toDashboard, 99))}; each dashboard got ${events}; overview reads after deltas ${p.pageReads.perSecond.toFixed(1)}/s${p.pageReads.failed ? ` (${p.pageReads.failed} failed)` : ''}` : '') +
          (p.retryAfter ? `, ${p.retryAfter} × 429` : ''),
      );
    }
    for (const p of phases) if (p.check) log(`  ${describeCheck(p.check)}`);
    compareDashboardCost(phases);

    // 3. Page queries on the loaded fleet.
    log('\ndashboard page queries on the full fleet (100 requests each, idle server):');
    for (const [page, path] of PAGES) {
      const times: number[] = [];
      let status = 200;
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        const code = await get(server.port, path(devices[(i * 7_919) % DEVICES]!.plan.deviceId), token);
        times.push(performance.now() - started);
        if (code !== 200) status = code;
      }
      times.sort((a, b) => a - b);
      log(`  ${page.padEnd(52)} p50 ${formatMs(percentile(times, 50)).padStart(8)}  p95 ${formatMs(percentile(times, 95)).padStart(8)}  [HTTP ${status}]`);
    }
    const end = procStatus(pid);
    log(`\nserver RSS ${end.rssMb.toFixed(0)} MB (peak ${end.peakMb.toFixed(0)} MB); database ${databaseMb(dataDir).toFixed(0)} MB for ${DEVICES} devices`);
    log(`load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} (the load generator and the dashboards share the machine with the server)`);
  } finally {
    keepAlive.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:load failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
