// The fleet simulator: reports come from the real fixture logs through the parser, the fleet has the promised shape,
// and its schedules behave (burst inside 10 minutes, everyone at once honouring 429 Retry-After, repairs and stale devices).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reportSchema } from '../../protocol/report';
import { FleetReportBuilder } from '../../tools/simulator/device-report';
import { createFleet } from '../../tools/simulator/fleet';
import { redate } from '../../tools/simulator/fleet-logs';
import { planDevice, stateAt } from '../../tools/simulator/fleet-plan';
import { BURST_WINDOW_MS, FleetRunner, type FleetRunOptions } from '../../tools/simulator/fleet-runner';
import { seededRandom } from '../../tools/simulator/random';
import type { SimulatedDevice } from '../../tools/simulator/simulated-device';
import { parseSimulateArgs } from '../../tools/simulator/simulation';
import { apiToken, startTestServer, type TestServer } from '../server/harness';
import type { SqliteStorage } from '../../server/storage/sqlite/storage';
import { testSeed } from '../support/seed';

const shape = { prefix: 'sim', seed: 1 };

describe('simulated fleet shape', () => {
  const builder = new FleetReportBuilder();
  const plans = Array.from({ length: 4_000 }, (_, i) => planDevice(shape, i));
  const reports = plans.map((plan) => builder.build(plan, 1, 1, new Date('2024-12-12T08:00:00Z')));

  test('every report is valid Report v1 built from a few parsed log states', () => {
    for (const report of reports.slice(0, 500)) assert.equal(reportSchema.safeParse(report).success, true);
    assert.ok(builder.logs.parsedStates < 60, `${builder.logs.parsedStates} parser runs for 4,000 devices`);
  });

  test('most devices are healthy; failures carry the real HRESULT mix; dual_wpdmtp.inf forms a cluster', () => {
    const failing = reports.filter((r) => r.failures.length > 0 || r.packages.some((p) => p.state === 'Failed'));
    assert.ok(failing.length / reports.length > 0.03 && failing.length / reports.length < 0.12, `${failing.length} failing of ${reports.length}`);
    const hresults = new Set(reports.flatMap((r) => r.failures.map((f) => f.hresult)));
    for (const code of ['0x8007000d', '0x80073712', '0x800f0922', '0x80070002']) assert.ok(hresults.has(code), `no device fails with ${code}`);
    const wpdmtp = reports.filter((r) => r.corruption.some((c) => c.family === 'dual_wpdmtp.inf'));
    assert.ok(wpdmtp.length >= 10, `only ${wpdmtp.length} devices in the dual_wpdmtp.inf cluster`);
    const versions = new Set(wpdmtp.flatMap((r) => r.corruption.filter((c) => c.family === 'dual_wpdmtp.inf').map((c) => c.version)));
    assert.ok(versions.has('10.0.19041.746') && versions.has('10.0.19041.3636'), 'the cluster spans the support cases\u2019 component versions');
    assert.ok(plans.some((p) => p.lastReport !== null), 'no stale devices');
  });

  test('a repaired device reports the next cumulative update installed and its failure gone', () => {
    const plan = plans.find((p) => p.repaired !== null && p.initial.kind === 'failing')!;
    const before = builder.build(plan, plan.repairAfter, plan.repairAfter, new Date());
    const afterRepair = builder.build(plan, plan.repairAfter + 1, plan.repairAfter + 1, new Date());
    assert.ok(before.packages.some((p) => p.state === 'Failed'));
    assert.equal(afterRepair.packages.some((p) => p.state === 'Failed'), false);
    assert.notEqual(afterRepair.device.osBuild, before.device.osBuild);
    assert.deepEqual(stateAt(plan, plan.repairAfter + 1), plan.repaired);
  });

  test('re-dating a capture moves line dates and CSI UTC stamps by the same whole days', () => {
    const line = '2025-02-27 08:58:35, Error                 CSI    0000000a@2025/2/27:11:58:35.891 (F) Attempting to mark store corrupt';
    assert.equal(redate(line, '2024-12-11'), '2024-12-11 08:58:35, Error                 CSI    0000000a@2024/12/11:11:58:35.891 (F) Attempting to mark store corrupt');
  });
});

