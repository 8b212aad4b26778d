// `npm run bench:fleet`: seeds a synthetic fleet through the ingest repository and times every fleet query (p50/p95),
// plus ingest throughput with and without the fleet projection side by side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { updateCatalog } from '../../protocol/catalog';
import { deviceListQuerySchema } from '../../protocol/fleet-api';
import { systemClock } from '../../server/clock';
import { createFleet } from '../../server/fleet/fleet';
import { FleetProjection } from '../../server/fleet/fleet-projection';
import { pinnedPoster } from '../../server/fleet/webhooks';
import { EventBus } from '../../server/live/event-bus';
import type { IngestItem, IngestProjection } from '../../server/storage/repository';
import { SqliteStorage, databasePath } from '../../server/storage/sqlite/storage';
import { deviceId, syntheticDeviceReport } from './synthetic-fleet';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 100_000);
const COMPARE_DEVICES = Number(process.env.BENCH_COMPARE_DEVICES ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const BATCH = 500;

function open(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `patchlens-bench-${name}-`));
  const storage = new SqliteStorage(databasePath(dir), { synchronous: 'NORMAL' });
  return { dir, storage };
}

async function seed(storage: SqliteStorage, projections: IngestProjection[], count: number, sequence = 1): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < count; start += BATCH) {
    const items: IngestItem[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const report = syntheticDeviceReport(i, sequence);
      items.push({ report, rawBody: JSON.stringify(report), deviceId: report.device.id, receivedAt: Date.now() - (count - i) * 1_000 });
    }
    const result = await storage.reports.ingestBatch(items, projections, Date.now());
    const failed = result.outcomes.find((outcome) => outcome.status === 'failed');
    if (failed && failed.status === 'failed') throw failed.error;
  }
  return count / ((performance.now() - started) / 1000);
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
  const catalog = updateCatalog();

  // Side by side: the same reports through ingest without and with the fleet projection.
  const plain = open('plain');
  const withFleet = open('fleet');
  const compareProjection = new FleetProjection(withFleet.storage.fleet.facts, catalog, () => []);
  const plainRate = await seed(plain.storage, [], COMPARE_DEVICES);
  const fleetRate = await seed(withFleet.storage, [compareProjection], COMPARE_DEVICES);
  const unchangedPlain = await seed(plain.storage, [], COMPARE_DEVICES, 2);
  const unchangedFleet = await seed(withFleet.storage, [compareProjection], COMPARE_DEVICES, 2);
  for (const db of [plain, withFleet]) {
    db.storage.close();
    rmSync(db.dir, { recursive: true, force: true });
  }

  const { dir, storage } = open('queries');
  const fleet = createFleet({
    storage,
    catalog,
    clock: systemClock,
    bus: new EventBus(),
    logger: console,
    defaults: { staleAfterMs: 14 * 86_400_000 },
    initialBaselines: [],
    poster: pinnedPoster(),
  });
  await fleet.baselines.create({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01' }, 'bench');
  await fleet.baselines.create({ kb: 'KB5044273', appliesTo: 19041, dueDate: '2024-11-01' }, 'bench');
  await fleet.baselines.whenApplied();
  const seedRate = await seed(storage, [fleet.projection], DEVICES);
  const evaluateStarted = performance.now();
  const extra = await fleet.baselines.create({ kb: 'KB5046613', appliesTo: 19045, dueDate: '2024-12-01' }, 'bench');
  await fleet.baselines.whenApplied();
  const evaluateSeconds = (performance.now() - evaluateStarted) / 1000;
  await fleet.baselines.delete(extra.id);
  await fleet.baselines.whenApplied();

  const list = (query: Record<string, string>) => deviceListQuerySchema.parse(query);
  const secondPage = (await fleet.devices.list(list({ limit: '50' }))).nextCursor!;
  const corruptId = deviceId(3);
  const healthyId = deviceId(10);
  const queries: [string, () => Promise<unknown>][] = [
    ['GET /fleet/summary', () => fleet.overview.summary()],
    ['GET /kbs', () => fleet.overview.kbs()],
    ['GET /errors', () => fleet.overview.errors()],
    ['GET /corruption/clusters', () => fleet.clusters.list()],
    ['GET /corruption/clusters/:family (drill-down)', () => fleet.clusters.detail('dual_wpdmtp.inf', { limit: 50, cursor: null })],
    ['GET /devices (first page)', () => fleet.devices.list(list({ limit: '50' }))],
    ['GET /devices (page 2, cursor)', () => fleet.devices.list(list({ limit: '50', cursor: secondPage }))],
    ['GET /devices?kb=KB5044273&state=Failed', () => fleet.devices.list(list({ limit: '50', kb: 'KB5044273', state: 'Failed' }))],
    ['GET /devices?kb=KB5043064 (any state)', () => fleet.devices.list(list({ limit: '50', kb: 'KB5043064' }))],
    ['GET /devices?hresult=0x800f081f', () => fleet.devices.list(list({ limit: '50', hresult: '0x800f081f' }))],
    ['GET /devices?family=dual_wpdmtp.inf', () => fleet.devices.list(list({ limit: '50', family: 'dual_wpdmtp.inf' }))],
    ['GET /devices?sort=lastSeen&order=desc', () => fleet.devices.list(list({ limit: '50', sort: 'lastSeen', order: 'desc' }))],
    ['GET /devices?q=ws-0999', () => fleet.devices.list(list({ limit: '50', q: 'ws-0999' }))],
    ['GET /devices/:id (healthy)', () => fleet.devices.detail(healthyId)],
    ['GET /devices/:id (corrupt, donors + remediation)', () => fleet.devices.detail(corruptId)],
    ['GET /baselines', () => fleet.baselines.compliance()],
  ];

  console.log(`fleet bench: ${DEVICES} devices seeded at ${seedRate.toFixed(0)} reports/s (in-process ingestBatch, batches of ${BATCH}, with the fleet projection)`);
  console.log(`a new baseline re-evaluated all ${DEVICES} devices in the background in ${evaluateSeconds.toFixed(1)} s`);
  console.log(`\ningest side by side, ${COMPARE_DEVICES} devices, same run:`);
  console.log(`  first reports (state changes): plain ${plainRate.toFixed(0)}/s, with fleet projection ${fleetRate.toFixed(0)}/s, ratio ${(fleetRate / plainRate).toFixed(2)}`);
  console.log(`  unchanged reports:             plain ${unchangedPlain.toFixed(0)}/s, with fleet projection ${unchangedFleet.toFixed(0)}/s, ratio ${(unchangedFleet / unchangedPlain).toFixed(2)}`);
  console.log(`\nquery times over ${RUNS} runs each (ms):`);
  let worst = 0;
  for (const [name, run] of queries) {
    const { p50, p95 } = await time(run);
    worst = Math.max(worst, p95);
    console.log(`  ${name.padEnd(50)} p50 ${p50.toFixed(2).padStart(7)}  p95 ${p95.toFixed(2).padStart(7)}`);
  }
  console.log(`\nworst p95 ${worst.toFixed(2)} ms (target <= 50 ms)`);
  storage.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
