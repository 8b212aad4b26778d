// Crash safety: the bundled agent is SIGKILLed at random points of `once` in a loop; afterwards every report is
// delivered exactly once by reportId, sequences never repeat, state files always parse and no log record is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentStateSchema } from '../../agent/state/agent-state';
import { deviceKeyFileSchema } from '../../agent/state/device-key';
import { startContractServer } from './support/contract-server';
import { seededRandom } from '../../tools/simulator/random';
import { testSeed } from '../support/seed';

const root = new URL('../../', import.meta.url).pathname;
const ITERATIONS = 20;
const SEED = testSeed('kill points', 20241121);

/** The captured Windows 10 1809 failure (0x800f0950), moved to day `n` so each iteration adds one distinct failure. */
function failureOnDay(n: number): string {
  const day = `2019-03-${String(n + 1).padStart(2, '0')}`;
  return readFileSync(join(root, 'test/fixtures/logs/win10-1809-fod-0x800f0950.log'), 'latin1').replaceAll('2019-02-11', day);
}

function runAgent(bundle: string, args: string[], killAfterMs: number | null): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: 'ignore' });
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

test(`SIGKILL at random points (${ITERATIONS} runs): exactly-once delivery and intact state`, { timeout: 90_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'patchlens-crash-'));
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), 'agent', '--outdir', join(work, 'dist')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const bundle = join(work, 'dist', 'patchlens-agent.mjs');
  const logs = join(work, 'CBS');
  const state = join(work, 'state');
  mkdirSync(logs);
  const server = await startContractServer();
  t.after(() => server.close());
  const random = seededRandom(SEED);
  const common = ['--server', server.url, '--state-dir', state, '--logs', logs, '--device-id', 'crash-test'];

  assert.equal((await runAgent(bundle, ['enroll', ...common, '--secret', server.secret], null)).code, 0);
  // How long an undisturbed run takes on this machine, so kill points spread over the whole run.
  writeFileSync(join(logs, 'CBS.log'), failureOnDay(0));
  const started = Date.now();
  assert.equal((await runAgent(bundle, ['once', ...common], null)).code, 0);
  const runMs = Date.now() - started;

  const everSpooled = new Set<string>();
  let killed = 0;
  for (let iteration = 1; iteration < ITERATIONS; iteration++) {
    appendFileSync(join(logs, 'CBS.log'), failureOnDay(iteration));
    for (let index = 0; index < 3; index++) {
      const roll = random();
      server.script.push(roll < 0.15 ? { storeThenDrop: true } : roll < 0.25 ? { drop: true } : { delayMs: Math.floor(random() * 120) });
    }
    const result = await runAgent(bundle, ['once', ...common], Math.floor(runMs * (0.4 + random())));
    if (result.signal === 'SIGKILL') killed++;
    else assert.equal(result.code, 0, `iteration ${iteration} exited ${result.code}`);

    for (const name of readdirSync(join(state, 'spool'))) {
      const match = /^\d{12}-(.+)\.json$/.exec(name);
      if (match?.[1]) everSpooled.add(match[1]);
    }
    if (existsSync(join(state, 'state.json'))) {
      const parsed = agentStateSchema.safeParse(JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')));
      assert.ok(parsed.success, `state.json intact after iteration ${iteration}`);
    }
    assert.ok(deviceKeyFileSchema.safeParse(JSON.parse(readFileSync(join(state, 'device-key.json'), 'utf8'))).success);
  }
  server.script.length = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    assert.equal((await runAgent(bundle, ['once', ...common], null)).code, 0);
    if (readdirSync(join(state, 'spool')).filter((name) => name.endsWith('.json')).length === 0) break;
  }

  const storedIds = server.stored.map((report) => report.reportId);
  assert.equal(new Set(storedIds).size, storedIds.length, 'no report stored twice');
  for (const reportId of everSpooled) assert.ok(storedIds.includes(reportId), `spooled report ${reportId} was delivered`);
  const sequences = server.stored.map((report) => report.sequence ?? -1);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'delivered in sequence order');
  assert.equal(new Set(sequences).size, sequences.length, 'no sequence number reused');
  const newest = server.stored.at(-1);
  const days = (newest?.failures ?? []).map((failure) => failure.at.slice(0, 10)).sort();
  assert.deepEqual(days, Array.from({ length: ITERATIONS }, (_, n) => `2019-03-${String(n + 1).padStart(2, '0')}`), 'every failure once');
  assert.deepEqual(readdirSync(join(state, 'spool')).filter((name) => name.endsWith('.json')), []);
  t.diagnostic(`seed ${SEED}: ${killed} of ${ITERATIONS - 1} runs killed, ${everSpooled.size} reports seen in the spool, ${server.stored.length} stored, ${server.attempts.length} send attempts`);
  assert.ok(killed >= ITERATIONS / 4, `only ${killed} runs were actually killed (seed ${SEED})`);
});
