// Launches Debian's Chromium through playwright-core, or says why the browser tests cannot run here.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const VIEWPORT = { width: 1366, height: 768 };

/**
 * Null when the browser is missing and this is not CI (the caller skips with this reason); under
 * `CI=true` a missing browser is an error, so a CI machine cannot silently skip the suite.
 */
export function browserUnavailable(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  const reason = `${CHROMIUM_PATH} is missing; install it with: apt-get update && apt-get install -y chromium`;
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}
