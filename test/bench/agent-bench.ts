// `npm run bench:agent`: footprint of the bundled agent, measured from outside (Linux /proc) in one run:
// first scan of a 256 MiB CBS.log (throttled vs unthrottled), then an idle hour compressed into a fast cycle loop.
// Every process runs with the shipped command lines: the supervisor with the flags `install` registers, the
// scans with the flags the supervisor gives its workers. Reports go over HTTPS with a configured CA bundle, as in a fleet.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContractServer } from '../agent/support/contract-server';
import { SUPERVISOR_NODE_FLAGS, WORKER_NODE_FLAGS } from '../../agent/runtime/worker-process';

const root = new URL('../../', import.meta.url).pathname;
const LOG_MIB = Number(process.env.BENCH_LOG_MIB ?? 256);
const IDLE_CYCLES = Number(process.env.BENCH_IDLE_CYCLES ?? 30);
const MIB = 1024 * 1024;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Usage {
  peakRssMiB: number;
  lastRssMiB: number;
  medianRssMiB: number;
  cpuSeconds: number;
  wallSeconds: number;
}

const FIXTURES = join(root, 'test/fixtures/logs');
const TLS = join(root, 'test/fixtures/tls');

/**
 * HTTPS on 127.0.0.1 in front of the contract server, signed by the test CA the agent is configured to
 * trust (`caBundle`): the agent's TLS client, its trusted roots and the handshake count in the figures.
 */
async function httpsFront(target: string): Promise<{ url: string; caBundle: string; close: () => void }> {
  const front = https.createServer({ cert: readFileSync(join(TLS, 'server-127.0.0.1.pem')), key: readFileSync(join(TLS, 'server-127.0.0.1.key')) }, (request, response) => {
    const upstream = http.request(`${target}${request.url ?? '/'}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(front.address() as AddressInfo).port}`, caBundle: join(TLS, 'test-root-ca.pem'), close: () => front.close() };
}
const FAMILY_FIXTURES = join(root, 'test/fixtures/families');
const HEAD = /^\d{4}-\d{2}-\d{2}(?= \d{2}:\d{2}:\d{2}, )/gm;

function readLogs(dir: string, pick: (name: string) => boolean): string {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.log') && pick(name));
  } catch {
    return '';
  }
  return names
    .sort()
    .map((name) => readFileSync(join(dir, name), 'latin1'))
    .filter((text) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}, /m.test(text))
    .map((text) => (text.endsWith('\n') ? text : `${text}\r\n`))
    .join('');
}

/**
 * Builds a log from verbatim captured lines, re-dated per block so facts do not collapse into one.
 * `typical`: servicing-session chatter (what fills a real CBS.log) with one captured failure per MiB.
 * `dense`: every captured log back to back, so failures, corruption and scans fill the fact store to its caps.
 */
function generateLog(path: string, bytes: number, kind: 'typical' | 'dense'): void {
  const bulk =
    kind === 'dense'
      ? readLogs(FIXTURES, () => true) + readLogs(FAMILY_FIXTURES, () => true)
      : readLogs(FIXTURES, (name) => /session/.test(name));
  const failure = readLogs(FIXTURES, (name) => name.startsWith('win10-1809-fod'));
  const fd = openSync(path, 'w');
  let written = 0;
  let block = 0;
  let nextFailureAt = 0;
  const start = Date.UTC(2020, 0, 1);
  while (written < bytes) {
    const day = new Date(start + (block % 3650) * 86_400_000).toISOString().slice(0, 10);
    let text = bulk;
    if (kind === 'typical' && written >= nextFailureAt) {
      text += failure;
      nextFailureAt += MIB;
    }
    written += writeSync(fd, Buffer.from(text.replace(HEAD, day), 'latin1'));
    block++;
  }
  closeSync(fd);
}

function procStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** utime + stime, plus the CPU of children it has waited for (the supervisor's workers). */
function procCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Runs the bundle and samples its memory and CPU every 20 ms until it exits (or `stopAfterMs` sends SIGTERM). */
function measure(bundle: string, args: string[], nodeFlags: string[], stopAfterMs: number | null = null): Promise<Usage> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, bundle, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const pid = child.pid ?? 0;
    let peak = 0;
    let last = 0;
    const samples: number[] = [];
    let cpu = 0;
    const sample = () => {
      const status = procStatus(pid);
      if (status && status.rss > 0) {
        peak = Math.max(peak, status.hwm, status.rss);
        last = status.rss;
        samples.push(status.rss);
      }
      cpu = procCpuSeconds(pid) ?? cpu;
    };
    const timer = setInterval(sample, 20);
    const stopper = stopAfterMs === null ? null : setTimeout(() => child.kill('SIGTERM'), stopAfterMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (stopper) clearTimeout(stopper);
      if (code !== 0) return reject(new Error(`agent ${args[0]} exited ${code}`));
      const sorted = samples.sort((a, b) => a - b);
      const medianRssMiB = sorted[Math.floor(sorted.length / 2)] ?? 0;
      resolve({ peakRssMiB: peak, lastRssMiB: last, medianRssMiB, cpuSeconds: cpu, wallSeconds: (performance.now() - started) / 1000 });
    });
  });
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);
/** Worker flags before the V8 settings in WORKER_NODE_FLAGS were each measured: the side-by-side reference. */
const PLAIN_WORKER_FLAGS = ['--max-semi-space-size=1'];

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench:agent reads /proc and runs on Linux only');
  const loadBefore = os.loadavg().map((load) => load.toFixed(2)).join(' ');
  const work = mkdtempSync(join(tmpdir(), 'patchlens-agent-bench-'));
  try {
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), 'agent', '--outdir', join(work, 'dist')], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    const bundle = join(work, 'dist', 'patchlens-agent.mjs');
    const server = await startContractServer();
    const front = await httpsFront(server.url);
    const rows: string[] = [];
    const row = (label: string, usage: Usage, budget: string) =>
      rows.push(`| ${label} | ${fmt(usage.peakRssMiB)} | ${fmt(usage.cpuSeconds, 2)} | ${fmt(usage.wallSeconds, 2)} | ${fmt((100 * usage.cpuSeconds) / usage.wallSeconds)} | ${budget} |`);

    // First scans run `once` with the heap flags the supervisor gives its workers: the same code path.
    const firstScan = async (kind: 'typical' | 'dense', share: number, flags = WORKER_NODE_FLAGS) => {
      const label = `${kind}-${share}${flags === WORKER_NODE_FLAGS ? '' : '-plain'}`;
      const logs = join(work, `CBS-${kind}`);
      mkdirSync(logs, { recursive: true });
      if (!readdirSync(logs).includes('CBS.log')) generateLog(join(logs, 'CBS.log'), LOG_MIB * MIB, kind);
      const state = join(work, `state-${label}`);
      const config = join(work, `agent-${label}.json`);
      writeFileSync(
        config,
        JSON.stringify({ server: front.url, caBundle: front.caBundle, enrollmentSecret: server.secret, scanCpuShare: share, schedule: '* * * * * *', logsDir: logs, stateDir: state }),
      );
      const usage = await measure(bundle, ['once', '--config', config, '--device-id', `bench-${label}`], flags);
      return { usage, state, config, logs };
    };
    const typical = await firstScan('typical', 0.5);
    row(`first scan, typical log, throttled (scanCpuShare 0.5)`, typical.usage, `peak/64 MiB = ${fmt(typical.usage.peakRssMiB / 64, 2)}`);
    const typicalFull = await firstScan('typical', 1);
    row(`first scan, typical log, unthrottled`, typicalFull.usage, `peak/64 MiB = ${fmt(typicalFull.usage.peakRssMiB / 64, 2)}`);
    // The same scan with only the young-generation flag the workers had before the others were measured.
    const plain = await firstScan('typical', 0.5, PLAIN_WORKER_FLAGS);
    row(`first scan, typical log, throttled, workers' earlier flags (${PLAIN_WORKER_FLAGS.join(' ')})`, plain.usage, `peak/64 MiB = ${fmt(plain.usage.peakRssMiB / 64, 2)}`);
    const dense = await firstScan('dense', 0.5);
    row(`first scan, dense log (fact caps reached), throttled`, dense.usage, `peak/64 MiB = ${fmt(dense.usage.peakRssMiB / 64, 2)}`);
    const stateBytes = statSync(join(typical.state, 'state.json')).size;
    // What every later cycle costs: a worker that restores the state, finds no new bytes and sends a full report.
    const unchanged = await measure(bundle, ['once', '--config', typical.config, '--device-id', 'bench-typical-0.5'], WORKER_NODE_FLAGS);
    row(`cycle with nothing new to read (worker restores the typical state)`, unchanged, `peak/64 MiB = ${fmt(unchanged.peakRssMiB / 64, 2)}`);

    // Idle hour compressed: the supervisor cycles every 2 s (instead of every 15 min) over a log that no longer
    // grows. CPU includes its workers; the median RSS sample is the supervisor between cycles.
    const before = server.stored.length;
    const idle = await measure(
      bundle,
      ['run', '--config', typical.config, '--schedule', '*/2 * * * * *', '--device-id', 'bench-typical-0.5'],
      SUPERVISOR_NODE_FLAGS,
      IDLE_CYCLES * 2000 + 500,
    );
    const idleCycles = server.stored.length - before;
    row(`idle: run supervisor, ${idleCycles} cycles every 2 s (CPU incl. workers)`, idle, `median supervisor RSS/48 MiB = ${fmt(idle.medianRssMiB / 48, 2)}`);
    front.close();
    await server.close();

    const cpuPerCycle = idleCycles > 0 ? idle.cpuSeconds / idleCycles : Number.NaN;
    const defaultScheduleShare = cpuPerCycle / (15 * 60);
    const lines = [
      `agent footprint: ${new Date().toISOString()}, node ${process.version}, ${LOG_MIB} MiB CBS.log, state.json after the typical scan ${fmt(stateBytes / 1024)} KiB`,
      `reports over HTTPS (127.0.0.1, configured CA bundle); load average ${loadBefore} before, ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} after`,
      `command lines: supervisor \`node ${SUPERVISOR_NODE_FLAGS.join(' ')} patchlens-agent.mjs run …\`, workers and scans \`node ${WORKER_NODE_FLAGS.join(' ')} patchlens-agent.mjs …\``,
      '',
      '| run | peak RSS MiB | CPU s | wall s | avg CPU % of one core | budget ratio |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      `throttled/unthrottled wall time (typical): ${fmt(typical.usage.wallSeconds / typicalFull.usage.wallSeconds, 2)}x; ` +
        `worker flags vs earlier flags (typical, throttled): peak ${fmt(typical.usage.peakRssMiB / plain.usage.peakRssMiB, 3)}x, CPU ${fmt(typical.usage.cpuSeconds / plain.usage.cpuSeconds, 2)}x; ` +
        `supervisor RSS while idle: median ${fmt(idle.medianRssMiB)} MiB, last ${fmt(idle.lastRssMiB)} MiB; CPU per idle cycle (worker start + incremental check + report): ${fmt(cpuPerCycle * 1000, 0)} ms; ` +
        `at the default 15-minute schedule that is ${fmt(defaultScheduleShare * 100, 3)} % of one core (budget 5 %, ratio ${fmt(defaultScheduleShare / 0.05, 4)})`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:agent failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
