// `npm run bench:server`: seeds a 100,000-device fleet, runs the real server in a child process, and measures
// ingest over HTTP with 0 / 100 / 1,000 dashboards connected (in a separate swarm process), report-to-dashboard
// latency and read-query latency, idle and under ingest.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { composeServer } from '../../server/compose';
import { loadConfig } from '../../server/config';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from '../../server/security/secrets';
import type { IngestItem } from '../../server/storage/repository';
import { openSqliteStorage } from '../../server/storage/sqlite/storage';
import { apiToken, startTestServer } from '../server/harness';
import { spawnServer, type SpawnedServer } from '../server/spawn-server';
import { describeCheck, neighbourBaseline, parseSwarmSpec, processCpuSeconds as cpuSeconds, startSwarm, swarmAuth } from './swarm';
import { deviceId, syntheticDeviceReport } from './synthetic-fleet';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const LOAD_DEVICES = Math.min(DEVICES, 5_000);
/** Share of load reports whose content differs from the device's stored state. */
const CHANGED_SHARE = 0.1;
/** Dashboard sockets as `client[:live]` (see parseSwarmSpec): `wire` (bare engine.io) or `socket.io`; `tick` or `events`. */
const { client: DASHBOARD_CLIENT, live: DASHBOARD_LIVE } = parseSwarmSpec(`0:${process.env.BENCH_DASHBOARDS_AS ?? 'wire:tick'}`);
/** Niceness of the dashboards' process: real dashboards run in browsers on other machines. */
const DASHBOARD_NICE = Number(process.env.BENCH_DASHBOARD_NICE ?? 10);
const openSwarm = (port: number, token: string, count: number) =>
  startSwarm({ url: `http://127.0.0.1:${port}`, count, client: DASHBOARD_CLIENT, auth: swarmAuth(token, DASHBOARD_LIVE) }, DASHBOARD_NICE);
