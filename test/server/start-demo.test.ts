// `npm start -- --demo`: the start launcher starts the same demo as `npm run demo`, and Ctrl-C removes it again.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Resolves with everything printed once `pattern` shows in the output; rejects if the process exits or `ms` pass first. */
function printed(child: ChildProcess, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`nothing matching ${pattern} within ${ms} ms: ${out}`)), ms);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!pattern.test(out)) return;
      clearTimeout(timer);
      resolve(out);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${pattern}: ${out}`)));
  });
}

test('npm start -- --demo (scripts/start.ts) serves a throw-away demo fleet and removes it on SIGINT', { timeout: 90_000 }, async () => {
  const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--demo', '--devices', '20', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  try {
    const out = await printed(demo, /Database:\s+\S+/, 60_000);
    assert.match(out, /PatchLens DEMO — 20 simulated devices/);
    const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
    const demoDir = /Database:\s+(\S+)/.exec(out)![1]!;
    assert.ok(existsSync(join(demoDir, 'DEMO-DATA.txt')), 'the demo database folder is not marked');
    const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean };
    assert.equal(health.ok, true);

    demo.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(existsSync(demoDir), false, 'the demo database was left behind');
  } finally {
    if (demo.exitCode === null) demo.kill('SIGKILL');
  }
});
