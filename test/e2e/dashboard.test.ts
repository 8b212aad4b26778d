// The dashboard in a real browser against the real server: sign-in, live overview, filters, device repair, languages, log upload, roles.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserUnavailable, launchBrowser, VIEWPORT } from './browser';
import { ADMIN_PASSWORD, startE2eServer, VIEWER, type E2eServer } from './server';

const RESULTS = new URL('../../test-results/', import.meta.url);
const STEP_MS = 10_000;
const KB3172605_LOG = readFileSync(new URL('../fixtures/logs/win7-kb3172605-0x80070308.log', import.meta.url));
const skip = browserUnavailable();
const HAN = /[\u4e00-\u9fff]/;

describe('dashboard in Chromium', { skip: skip ?? false, timeout: 120_000 }, () => {
  let server: E2eServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const outsidePrefix: string[] = [];

  const shot = (name: string, target: Page = page) => target.screenshot({ path: new URL(`dashboard-${name}.png`, RESULTS).pathname });
  const watch = (target: Page) => {
    target.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && !url.pathname.startsWith('/patchlens/')) outsidePrefix.push(url.pathname);
    });
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    target.on('console', (message) => {
      // 4xx answers the tests provoke on purpose show up as "Failed to load resource"; anything else is a defect.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
  };
  const signIn = async (target: Page, username: string, password: string) => {
    await target.goto(server.url, { timeout: STEP_MS });
    await target.getByLabel('Username').fill(username);
    await target.getByLabel('Password').fill(password);
    await target.getByRole('button', { name: 'Sign in' }).click();
    await target.locator('header.top').waitFor({ timeout: STEP_MS });
  };
  const stat = (label: string) => page.locator(`[data-stat="${label}"]`);
  const open = async (hash: string, heading: string) => {
    await page.goto(`${server.url}${hash}`, { timeout: STEP_MS });
    await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: STEP_MS });
  };

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    server = await startE2eServer();
    for (const name of ['healthy-donor', 'case2-device', 'case1-device-a'] as const) assert.equal(await server.ingest(name), 202);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    watch(page);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sign in and see the overview with the live indicator', async () => {
    await page.goto(server.url, { timeout: STEP_MS });
    await page.getByRole('heading', { name: 'PatchLens' }).waitFor({ timeout: STEP_MS });
    await shot('login');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('button', { name: '登录' }).waitFor({ timeout: STEP_MS });
    await page.getByLabel('语言').selectOption('en');
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: STEP_MS });
    await page.locator('[data-stat="Devices"]:text-is("3")').waitFor({ timeout: STEP_MS });
    await page.locator('.live[data-status="live"]').waitFor({ timeout: STEP_MS });
    assert.equal(await stat('With corruption').textContent(), '2');
    await page.locator('.card', { hasText: 'Top corruption clusters' }).getByRole('link', { name: 'dual_wpdmtp.inf' }).waitFor({ timeout: STEP_MS });
    await page.locator('.card', { hasText: 'Top failure HRESULTs' }).getByText('0x8007000d').first().waitFor({ timeout: STEP_MS });
    await shot('overview');
  });

  // How fast (the 2 s promise) is measured by bench:dashboard ("report → overview"), where nothing else shares the
  // CPU; here a change that does not arrive live at all, or only with a reload, is what fails.
  test('a report ingested now appears on the open overview, live, without reload', async (t) => {
    let reloaded = false;
    page.once('load', () => (reloaded = true));
    const started = Date.now();
    assert.equal(await server.ingest('case1-device-b'), 202);
    await page.locator('[data-stat="Devices"]:text-is("4")').waitFor({ timeout: STEP_MS });
    t.diagnostic(`appeared ${Date.now() - started} ms after the ingest`);
    assert.equal(await stat('With corruption').textContent(), '3');
    assert.equal(reloaded, false);
  });

  test('devices filter by corruption family dual_wpdmtp.inf', async () => {
    await open('#/devices', 'Devices');
    await page.getByRole('link', { name: 'BANK-WS-0101' }).waitFor({ timeout: STEP_MS });
    await page.getByLabel('Corruption family').fill('dual_wpdmtp.inf');
    await page.getByLabel('Corruption family').press('Enter');
    await page.waitForURL(/family=dual_wpdmtp\.inf/, { timeout: STEP_MS });
    await page.locator('tbody tr', { hasText: 'BANK-WS-2231' }).waitFor({ timeout: STEP_MS });
    await page.getByRole('link', { name: 'BANK-WS-0101' }).waitFor({ state: 'detached', timeout: STEP_MS });
    const hosts = await page.locator('tbody tr td:first-child a').allTextContents();
    assert.deepEqual(hosts.sort(), ['BANK-WS-0412', 'BANK-WS-0977', 'BANK-WS-2231']);
    const csv = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    assert.match(csv ?? '', /^\/patchlens\/api\/v1\/export\/devices\.csv\?.*family=dual_wpdmtp\.inf/);
    const exported = await page.evaluate(async (url) => (await fetch(url!)).text(), csv);
    const lines = exported.trim().split('\r\n');
    assert.equal(lines.length, 4, 'a header and the three filtered devices');
    assert.ok(lines.slice(1).every((line) => line.includes('dual_wpdmtp.inf')));
    await shot('devices');
    await page.goto(`${server.url}#/devices?state=Failed&stale=false`);
    await page.locator('tbody tr').first().waitFor({ timeout: STEP_MS });
    assert.equal(await page.getByLabel('State').inputValue(), 'Failed', 'the filters show what the URL asks for');
    assert.equal(await page.getByLabel('Reporting').inputValue(), 'false');
  });

  test('a device shows its remediation with a healthy donor and copyable commands', async () => {
    await page.goto(`${server.url}#/devices?family=dual_wpdmtp.inf`);
    await page.getByRole('link', { name: 'BANK-WS-2231' }).click();
    await page.getByRole('heading', { level: 1, name: 'BANK-WS-2231' }).waitFor({ timeout: STEP_MS });
    const repair = page.locator('section', { hasText: 'Recommended repair' });
    await repair.locator('.donor', { hasText: 'BANK-WS-0101' }).first().waitFor({ timeout: STEP_MS });
    assert.ok((await repair.locator('pre code').allTextContents()).some((command) => command.includes('WpdMtpUS.dll')), 'the copy command names the lost file');
    await repair.getByRole('link', { name: 'KB5031445' }).first().waitFor({ timeout: STEP_MS });
    const timeline = page.locator('section', { hasText: 'KB timeline' });
    await timeline.locator('tr', { hasText: 'KB5036892' }).filter({ hasText: '0x8007000d' }).first().waitFor({ timeout: STEP_MS });
    await page.locator('section', { hasText: 'Corruption findings' }).getByText('WpdMtpUS.dll').first().waitFor({ timeout: STEP_MS });
    await shot('device');
  });

  test('an open device page follows its next report live', async () => {
    await page.getByRole('heading', { level: 1, name: 'BANK-WS-2231' }).waitFor({ timeout: STEP_MS });
    const hotfixes = page.locator('section', { hasText: 'Installed hotfixes' });
    assert.equal(await hotfixes.getByText('KB5039211').count(), 0);
    const status = await server.ingest('case2-device', (report) => {
      report.reportId = `${report.reportId}-next`;
      report.sequence = (report.sequence ?? 0) + 1;
      report.generatedAt = new Date(Date.parse(report.generatedAt) + 3_600_000).toISOString();
      report.hotfixes.push({ kb: 'KB5039211', installedOn: '2024-06-20' });
    });
    assert.equal(status, 202);
    await hotfixes.getByText('KB5039211').waitFor({ timeout: STEP_MS });
  });

  test('the keyboard reaches everything: skip link first, then the navigation', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'BANK-WS-2231' }).waitFor({ timeout: STEP_MS });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    assert.ok(focused === 'BUTTON' || focused === 'SELECT' || focused === 'A', `focus moved to ${focused}`);
  });

  test('clusters, a cluster drill-down, updates and errors render from the fleet', async () => {
    await open('#/clusters', 'Corruption clusters');
    await page.locator('tr', { hasText: 'dual_wpdmtp.inf' }).getByRole('link', { name: '3', exact: true }).waitFor({ timeout: STEP_MS });
    await shot('clusters');
    await page.getByRole('link', { name: 'dual_wpdmtp.inf', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'dual_wpdmtp.inf' }).waitFor({ timeout: STEP_MS });
    await page.getByText('Affected devices over time').first().waitFor({ timeout: STEP_MS });
    await shot('cluster');
    await open('#/updates', 'Updates (KBs)');
    await page.locator('tr', { hasText: 'KB5043064' }).first().waitFor({ timeout: STEP_MS });
    await page.getByRole('button', { name: 'Add baseline' }).waitFor({ timeout: STEP_MS });
    await shot('updates');
    await open('#/errors', 'Errors');
    await page.locator('tr', { hasText: '0x8007000d' }).first().waitFor({ timeout: STEP_MS });
    await shot('errors');
  });

  test('an admin adds and edits a baseline; the overview shows its compliance', async () => {
    await open('#/updates', 'Updates (KBs)');
    const editor = page.getByRole('form', { name: 'Add baseline' });
    await editor.getByLabel('KB').fill('KB5043064');
    await editor.getByLabel('Applies to build').fill('19045');
    await editor.getByLabel('Due').fill('2024-10-08');
    await editor.getByLabel('Name').fill('September 2024 LCU');
    await editor.getByRole('button', { name: 'Add baseline' }).click();
    const row = page.locator('section', { hasText: 'Baselines' }).locator('tr', { hasText: 'September 2024 LCU' });
    await row.waitFor({ timeout: STEP_MS });
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Save KB5043064' });
    assert.equal(await edit.getByLabel('Due').inputValue(), '2024-10-08');
    await edit.getByLabel('Due').fill('2024-12-31');
    await edit.getByRole('button', { name: 'Save KB5043064' }).click();
    await row.getByText('Dec 31, 2024').waitFor({ timeout: STEP_MS });
    await open('#/', 'Overview');
    const compliance = page.locator('section', { hasText: 'Compliance per baseline' });
    await compliance.locator('.bar-label').getByText('September 2024 LCU').waitFor({ timeout: STEP_MS });
    assert.match((await compliance.locator('.bar-label strong').first().textContent()) ?? '', /^\d+(\.\d)?%$/);
    const trendLines = compliance.locator('.chart-data tbody tr[data-series^="baseline:"] th');
    await trendLines.filter({ hasText: 'September 2024 LCU' }).waitFor({ state: 'attached', timeout: STEP_MS });
    assert.equal((await server.admin('POST', '/baselines', { kb: 'KB5041580', appliesTo: 19045, dueDate: '2024-09-10' })).status, 201);
    // The open overview gains the second baseline's line without a reload.
    await page.waitForFunction(() => document.querySelectorAll('.chart-data tbody tr[data-series^="baseline:"]').length === 2, null, { timeout: STEP_MS });
    assert.deepEqual(await trendLines.allTextContents(), ['September 2024 LCU', 'KB5041580 on 19045 by 2024-09-10'], 'one trend line per baseline');
    await shot('overview-baseline');
  });

  test('uploading a CBS.log shows its failures; a bad file gets a clear message', async () => {
    await open('#/analyze', 'Analyze a log');
    await page.locator('input[type=file]').setInputFiles({ name: 'CBS.log', mimeType: 'text/plain', buffer: KB3172605_LOG });
    await page.getByRole('status').filter({ hasText: 'CBS.log' }).waitFor({ timeout: STEP_MS });
    const row = page.locator('section', { hasText: 'KB timeline' }).locator('tr', { hasText: 'KB3172605' }).filter({ hasText: '0x80070308' }).first();
    await row.waitFor({ timeout: STEP_MS });
    await shot('analyze');
    await page.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256)]) });
    await page.getByRole('alert').filter({ hasText: 'binary file, not a servicing log' }).waitFor({ timeout: STEP_MS });
  });

  test('admins reach the admin page', async () => {
    assert.equal(await server.enroll('e2e-reimaged', 'E2E-REIMAGED'), 201);
    assert.equal(await server.enroll('e2e-reimaged', 'UNEXPECTED-PC'), 202);
    await open('#/admin', 'Admin');
    const request = page.locator('section', { hasText: 'Re-enrollments waiting for a decision' }).locator('tr', { hasText: 'UNEXPECTED-PC' });
    await request.getByRole('button', { name: 'Approve' }).click();
    await request.getByText('Approved; the agent collects its key at its next poll').waitFor({ timeout: STEP_MS });
    await page.locator('section', { hasText: 'Users' }).locator('tr', { hasText: VIEWER.username }).first().waitFor({ timeout: STEP_MS });
    await page.getByText('Audit log').waitFor({ timeout: STEP_MS });
    assert.equal(await page.locator('section', { hasText: 'API tokens' }).getByLabel('Role').inputValue(), 'viewer', 'new credentials default to the least privilege');
    await shot('admin');
  });

  test('switching to zh-CN translates the labels and formats dates for China; dark mode applies', async () => {
    await open('#/', 'Overview');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { level: 1, name: '总览' }).waitFor({ timeout: STEP_MS });
    const nav = await page.locator('header nav a').allTextContents();
    assert.deepEqual(nav, ['总览', '设备', '损坏聚类', '更新 (KB)', '错误代码', '分析日志', '管理']);
    await page.locator('.live', { hasText: '实时' }).waitFor({ timeout: STEP_MS });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await shot('overview-zh-CN');
    const compliance = page.locator('section', { hasText: '各基线合规率' });
    await compliance.locator('.bar-label').getByText('KB5041580（适用于 19045，2024年9月10日前）').waitFor({ timeout: STEP_MS });
    await page.locator('ul.alerts li > div:first-child').first().waitFor({ timeout: STEP_MS });
    const alerts = await page.locator('ul.alerts li > div:first-child').allTextContents();
    assert.ok(alerts.length > 0 && alerts.every((text) => HAN.test(text)), `alerts in Chinese: ${alerts.join(' | ')}`);
    await page.goto(`${server.url}#/devices/bank-ws-2231`);
    await page.getByText('建议的修复步骤').waitFor({ timeout: STEP_MS });
    const copyStep = page.locator('li.step[data-rule="copy-from-donor"]').first();
    assert.equal(await copyStep.locator('h3').textContent(), '从同一版本的正常设备复制完好的 dual_wpdmtp.inf 文件');
    assert.match((await copyStep.locator('p').first().textContent()) ?? '', /^DISM 在此设备上找不到替换用的有效负载/);
    const failure = page.locator('section', { hasText: 'KB 时间线' }).locator('tr', { hasText: '0x8007000d' }).first();
    assert.equal(await failure.locator('.hresult-meaning').textContent(), '数据无效。/ 表示下载了无效的数据或发生了损坏。');
    await failure.getByText('暂存 (Stage)').waitFor({ timeout: STEP_MS });
    await page.locator('section', { hasText: '损坏发现' }).getByText('有效负载损坏').first().waitFor({ timeout: STEP_MS });
    assert.match(await page.locator('dd').filter({ hasText: '年' }).first().textContent() ?? '', /\d{4}年\d{1,2}月\d{1,2}日/);
    await page.getByRole('button', { name: '深色模式' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark', null, { timeout: STEP_MS });
    await shot('device-zh-CN-dark');
    await page.getByRole('button', { name: '浅色模式' }).click();
    await open('#/errors', '错误代码');
    const error = page.locator('tr', { hasText: '0x8007000d' }).first();
    await error.getByText('数据无效。', { exact: false }).waitFor({ timeout: STEP_MS });
    await error.getByText('组件存储数据无效', { exact: false }).waitFor({ timeout: STEP_MS });
    await shot('errors-zh-CN');
    await open('#/clusters/dual_wpdmtp.inf', 'dual_wpdmtp.inf');
    await page.locator('li.step h3').first().waitFor({ timeout: STEP_MS });
    assert.ok((await page.locator('li.step h3').allTextContents()).every((title) => HAN.test(title)), 'cluster repair steps in Chinese');
    await shot('cluster-zh-CN');
    await open('#/updates', '更新 (KB)');
    await shot('updates-zh-CN');
    await page.goto(`${server.url}#/devices/bank-ws-2231`);
    await page.getByText('建议的修复步骤').waitFor({ timeout: STEP_MS });
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'BANK-WS-2231' }).waitFor({ timeout: STEP_MS });
  });

  test('a viewer sees no admin actions and the server refuses them', async () => {
    const viewer = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
    const viewerPage = await viewer.newPage();
    watch(viewerPage);
    try {
      await signIn(viewerPage, VIEWER.username, VIEWER.password);
      const nav = await viewerPage.locator('header nav a').allTextContents();
      assert.ok(!nav.includes('Admin'), `viewer nav: ${nav.join(', ')}`);
      await viewerPage.goto(`${server.url}#/admin`);
      await viewerPage.getByRole('alert').filter({ hasText: 'This page needs the admin role.' }).waitFor({ timeout: STEP_MS });
      await shot('viewer-admin-denied', viewerPage);
      assert.equal(await viewerPage.getByRole('button', { name: 'Create token' }).count(), 0);
      const status = await viewerPage.evaluate(async () => (await fetch('api/v1/admin/users')).status);
      assert.equal(status, 403);
      await viewerPage.goto(`${server.url}#/updates`);
      await viewerPage.locator('tr', { hasText: 'KB5043064' }).first().waitFor({ timeout: STEP_MS });
      assert.equal(await viewerPage.getByRole('button', { name: 'Add baseline' }).count(), 0);
      await shot('viewer-updates', viewerPage);
    } finally {
      await viewer.close();
    }
  });

  test('no script or content-security errors on any page, and every request stays under the path prefix', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(outsidePrefix, []);
  });
});

if (skip) test(`browser tests skipped: ${skip}`, { skip }, () => undefined);
