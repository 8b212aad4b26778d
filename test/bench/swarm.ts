// Opens a dashboard swarm (dashboard-swarm.ts) in a child process for the benchmarks and collects what it received.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { LIVE_TICK_AUTH } from '../../protocol/socket-events';
import type { WitnessCheck } from './swarm-check';

export type SwarmClient = 'wire' | 'socket.io';
/** `tick`: one `live:tick` per tick, as the dashboard asks for; `events`: separate fleet:delta / cluster:changed / alert:raised. */
export type SwarmLive = 'tick' | 'events';

/** The handshake auth of a swarm dashboard. */
export const swarmAuth = (token: string, live: SwarmLive): Record<string, unknown> => ({ token, ...(live === 'tick' ? LIVE_TICK_AUTH : {}) });

/** Parses `dashboards[:client[:live]]`, e.g. `1000`, `1000:socket.io`, `1000:wire:events`. */
export function parseSwarmSpec(spec: string): { dashboards: number; client: SwarmClient; live: SwarmLive } {
  const [count, client = 'wire', live = 'tick'] = spec.trim().split(':');
  if (client !== 'wire' && client !== 'socket.io') throw new Error(`unknown dashboard client ${client} in ${spec} (wire or socket.io)`);
  if (live !== 'tick' && live !== 'events') throw new Error(`unknown live mode ${live} in ${spec} (tick or events)`);
  if (!Number.isInteger(Number(count)) || Number(count) < 0) throw new Error(`dashboard count ${count} in ${spec} is not a whole number`);
  return { dashboards: Number(count), client, live };
}

export interface SwarmStart {
  url: string;
  count: number;
  /** `wire`: bare engine.io dashboards plus one socket.io-client witness; `socket.io`: socket.io-client only. */
  client: SwarmClient;
  auth: Record<string, unknown>;
  /** Wire dashboards also re-read the overview after deltas as the dashboard does (needs `auth.token`). */
  pageReads?: boolean;
}

export type SwarmRequest = { type: 'ready' } | { type: 'error'; message: string } | { type: 'stop' };

export interface SwarmResult {
  type: 'result';
  /** Per dashboard, the arrival time (epoch ms) of every fleet:delta. */
  arrivals: number[][];
  /** Events received by all dashboards together, by name. */
  events: Record<string, number>;
  /** Wire dashboards against the socket.io-client witness (null without wire dashboards). */
  check: WitnessCheck | null;
  /** Overview reads the dashboards made after deltas, paced as the dashboard paces them; failed ones apart. */
  pageReads: { ok: number; failed: number };
}

export interface Swarm {
  /** CPU seconds (user + system) the swarm's process has used so far. */
  cpuSeconds(): number;
  /** Closes every dashboard and returns what they received. */
  stop(): Promise<SwarmResult>;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Forks the swarm at `nice` (real dashboards run in browsers on other machines, so here they yield the
 * shared cores to the server) and resolves once every dashboard is connected.
 */
export function startSwarm(start: SwarmStart, nice: number): Promise<Swarm> {
  const child = fork(new URL('./dashboard-swarm.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, SWARM_START: JSON.stringify(start) },
  });
  if (nice !== 0) setPriority(child.pid!, nice);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`dashboard swarm exited with ${code}`)));
    child.once('message', (message: SwarmRequest) => {
      if (message.type !== 'ready') {
        reject(new Error(`dashboard swarm failed: ${message.type === 'error' ? message.message : message.type}`));
        return;
      }
      resolve({
        cpuSeconds: () => processCpuSeconds(child.pid!),
        stop: () =>
          new Promise((done) => {
            child.once('message', (reply: SwarmResult) => done(reply));
            child.send({ type: 'stop' } satisfies SwarmRequest);
          }),
      });
    });
  });
}

/** One line on the wire dashboards' check; throws when any of them received something other than the witness. */
export function describeCheck(check: WitnessCheck | null): string {
  if (!check) return 'socket.io-client dashboards only';
  if (check.matching !== check.dashboards) {
    throw new Error(`${check.dashboards - check.matching} of ${check.dashboards} wire dashboards received other events than the socket.io-client witness (${check.firstMismatch})`);
  }
  return `${check.matching} of ${check.dashboards} wire dashboards received the same events as the socket.io-client witness (at least ${check.fewestCompared} each)`;
}

export const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** What a benchmark phase needs for the dashboard comparison. */
export interface IngestPhaseRate {
  dashboards: number;
  reportsPerSecond: number;
  /** Server CPU during the phase, 1 = one core busy. */
  serverCpu: number;
}

/**
 * The baseline a dashboard phase is compared with: the mean rate, and rate per server CPU-second, of the
 * 0-dashboard phases right before and after it, so a machine that gets busier or calmer during the run
 * does not count as the dashboards' cost. Null when no 0-dashboard phase surrounds it.
 */
export function neighbourBaseline(phases: readonly IngestPhaseRate[], index: number): { rate: number; perCpu: number } | null {
  const before = phases.slice(0, index).reverse().find((q) => q.dashboards === 0);
  const after = phases.slice(index + 1).find((q) => q.dashboards === 0);
  const neighbours = [before, after].filter((q): q is IngestPhaseRate => q !== undefined);
  if (neighbours.length === 0) return null;
  return { rate: mean(neighbours.map((q) => q.reportsPerSecond)), perCpu: mean(neighbours.map((q) => q.reportsPerSecond / q.serverCpu)) };
}
