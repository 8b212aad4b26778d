// Script payloads in device ids and log evidence render as text on every dashboard page (real Chromium),
// and SQL metacharacters typed into the device filters find nothing and break nothing.
// (Host names, families, component keys and file names follow the Windows naming rules of Report v1, which
// refuse markup at ingest: test/security/remediation-injection.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Report } from '../../protocol/report';
import { browserUnavailable, launchBrowser, VIEWPORT } from '../e2e/browser';
import { ADMIN_PASSWORD, fixtureReport, startE2eServer, type E2eServer } from '../e2e/server';

const STEP_MS = 10_000;
/** Each payload reports its own name if it ever runs. */
const fire = (name: string) => `window.__xss.push('${name}')`;
const PAYLOADS = {
  deviceId: `<img src=x onerror="${fire('deviceId')}">`,
  evidence: `</code></pre><img src=x onerror="${fire('evidence')}">`,
  failureEvidence: `<iframe srcdoc="<script>parent.${fire('failure')}</script>">`,
} as const;

/** The case 2 device with every free-text field replaced by a payload. */
function hostileReport(id: string, n: number): Report {
  const report = fixtureReport('case2-device');
  return {
    ...report,
    reportId: `xss-report-${n}`,
    device: { ...report.device, id, hostname: `XSS-WS-${n}` },
    corruption: report.corruption.map((c) => ({ ...c, evidence: [PAYLOADS.evidence] })),
    failures: report.failures.map((f) => ({ ...f, evidence: [PAYLOADS.failureEvidence] })),
  };
}

const skip = browserUnavailable();

describe('hostile data in the dashboard', { skip: skip ?? false, timeout: 120_000 }, () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    server = await startE2eServer();
    const { secret } = (await server.admin('POST', '/admin/enrollment-secrets', { name: 'hostile' })).body as { secret: string };
    for (const [n, id] of [PAYLOADS.deviceId, 'xss-ws-1'].entries()) {
      const report = hostileReport(id, n);
      const enrolled = await fetch(`${server.url}api/v1/agents/enroll`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ secret, deviceId: id, hostname: report.device.hostname }),
      });
      const { deviceKey } = (await enrolled.json()) as { deviceKey: string };
      const res = await fetch(`${server.url}api/v1/reports`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${deviceKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(report),
      });
      assert.equal(res.status, 202, await res.text());
    }
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
    await context.addInitScript(() => Object.assign(window, { __xss: [] as string[] }));
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(server.url, { timeout: STEP_MS });
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header.top').waitFor({ timeout: STEP_MS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const fired = () => page.evaluate(() => (window as unknown as { __xss: string[] }).__xss);
  const injected = () => page.locator('main img[src="x"], main svg[onload], main iframe[srcdoc], main script').count();

  const PAGES: [hash: string, shows: string][] = [
    ['#/', 'dual_wpdmtp.inf'],
    ['#/devices', PAYLOADS.deviceId],
    ['#/devices/xss-ws-1', 'XSS-WS-1'],
    [`#/devices/${encodeURIComponent(PAYLOADS.deviceId)}`, 'XSS-WS-0'],
    ['#/clusters', 'dual_wpdmtp.inf'],
    [`#/clusters/${encodeURIComponent('dual_wpdmtp.inf')}`, 'XSS-WS-1'],
    ['#/errors', '0x8007000d'],
    ['#/updates', 'KB5036892'],
  ];

  for (const [hash, shows] of PAGES) {
    test(`${hash} shows the payloads as text and runs none of them`, async () => {
      await page.goto(`${server.url}${hash}`, { timeout: STEP_MS });
      await page.getByText(shows, { exact: false }).first().waitFor({ timeout: STEP_MS });
      await page.waitForTimeout(300); // let image errors and frames fire if anything was injected
      assert.deepEqual(await fired(), []);
      assert.deepEqual(dialogs, []);
      assert.equal(await injected(), 0, 'a payload became an element');
    });
  }

  test('the device page keeps the evidence lines verbatim, as text', async () => {
    await page.goto(`${server.url}#/devices/xss-ws-1`, { timeout: STEP_MS });
    const evidence = page.locator('pre.evidence', { hasText: PAYLOADS.evidence }).first();
    await evidence.waitFor({ state: 'attached', timeout: STEP_MS });
    assert.equal((await evidence.textContent())?.includes(PAYLOADS.evidence), true);
    assert.equal(await page.locator('pre.evidence img, pre.evidence iframe').count(), 0);
    assert.deepEqual(await fired(), []);
  });

  test('SQL metacharacters typed into the device filters find nothing and leave the page working', async () => {
    await page.goto(`${server.url}#/devices`, { timeout: STEP_MS });
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor({ timeout: STEP_MS });
    const deviceLinks = page.locator('tbody a[href^="#/devices/"]');
    await deviceLinks.first().waitFor({ timeout: STEP_MS });
    // Each step waits for the answer to its own request and for the page to render it: the filter form
    // is rebuilt on every navigation, so typing before the previous one rendered would go into a form
    // that is about to be replaced, and a stale "no match" from the previous step would prove nothing.
    const params = { Hostname: 'q', 'Corruption family': 'family' } as const;
    const filterAndRender = async (label: keyof typeof params, text: string) => {
      const answered = page.waitForResponse(
        (res) => {
          const url = new URL(res.url());
          return url.pathname.endsWith('/api/v1/devices') && (url.searchParams.get(params[label]) ?? '') === text;
        },
        { timeout: STEP_MS },
      );
      await page.getByLabel(label).fill(text);
      await page.getByLabel(label).press('Enter');
      await (await answered).finished();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    };
    for (const label of ['Hostname', 'Corruption family'] as const) {
      for (const text of ["' OR '1'='1", "'; DROP TABLE devices; --", '%']) {
        await filterAndRender(label, text);
        await page.getByText('No device matches these filters.').waitFor({ timeout: STEP_MS });
        assert.equal(await deviceLinks.count(), 0, `${label} = ${text} listed devices`);
      }
      await filterAndRender(label, '');
      await deviceLinks.first().waitFor({ timeout: STEP_MS });
    }
    await page.goto(`${server.url}#/devices`, { timeout: STEP_MS });
    await deviceLinks.nth(1).waitFor({ timeout: STEP_MS });
    assert.deepEqual(await fired(), []);
  });
});

if (skip) test(`hostile dashboard tests skipped: ${skip}`, { skip }, () => undefined);
