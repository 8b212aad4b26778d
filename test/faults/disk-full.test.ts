// A full disk under the agent's spool and under the server's database (small tmpfs mounts): clear errors, nothing corrupted, recovery when space returns.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../server/storage/sqlite/database';
import { databasePath } from '../../server/storage/sqlite/storage';
import { createFleet } from '../../tools/simulator/fleet';
import { adminCommand, freePort, startServerProcess, type ServerProcess } from '../../tools/simulator/server-process';
import type { FleetReportBuilder } from '../../tools/simulator/device-report';
import type { SimulatedDevice } from '../../tools/simulator/simulated-device';
import { missingRequirement } from '../support/requirement';

/** Mounts a tmpfs of `size` at `dir`; null when done, else why not and what it needs. */
function mountTmpfs(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'the mount command is missing; install it with: apt-get install -y mount';
    const said = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim().split('\n')[0];
    return (
      `cannot mount a ${size} tmpfs here (${said}); it needs root: run as root, or as any user in a private mount ` +
      'namespace: unshare -Urm node scripts/test.mjs test/faults/disk-full.test.ts'
    );
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {
    // already gone
  }
}

/** Fills the file system holding `dir` to the last byte; returns the filler to delete when space should come back. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler.bin');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    for (let size = 1024; size >= 1; size >>= 1) {
      try {
        for (;;) writeSync(fd, block, 0, size);
      } catch {
        // next smaller size
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

const root = mkdtempSync(join(tmpdir(), 'patchlens-diskfull-'));
const probe = join(root, 'probe');
mkdirSync(probe);
// A real full disk needs a small file system of its own; under CI=true, not getting one is a failure.
const cannotMount = mountTmpfs(probe, '64k');
if (cannotMount) rmSync(root, { recursive: true, force: true });
else unmount(probe);
const skip = missingRequirement(cannotMount);

describe('disk full', { skip: skip ?? false, timeout: 90_000 }, () => {
  const serverFs = join(root, 'server-fs');
  const agentFs = join(root, 'agent-fs');
  let server: ServerProcess;
  let devices: SimulatedDevice[];
  let builder: FleetReportBuilder;
  const acknowledged = new Set<string>();

  const shipAll = async (list: SimulatedDevice[]) => {
    const results = [];
    for (const device of list) {
      const result = await device.cycle();
      if (result.kind === 'accepted') for (const id of result.acknowledged) acknowledged.add(id);
      results.push(result);
    }
    return results;
  };

  before(async () => {
    for (const dir of [serverFs, agentFs]) {
      mkdirSync(dir);
      const problem = mountTmpfs(dir, dir === serverFs ? '6m' : '1m');
      if (problem) throw new Error(problem);
    }
    const dataDir = join(serverFs, 'data');
    const secret = await adminCommand(dataDir, 'enroll-secret');
    server = await startServerProcess({ dataDir, port: await freePort(), env: { PATCHLENS_ADMIN_PASSWORD: 'disk full test password', REPORT_BODY_RETENTION: '30d' } });
    ({ devices, builder } = createFleet({ devices: 4, server: server.url, secret, prefix: 'full', seed: 5, stateRoot: agentFs }));
    for (const result of await shipAll(devices)) assert.equal(result.kind, 'accepted');
  });
  after(async () => {
    await server?.stop();
    unmount(serverFs);
    unmount(agentFs);
    rmSync(root, { recursive: true, force: true });
  });

  test("the agent's spool folder full: the cycle fails with ENOSPC, spooled reports stay intact, and it recovers", async () => {
    const device = devices[0]!;
    // A report still waiting in the spool (as after an outage): the full disk must not damage it.
    device.spool!.put(builder.build(device.plan, device.reports, device.lastSequence + 1, new Date()), device.lastSequence + 1);
    const waiting = device.spool!.entries().length;
    assert.equal(waiting, 1);
    const filler = fillDisk(agentFs);
    await assert.rejects(device.cycle(), (error: Error) => /ENOSPC|no space/i.test(error.message), 'a full disk must surface as ENOSPC');
    assert.equal(device.spool!.entries().length, waiting, 'a failed spool write left a partial report behind');
    for (const entry of device.spool!.entries()) assert.ok(device.spool!.read(entry), `${entry.name} damaged by the full disk`);
    rmSync(filler);
    const result = await device.cycle();
    assert.equal(result.kind, 'accepted', JSON.stringify(result));
    assert.equal(result.kind === 'accepted' && result.acknowledged.length, 2, 'the waiting report and the new one are delivered');
    assert.equal(device.spool!.entries().length, 0);
  });

  test("the server's database folder full: reports get 503 storage_full with Retry-After, nothing acknowledged is lost, ingest resumes", async () => {
    const filler = fillDisk(serverFs);
    const refused: { detail: string; retryAfterMs: number | null }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const result of await shipAll(devices)) {
        assert.notEqual(result.kind, 'failed', `a full server disk must ask agents to retry, not reject: ${JSON.stringify(result)}`);
        if (result.kind === 'retry') refused.push(result);
      }
    }
    assert.ok(refused.length > 0, 'the server acknowledged every report although its disk was full');
    for (const { detail, retryAfterMs } of refused) {
      assert.match(detail, /^HTTP 503 storage_full: The server's database disk is full/);
      assert.ok(retryAfterMs !== null && retryAfterMs >= 60_000, `Retry-After missing or too short: ${retryAfterMs}`);
    }
    process.stdout.write(`# full server disk answered: ${refused[0]!.detail}\n`);
    assert.equal(server.child.exitCode, null, 'the server died on a full disk');
    const health = await fetch(`${server.url}/healthz`);
    assert.ok(health.status === 200 || health.status === 503);

    rmSync(filler);
    for (const result of await shipAll(devices)) assert.equal(result.kind, 'accepted', `no recovery after space returned: ${JSON.stringify(result)}`);
    for (const device of devices) assert.equal(device.spool!.entries().length, 0);

    const db = openDatabase(databasePath(join(serverFs, 'data')), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const stored = db.prepare('SELECT 1 FROM reports WHERE report_id = ?');
      assert.deepEqual([...acknowledged].filter((id) => stored.get(id) === undefined), []);
      for (const device of devices) {
        assert.equal(db.prepare('SELECT last_sequence FROM devices WHERE id = ?').pluck().get(device.plan.deviceId), device.lastSequence);
      }
    } finally {
      db.close();
    }
  });
});

if (skip) test(`disk-full tests skipped: ${skip}`, { skip }, () => undefined);