describe('simulate command line', () => {
  test('bad or missing arguments are named', () => {
    assert.throws(() => parseSimulateArgs(['--server', 'http://127.0.0.1:1'], {}), /--devices N is required/);
    assert.throws(() => parseSimulateArgs(['--devices', '5', '--server', 'http://127.0.0.1:1'], {}), /--secret is required/);
    assert.throws(() => parseSimulateArgs(['--devices', '5', '--server', 'x', '--secret', 's', '--scenario', 'tuesday'], {}), /--scenario must be one of steady, burst, outage-return/);
    assert.throws(() => parseSimulateArgs(['--devices', '5', '--server', 'x', '--secret', 's', '--cadence', 'soon'], {}), /--cadence must be a duration/);
    const args = parseSimulateArgs(['--devices', '5', '--server', 'http://127.0.0.1:1', '--speed', '60'], { PATCHLENS_ENROLL_SECRET: 'from-env' });
    assert.equal(args.secret, 'from-env');
    assert.equal(args.cadenceMs, 15 * 60_000);
  });
});

describe('schedules against a real server', () => {
  const JITTER_SEED = testSeed('retry jitter', 3);
  let server: TestServer;
  let secret: string;
  before(async () => {
    // A tiny ingest queue in front of a slow disk, so that a fleet arriving at once is told to come back later.
    server = await startTestServer({
      config: { ingestQueueSize: 4, ingestBatchSize: 2 },
      fleet: {},
      wrapStorage: (storage) =>
        Object.assign(Object.create(storage) as SqliteStorage, {
          reports: Object.assign(Object.create(storage.reports) as SqliteStorage['reports'], {
            ingestBatch: async (...args: Parameters<SqliteStorage['reports']['ingestBatch']>) => {
              await new Promise((resolve) => setTimeout(resolve, 20));
              return storage.reports.ingestBatch(...args);
            },
          }),
        }),
    });
    ({ secret } = await server.patchlens.ctx.admin.createEnrollmentSecret({ name: 'test', ip: null }, { name: 'simulator' }));
  });
  after(() => server.close());

  const options = (overrides: Partial<FleetRunOptions>): FleetRunOptions => ({
    scenario: 'steady',
    cadenceMs: 15 * 60_000,
    speed: 1,
    concurrency: 64,
    retry: { baseMs: 20, capMs: 200 },
    random: seededRandom(JITTER_SEED),
    reportsPerDevice: 1,
    ...overrides,
  });

  test('a Patch-Tuesday burst brings every device in within the 10-minute window', { timeout: 30_000 }, async () => {
    const { devices } = createFleet({ devices: 60, server: server.url, secret, prefix: 'burst', seed: 4, stateRoot: null });
    const started = performance.now();
    const arrivals: number[] = [];
    // 600× speed: the 10-minute window lasts one second.
    const stats = await new FleetRunner(devices, options({ scenario: 'burst', speed: 600, onResult: (_d, r) => r.kind === 'accepted' && arrivals.push(performance.now() - started) })).run();
    assert.equal(stats.accepted, 60);
    assert.ok(Math.max(...arrivals) < BURST_WINDOW_MS / 600 + 2_000, `last arrival after ${Math.max(...arrivals).toFixed(0)} ms`);
    assert.ok(Math.min(...arrivals) < 500, 'the burst did not start at once');
  });

  test('everyone at once after an outage: 429s are answered with Retry-After and every device gets through', { timeout: 60_000 }, async () => {
    const { devices } = createFleet({ devices: 120, server: server.url, secret, prefix: 'return', seed: 5, stateRoot: null });
    for (const device of devices) await device.enroll();
    const toldToWait = new Map<SimulatedDevice, { at: number; waitMs: number }>();
    const early: string[] = [];
    const stats = await new FleetRunner(
      devices,
      options({
        scenario: 'outage-return',
        concurrency: 120,
        onResult: (device, result, ms) => {
          const sentAt = performance.now() - ms;
          const wait = toldToWait.get(device);
          if (wait && sentAt < wait.at + wait.waitMs - 20) early.push(`${device.plan.deviceId} came back after ${(sentAt - wait.at).toFixed(0)} ms of ${wait.waitMs}`);
          if (result.kind === 'retry' && result.retryAfterMs !== null) toldToWait.set(device, { at: performance.now(), waitMs: result.retryAfterMs });
        },
      }),
    ).run();
    assert.ok(stats.retryAfter > 0, 'the server never shed load: the scenario did not test Retry-After');
    assert.deepEqual(early, [], 'devices retried before Retry-After');
    assert.equal(stats.accepted, 120);
    assert.equal(stats.failed, 0);
    const viewer = await apiToken(server, 'viewer');
    const res = await server.http.get('/api/v1/devices').query({ q: 'return-ws-', limit: 500 }).set('Authorization', `Bearer ${viewer}`).expect(200);
    assert.equal(res.body.items.length, 120);
  });
});
