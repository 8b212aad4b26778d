// Launches Debian's Chromium through playwright-core, or says why the browser tests cannot run here.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { missingRequirement } from '../support/requirement';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const VIEWPORT = { width: 1366, height: 768 };

/** Null when Chromium is here; else the skip reason with the install command (under `CI=true`, an error). */
export function browserUnavailable(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  return missingRequirement(`${CHROMIUM_PATH} is missing; install it with: apt-get update && apt-get install -y chromium`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
}
