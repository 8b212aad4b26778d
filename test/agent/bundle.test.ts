// The shipped agent is one file: built, it runs with plain node, and a scan large enough to frame on a worker thread
// (the bundle is that worker's file too) reports exactly what the same scan on one thread reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIPELINE_MIN_BYTES } from '../../parser';

const root = new URL('../../', import.meta.url).pathname;

/** A captured log repeated, each copy moved to its own day, until the file is large enough for a pipelined scan. */
function largeLog(path: string): void {
  const failure = readFileSync(join(root, 'test/fixtures/logs/win7-kb3172605-0x80070308.log'), 'latin1');
  const session = readFileSync(join(root, 'test/fixtures/logs/win7-loghub-session.log'), 'latin1');
  const copies: string[] = [];
  let size = 0;
  for (let day = 0; size <= PIPELINE_MIN_BYTES; day++) {
    const date = new Date(Date.UTC(2016, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
    const copy = (session + failure).replace(/^\d{4}-\d{2}-\d{2}(?= \d{2}:\d{2}:\d{2}, )/gm, date);
    copies.push(copy);
    size += copy.length;
  }
  writeFileSync(path, copies.join(''), 'latin1');
}

function scan(bundle: string, log: string, pipeline: 'on' | 'off'): Record<string, unknown> {
  const result = spawnSync(process.execPath, [bundle, 'scan', log, '--json', '--device-id', 'bundle-test', '--hostname', 'bundle-test'], {
    encoding: 'utf8',
    env: { ...process.env, PATCHLENS_SCAN_PIPELINE: pipeline },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  delete report.reportId;
  delete report.generatedAt;
  return report;
}

test('the built agent is one file whose pipelined scan reports what a one-thread scan does', { timeout: 60_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'patchlens-bundle-'));
  try {
    const dist = join(work, 'dist');
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), 'agent', '--outdir', dist], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    assert.deepEqual(readdirSync(dist), ['patchlens-agent.mjs']);
    mkdirSync(join(work, 'logs'));
    const log = join(work, 'logs', 'CBS.log');
    largeLog(log);
    const pipelined = scan(join(dist, 'patchlens-agent.mjs'), log, 'on');
    assert.deepEqual(pipelined, scan(join(dist, 'patchlens-agent.mjs'), log, 'off'));
    const failing = (pipelined.packages as { identity: string; state: string; lastResult: string }[]).filter((p) => p.state === 'Failed');
    assert.ok(failing.some((p) => p.identity.startsWith('Package_for_KB3172605') && p.lastResult === '0x80070308'), JSON.stringify(failing));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
