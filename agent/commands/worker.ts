// `worker config|cycle|drain`: the short-lived processes the `run` supervisor starts; each prints one JSON line.
import { ConfigError } from '../config-error';
import { parseSchedule, type CronSchedule } from '../runtime/cron-schedule';
import { prepare, type CommandEnvironment } from './common';
import { checkedLogsDir, openSession } from './session';

/** What the supervisor needs to schedule and log; everything else stays inside the workers. */
export interface SupervisorSettings {
  /** Parsed here, so the supervisor needs no cron parser of its own. */
  schedule: CronSchedule;
  logsDir: string;
  stateDir: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  watchDebounceMs: number;
  retryBaseMs: number;
  retryCapMs: number;
}

export async function runWorkerCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind !== 'config' && kind !== 'cycle' && kind !== 'drain') throw new ConfigError(`unknown worker task '${kind ?? ''}'`);
  const { config, log } = prepare(rest, env);
  if (kind === 'config') {
    const settings: SupervisorSettings = {
      schedule: parseSchedule(config.schedule),
      logsDir: checkedLogsDir(config),
      stateDir: config.stateDir,
      logLevel: config.logLevel,
      watchDebounceMs: config.watchDebounceMs,
      retryBaseMs: config.retryBaseMs,
      retryCapMs: config.retryCapMs,
    };
    env.stdout(JSON.stringify(settings));
    return 0;
  }
  const session = await openSession(config, env, log);
  try {
    if (kind === 'cycle') await session.cycle();
    env.stdout(JSON.stringify(await session.drain()));
    return 0;
  } finally {
    session.close();
  }
}
