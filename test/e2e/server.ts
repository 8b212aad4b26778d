// The real server for browser tests: built dashboard, `server/main.ts` as a child on 127.0.0.1 behind a path prefix, seeded over HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../protocol/report';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ADMIN_PASSWORD = 'e2e admin passphrase 2024';
export const VIEWER = { username: 'support.viewer', password: 'e2e viewer passphrase 2024' };
export const BASE_PATH = '/patchlens';
const START_TIMEOUT_MS = 30_000;

export type FixtureName = 'case1-device-a' | 'case1-device-b' | 'case2-device' | 'healthy-donor';

export function fixtureReport(name: FixtureName): Report {
  return JSON.parse(readFileSync(join(ROOT, 'test/fixtures/reports', `${name}.json`), 'utf8')) as Report;
}

export interface E2eServer {
  /** `http://127.0.0.1:PORT/patchlens/` */
  url: string;
  /** Posts a fixture report as its (enrolled) device, like an agent would; `change` edits it first. */
  ingest(name: FixtureName, change?: (report: Report) => void): Promise<number>;
  /** Enrolls a device id with the fleet secret (201 for a new id; an enrolled id is held for an admin, 202); returns the HTTP status. */
  enroll(deviceId: string, hostname: string): Promise<number>;
  /** A JSON API call as the admin. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Builds the dashboard into a temp folder and starts the server there; everything is removed on close. */
export async function startE2eServer(): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-e2e-'));
  const dashboardDir = join(dir, 'dist');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'dashboard', '--outdir', dashboardDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (build.status !== 0) throw new Error(`dashboard build failed: ${build.stderr}`);

  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      DASHBOARD_DIR: join(dashboardDir, 'dashboard'),
      BASE_PATH,
      PATCHLENS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      LIVE_INTERVAL: '250ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/\/?$/, '/'));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });

  const api = (path: string) => `${url}api/v1${path}`;
  const loginRes = await fetch(api('/auth/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  const cookie = (loginRes.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await loginRes.json()) as { csrfToken: string };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(api(path), {
      method,
      headers: { Cookie: cookie, 'x-csrf-token': csrfToken, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };

  const created = await admin('POST', '/admin/users', { username: VIEWER.username, role: 'viewer', password: VIEWER.password });
  if (created.status !== 201) throw new Error(`cannot create the viewer: ${JSON.stringify(created.body)}`);
  const secret = ((await admin('POST', '/admin/enrollment-secrets', { name: 'e2e' })).body as { secret: string }).secret;
  const keys = new Map<string, string>();

  return {
    url,
    admin,
    async enroll(deviceId, hostname) {
      const res = await fetch(api('/agents/enroll'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret, deviceId, hostname }) });
      return res.status;
    },
    async ingest(name, change) {
      const report = fixtureReport(name);
      change?.(report);
      let key = keys.get(report.device.id);
      if (!key) {
        const res = await fetch(api('/agents/enroll'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ secret, deviceId: report.device.id, hostname: report.device.hostname }),
        });
        key = ((await res.json()) as { deviceKey: string }).deviceKey;
        keys.set(report.device.id, key);
      }
      const res = await fetch(api('/reports'), { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(report) });
      return res.status;
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
