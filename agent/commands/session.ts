// Shared wiring of `once` and the `run` workers: spool, transport, cycle and drain functions over one configuration.
import { existsSync } from 'node:fs';
import { requireLogsDir, type AgentConfig } from '../config';
import type { AgentLogger } from '../log';
import { collectAndSpool, type SpooledCycle } from '../runtime/cycle';
import { collectBetweenPhases } from '../runtime/phase-gc';
import { ScanThrottle } from '../runtime/throttle';
import { drainSpool, type DrainResult } from '../ship/sender';
import { Spool } from '../ship/spool';
import type { Transport } from '../ship/transport';
import { lockStateDir } from '../state/lock';
import { openTransport, type CommandEnvironment } from './common';
import { ConfigError } from '../config-error';

export interface AgentSession {
  spool: Spool;
  cycle: () => Promise<SpooledCycle>;
  drain: () => Promise<DrainResult>;
  close: () => void;
}

export async function openSession(config: AgentConfig, env: CommandEnvironment, log: AgentLogger): Promise<AgentSession> {
  const release = lockStateDir(config.stateDir);
  try {
    const spool = new Spool(config.stateDir, config.spoolLimitBytes, log);
    const transport: Transport | null = config.server === null ? null : await openTransport(config, env.adapter);
    let identity: { deviceId: string; hostname: string } | null = null;
    const cycle = async () => {
      const logsDir = checkedLogsDir(config);
      const result = await collectAndSpool({
        stateDir: config.stateDir,
        logsDir,
        spool,
        adapter: env.adapter,
        log,
        now: env.now,
        deviceId: config.deviceId,
        hostname: config.hostname,
        throttle: new ScanThrottle(config.scanCpuShare),
      });
      identity = result.identity;
      return result;
    };
    const drain = async (): Promise<DrainResult> => {
      if (transport === null) {
        return { acknowledged: [], duplicates: 0, remaining: spool.entries().length, stopped: { reason: 'not-enrolled', detail: 'no server configured' } };
      }
      collectBetweenPhases(); // the cycle's parser, state and report, all on disk now
      const who = identity ?? { deviceId: config.deviceId ?? '', hostname: config.hostname ?? '' };
      return drainSpool({
        spool,
        transport,
        stateDir: config.stateDir,
        adapter: env.adapter,
        log,
        now: env.now,
        secret: config.enrollmentSecret,
        ...who,
      });
    };
    return { spool, cycle, drain, close: release };
  } catch (error) {
    release();
    throw error;
  }
}

/** The log folder, which must exist: a typo in --logs should fail loudly, not report an empty device. */
export function checkedLogsDir(config: AgentConfig): string {
  const logsDir = requireLogsDir(config);
  if (!existsSync(logsDir)) throw new ConfigError(`log folder ${logsDir} does not exist`);
  return logsDir;
}
