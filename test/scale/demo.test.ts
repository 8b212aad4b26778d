// `npm run demo`: a populated dashboard within a minute, demo data marked and kept out of DATA_DIR, everything removed on Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adminCommand } from '../../tools/simulator/server-process';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('the demo fills the dashboard within a minute with marked devices, and leaves nothing behind', { timeout: 120_000 }, async () => {
  const realDataDir = mkdtempSync(join(tmpdir(), 'patchlens-demo-guard-'));
  const demo = spawn(process.execPath, ['--import', 'tsx', 'tools/demo.ts', '--devices', '300', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: realDataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  demo.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  demo.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  try {
    const started = Date.now();
    while (!/Database:\s+(\S+)/.test(out)) {
      assert.equal(demo.exitCode, null, `the demo stopped: ${out}`);
      assert.ok(Date.now() - started < 60_000, `the demo did not start: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
    const demoDir = /Database:\s+(\S+)/.exec(out)![1]!;
    assert.ok(existsSync(join(demoDir, 'DEMO-DATA.txt')), 'the demo database folder is not marked');
    const token = await adminCommand(demoDir, 'token', '--role', 'viewer');

    // Populated within a minute of the server being up.
    const up = Date.now();
    let summary = { devices: { total: 0 } };
    while (summary.devices.total < 300 && Date.now() - up < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      summary = (await (await fetch(`${url}/api/v1/fleet/summary`, { headers: { Authorization: `Bearer ${token}` } })).json()) as typeof summary;
    }
    assert.equal(summary.devices.total, 300, `only ${summary.devices.total} demo devices after a minute`);
    const devices = (await (await fetch(`${url}/api/v1/devices?limit=500`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { items: { hostname: string }[] };
    assert.ok(devices.items.every((d) => d.hostname.startsWith('DEMO-WS-')), 'a device without the demo mark');
    const clusters = (await (await fetch(`${url}/api/v1/corruption/clusters`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { family: string }[] | { items: { family: string }[] };
    const families = (Array.isArray(clusters) ? clusters : clusters.items).map((c) => c.family);
    assert.ok(families.includes('dual_wpdmtp.inf'), `no dual_wpdmtp.inf cluster among ${families.join(', ')}`);

    demo.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(existsSync(demoDir), false, 'the demo database was left behind');
    assert.deepEqual(readdirSync(realDataDir), [], 'the demo wrote into DATA_DIR');
  } finally {
    if (demo.exitCode === null) demo.kill('SIGKILL');
    rmSync(realDataDir, { recursive: true, force: true });
  }
});
