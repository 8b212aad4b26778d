// `npm run bench:dashboard`: first meaningful paint of the overview and the devices page in Chromium, small fleet vs 100,000 devices,
// side by side, and how long a report takes from its commit to the open overview's device count.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Report } from '../../protocol/report';
import type { PatchLensServer } from '../../server/app';
import { composeServer } from '../../server/compose';
import { loadConfig } from '../../server/config';
import { SqliteStorage, databasePath } from '../../server/storage/sqlite/storage';
import { browserUnavailable, launchBrowser, VIEWPORT } from '../e2e/browser';
import { fixtureReport } from '../e2e/server';

const ROOT = new URL('../../', import.meta.url).pathname;
const SIZES = (process.env.BENCH_DEVICES ?? '1000,100000').split(',').map(Number);
const PASSWORD = 'bench admin passphrase';
const RUNS = 5;

/** Device n of the fleet: every 50th carries the case-2 corruption and failure, the rest look like the healthy donor. */
function deviceReport(n: number, broken: Report, healthy: Report): Report {
  const template = n % 50 === 0 ? broken : healthy;
  const id = `bench-${String(n).padStart(6, '0')}`;
  return { ...template, reportId: `${id}-r1`, device: { ...template.device, id, hostname: id.toUpperCase() } };
}

async function seed(server: PatchLensServer, count: number): Promise<number> {
  const broken = fixtureReport('case2-device');
  const healthy = fixtureReport('healthy-donor');
  const started = performance.now();
  const batch = 2_000;
  for (let first = 0; first < count; first += batch) {
    const pending: Promise<unknown>[] = [];
    for (let n = first; n < Math.min(count, first + batch); n++) {
      const report = deviceReport(n, broken, healthy);
      pending.push(server.ingest.submit({ report, rawBody: JSON.stringify(report), deviceId: report.device.id, receivedAt: Date.now() }));
    }
    await Promise.all(pending);
  }
  return performance.now() - started;
}

interface Measurement {
  devices: number;
  seedMs: number;
  overviewMs: number;
  devicesPageMs: number;
  devicesRequests: number;
  rowsShown: number;
  /** From a report's commit to the open overview showing it (live push, no reload). */
  liveMs: number;
}

async function measure(count: number, dashboardDir: string): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-bench-'));
  const config = loadConfig({}, { dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'silent', adminPassword: PASSWORD, dashboardDir, sqliteSynchronous: 'NORMAL', ingestQueueSize: 10_000 });
  const storage = new SqliteStorage(databasePath(dir), { synchronous: 'NORMAL' });
  const server: PatchLensServer = await composeServer({ config, storage, logger: pino({ level: 'silent' }), schedule: false });
  await server.ctx.admin.ensureInitialAdmin(PASSWORD);
  const address = await server.listen();
  const url = `http://127.0.0.1:${address.port}/`;
  const browser = await launchBrowser();
  try {
    const seedMs = await seed(server, count);
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header.top').waitFor();
    const total = new Intl.NumberFormat('en-US').format(count);
    const overview: number[] = [];
    const devicesPage: number[] = [];
    let devicesRequests = 0;
    page.on('request', (request) => {
      if (/\/api\/v1\/devices(\?|$)/.test(request.url())) devicesRequests++;
    });
    for (let run = 0; run < RUNS; run++) {
      // A fresh load each time: navigation, script, session check, API calls, render.
      await page.goto('about:blank');
      let started = performance.now();
      await page.goto(`${url}#/`, { waitUntil: 'commit' });
      await page.locator(`[data-stat="Devices"]:text-is("${total}")`).waitFor({ timeout: 30_000 });
      overview.push(performance.now() - started);
      if (process.env.BENCH_TRACE && run === RUNS - 1) {
        const entries = await page.evaluate(() =>
          performance.getEntries().map((entry) => `${entry.entryType} ${entry.name.replace(location.origin, '')} start ${entry.startTime.toFixed(0)} end ${(entry.startTime + entry.duration).toFixed(0)}`),
        );
        process.stdout.write(`${entries.join('\n')}\n`);
      }
      devicesRequests = 0;
      await page.goto('about:blank');
      started = performance.now();
      await page.goto(`${url}#/devices?sort=hostname`, { waitUntil: 'commit' });
      await page.locator('tbody tr td a').first().waitFor({ timeout: 30_000 });
      devicesPage.push(performance.now() - started);
    }
    const rowsShown = await page.locator('tbody tr').count();
    // A new device reports while the overview is open: commit → socket tick → the count on screen.
    await page.goto(`${url}#/`, { waitUntil: 'commit' });
    await page.locator(`[data-stat="Devices"]:text-is("${total}")`).waitFor({ timeout: 30_000 });
    const live: number[] = [];
    const template = fixtureReport('healthy-donor');
    for (let run = 0; run < RUNS; run++) {
      const report = deviceReport(count + run, template, template);
      const started = performance.now();
      await server.ingest.submit({ report, rawBody: JSON.stringify(report), deviceId: report.device.id, receivedAt: Date.now() });
      const shown = new Intl.NumberFormat('en-US').format(count + run + 1);
      await page.locator(`[data-stat="Devices"]:text-is("${shown}")`).waitFor({ timeout: 30_000 });
      live.push(performance.now() - started);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return { devices: count, seedMs, overviewMs: median(overview), devicesPageMs: median(devicesPage), devicesRequests, rowsShown, liveMs: median(live) };
  } finally {
    await browser.close();
    await server.close();
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const missing = browserUnavailable();
  if (missing) {
    process.stderr.write(`bench:dashboard needs Chromium: ${missing}\n`);
    process.exit(2);
  }
  const out = mkdtempSync(join(tmpdir(), 'patchlens-bench-dist-'));
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'dashboard', '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
  const results: Measurement[] = [];
  for (const size of SIZES) {
    results.push(await measure(size, join(out, 'dashboard')));
    const last = results[results.length - 1]!;
    process.stdout.write(
      `${String(last.devices).padStart(7)} devices: seeded in ${(last.seedMs / 1000).toFixed(1)} s; overview first paint ${last.overviewMs.toFixed(0)} ms; ` +
        `devices page ${last.devicesPageMs.toFixed(0)} ms (${last.devicesRequests} /devices request, ${last.rowsShown} rows); ` +
        `report → overview ${last.liveMs.toFixed(0)} ms (target ≤ 2,000) — median of ${RUNS}\n`,
    );
  }
  rmSync(out, { recursive: true, force: true });
  if (results.length >= 2) {
    const [small, large] = [results[0]!, results[results.length - 1]!];
    process.stdout.write(
      `ratio ${large.devices}/${small.devices} devices: overview ${(large.overviewMs / small.overviewMs).toFixed(2)}x, devices page ${(large.devicesPageMs / small.devicesPageMs).toFixed(2)}x\n`,
    );
  }
}

await main();