/** The /api/v1 read routes measured, with the query each one answers. */
const QUERIES: [label: string, path: (i: number) => string][] = [
  ['overview   GET /fleet/summary', () => '/api/v1/fleet/summary'],
  ['kbs        GET /kbs', () => '/api/v1/kbs'],
  ['errors     GET /errors', () => '/api/v1/errors'],
  ['clusters   GET /corruption/clusters', () => '/api/v1/corruption/clusters'],
  ['devices    GET /devices?limit=50', () => '/api/v1/devices?limit=50'],
  ['devices    GET /devices?kb=KB5043064&state=Failed', () => '/api/v1/devices?limit=50&kb=KB5043064&state=Failed'],
  ['devices    GET /devices?family=dual_wpdmtp.inf', () => '/api/v1/devices?limit=50&family=dual_wpdmtp.inf'],
  ['device     GET /devices/:id', (i) => `/api/v1/devices/${deviceId((i * 7919) % DEVICES)}`],
];

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Writes the fleet straight through the storage ingest path (same projections as the server), and device keys. */
async function seed(dataDir: string): Promise<{ keys: string[]; token: string }> {
  const config = loadConfig({}, { dataDir, logLevel: 'silent', adminPassword: 'benchmark password' });
  const storage = openSqliteStorage(dataDir, { synchronous: 'NORMAL' });
  const app = await composeServer({ config, storage, logger: pino({ level: 'silent' }), schedule: false });
  const projections = [app.fleet!.projection];
  const started = performance.now();
  const batch = 1_000;
  for (let from = 0; from < DEVICES; from += batch) {
    const items: IngestItem[] = [];
    for (let i = from; i < Math.min(DEVICES, from + batch); i++) {
      const report = syntheticDeviceReport(i, 1);
      items.push({ report, rawBody: JSON.stringify(report), deviceId: report.device.id, receivedAt: Date.now() });
    }
    await storage.reports.ingestBatch(items, projections, Date.now());
  }
  const keys: string[] = [];
  for (let i = 0; i < LOAD_DEVICES; i++) {
    const key = generateCredential(CREDENTIAL_PREFIX.deviceKey);
    await storage.credentials.issueDeviceKey({ deviceId: deviceId(i), hostname: deviceId(i), keyHash: hashCredential(key), secretId: null, now: Date.now() });
    keys.push(key);
  }
  await app.ctx.admin.ensureInitialAdmin('benchmark password');
  const { token } = await app.ctx.admin.createApiToken({ name: 'bench', ip: null }, { name: 'bench', role: 'viewer' });
  log(`seeded ${DEVICES} devices in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  storage.close();
  return { keys, token };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function call(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { ...headers, 'Content-Length': Buffer.byteLength(body) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Steady-state reports repeat the seeded content; their JSON is built once per device so the load generator stays light. */
const unchangedTemplates = new Map<number, string>();
function unchangedBody(device: number, sequence: number, reportId: string): string {
  let template = unchangedTemplates.get(device);
  if (!template) {
    const report = syntheticDeviceReport(device, 1);
    template = JSON.stringify({ ...report, reportId: '@ID@', sequence: -1, generatedAt: '@AT@' });
    unchangedTemplates.set(device, template);
  }
  return template
    .replace('"@ID@"', JSON.stringify(reportId))
    .replace('"sequence":-1', `"sequence":${sequence}`)
    .replace('"@AT@"', JSON.stringify(new Date(Date.UTC(2024, 10, 1) + sequence * 60_000).toISOString()));
}

const epochNow = () => performance.timeOrigin + performance.now();

interface PhaseResult {
  dashboards: number;
  reportsPerSecond: number;
  /** Server CPU use during the phase, 1 = one core busy. */
  serverCpu: number;
  latencies: number[];
  errors: Record<string, number>;
  toDashboard: number[];
}

async function loadPhase(serverPid: number, port: number, keys: string[], token: string, dashboards: number, sequenceBase: number, seconds = PHASE_SECONDS): Promise<PhaseResult> {
  const swarm = dashboards > 0 ? await openSwarm(port, token, dashboards) : null;
  const acked: { sent: number; acked: number }[] = [];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const n = next++;
      const device = n % keys.length;
      const sequence = sequenceBase + Math.floor(n / keys.length) + 1;
      const changed = (n * 2654435761) % 100 < CHANGED_SHARE * 100;
      const body = changed
        ? JSON.stringify({ ...syntheticDeviceReport(device, sequence, sequence), reportId: `load-${sequenceBase}-${n}` })
        : unchangedBody(device, sequence, `load-${sequenceBase}-${n}`);
      const sent = epochNow();
      const res = await call(port, 'POST', '/api/v1/reports', { 'Content-Type': 'application/json', Authorization: `Bearer ${keys[device]}` }, body);
      const done = epochNow();
      if (res.status === 202) {
        latencies.push(done - sent);
        acked.push({ sent, acked: done });
      } else errors[res.status] = (errors[res.status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  const cpuBefore = cpuSeconds(serverPid);
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = (cpuSeconds(serverPid) - cpuBefore) / elapsed;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const received = swarm ? await swarm.stop() : null;
  if (received?.check) describeCheck(received.check);
  const deltaTimes = received?.arrivals ?? [];

  // Report → dashboard: from sending a report to the first fleet:delta a dashboard receives after the
  // server acknowledged it (an upper bound: the delta carrying it can be no later than that one).
  const toDashboard: number[] = [];
  const sample = acked.filter((_, i) => i % 10 === 0);
  for (const times of deltaTimes) {
    let j = 0;
    for (const report of [...sample].sort((a, b) => a.acked - b.acked)) {
      while (j < times.length && times[j]! < report.acked) j++;
      if (j < times.length) toDashboard.push(times[j]! - report.sent);
    }
  }
  return { dashboards, reportsPerSecond: acked.length / elapsed, serverCpu, latencies: latencies.sort((a, b) => a - b), errors, toDashboard: toDashboard.sort((a, b) => a - b) };
}

async function queryLatencies(port: number, token: string, count: number): Promise<{ label: string; p50: number; p95: number; status: number }[]> {
  const results = [];
  for (const [label, path] of QUERIES) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const res = await call(port, 'GET', path(i), { Authorization: `Bearer ${token}` });
      times.push(performance.now() - started);
      status = res.status === 200 ? status || 200 : res.status;
    }
    times.sort((a, b) => a - b);
    results.push({ label, p50: percentile(times, 50), p95: percentile(times, 95), status });
  }
  return results;
}

/**
 * The live hub's own cost per tick, in this process: one `fleet:delta` (and one `cluster:changed`) broadcast to
 * every connected socket, with the event loop turning between ticks so each socket write is a real write.
 * Side by side for 0, 100 and 1,000 dashboards; the 0-dashboard line is the tick's fixed cost.
 */
async function fanoutCost(): Promise<void> {
  const TICKS = 200;
  const server = await startTestServer({ config: { liveIntervalMs: 3_600_000 } });
  try {
    const token = await apiToken(server, 'viewer');
    const { bus } = server.patchlens.ctx;
    const tick = async (i: number, cluster: boolean) => {
      bus.publish('reports.committed', { accepted: 100, at: Date.now() });
      bus.publish('counters.changed', { values: { kb: { KB5043064: i, KB5044284: i + 1 }, fleet: { failed: i } }, at: Date.now() });
      if (cluster) bus.publish('cluster.changed', { family: 'dual_wpdmtp.inf', deviceCount: i, at: new Date().toISOString() });
      server.patchlens.live.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const cpuPerTick = async (cluster: boolean) => {
      const before = process.cpuUsage();
      for (let i = 0; i < TICKS; i++) await tick(i, cluster);
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1_000 / TICKS;
    };
    log('\nlive fan-out per tick (in-process hub, dashboards in a separate process, server CPU per tick; events: separate messages, tick: one live:tick):');
    for (const [dashboards, live] of [[0, 'tick'], [100, 'events'], [100, 'tick'], [1000, 'events'], [1000, 'tick']] as const) {
      const swarm = dashboards > 0 ? await startSwarm({ url: server.url, count: dashboards, client: DASHBOARD_CLIENT, auth: swarmAuth(token, live), pageReads: true }, DASHBOARD_NICE) : null;
      await cpuPerTick(false); // warm-up
      const delta = await cpuPerTick(false);
      const both = await cpuPerTick(true);
      await swarm?.stop();
      const perSocket = dashboards > 0 ? `  (${((delta * 1_000) / dashboards).toFixed(1)} µs per dashboard per message)` : '';
      log(`  ${String(dashboards).padStart(4)} dashboards${dashboards > 0 ? ` (${live.padEnd(6)})` : ' '.repeat(9)}: delta ${ms(delta)}, delta + cluster change ${ms(both)}${perSocket}`);
    }
  } finally {
    await server.close();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_FANOUT_ONLY) {
    await fanoutCost();
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'patchlens-bench-'));
  let spawned: SpawnedServer | null = null;
  try {
    log(`PatchLens server benchmark: ${DEVICES} devices, ${PHASE_SECONDS} s per phase, ${CONCURRENCY} concurrent agents, ${CHANGED_SHARE * 100}% of reports changed, SQLite synchronous=${process.env.SQLITE_SYNCHRONOUS ?? 'NORMAL (server default)'}`);
    const { keys, token } = await seed(dataDir);
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    // The server's own default (NORMAL) unless SQLITE_SYNCHRONOUS is given, so FULL and NORMAL can be compared.
    const synchronous = process.env.SQLITE_SYNCHRONOUS;
    spawned = await spawnServer(dataDir, synchronous ? { SQLITE_SYNCHRONOUS: synchronous } : {}, profile);
    const server = spawned.child;
    const { port } = spawned;

    log('\nread queries, idle server (200 requests each over HTTP, API token):');
    for (const q of await queryLatencies(port, token, 200)) log(`  ${q.label.padEnd(52)} p50 ${ms(q.p50).padStart(9)}  p95 ${ms(q.p95).padStart(9)}  [HTTP ${q.status}]`);

    // Warm-up (JIT, page cache, connection pool), not reported.
    await loadPhase(server.pid!, port, keys, token, 0, 1, 3);
    const phases: PhaseResult[] = [];
    let sequenceBase = 10_001;
    // Dashboard phases sit between 0-dashboard phases and are compared with the mean of their two
    // neighbours, so a machine that speeds up or slows down during the run does not pass for their cost.
    for (const dashboards of [0, 100, 0, 1000, 0]) {
      const result = await loadPhase(server.pid!, port, keys, token, dashboards, sequenceBase);
      sequenceBase += 10_000;
      phases.push(result);
    }
    log('\ningest over HTTP (POST /api/v1/reports, 202 after commit):');
    phases.forEach((p, i) => {
      const baseline = p.dashboards > 0 ? neighbourBaseline(phases, i) : null;
      const errors = Object.keys(p.errors).length ? ` non-202: ${JSON.stringify(p.errors)}` : '';
      const dash = p.dashboards > 0 ? `  report→dashboard p95 ${ms(percentile(p.toDashboard, 95))} p99 ${ms(percentile(p.toDashboard, 99))}` : '';
      log(
        `  ${String(p.dashboards).padStart(4)} dashboards: ${p.reportsPerSecond.toFixed(0).padStart(6)} reports/s` +
          (baseline
            ? ` (${((p.reportsPerSecond / baseline.rate) * 100).toFixed(1)}% of the 0-dashboard phases around it; per server CPU-second ${((p.reportsPerSecond / p.serverCpu / baseline.perCpu) * 100).toFixed(1)}%)`
            : '') +
          ` server CPU ${(p.serverCpu * 100).toFixed(0)}%, ${(p.reportsPerSecond / p.serverCpu).toFixed(0)} reports per server CPU-second` +
          `  HTTP p50 ${ms(percentile(p.latencies, 50))} p99 ${ms(percentile(p.latencies, 99))}${dash}${errors}`,
      );
    });

    log('\nread queries while ingesting (100 dashboards connected, 40 requests each):');
    const busy = loadPhase(server.pid!, port, keys, token, 100, sequenceBase, 2 * PHASE_SECONDS);
    for (const q of await queryLatencies(port, token, 40)) log(`  ${q.label.padEnd(52)} p50 ${ms(q.p50).padStart(9)}  p95 ${ms(q.p95).padStart(9)}  [HTTP ${q.status}]`);
    await busy;
    await fanoutCost();
    log(`\nload average during the run: ${loadavg().map((n) => n.toFixed(1)).join(' ')} on ${cpus().length} cores (other processes share the machine)`);
  } finally {
    if (spawned) {
      spawned.child.kill('SIGTERM');
      await spawned.exited;
    }
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
