// `run`: the long-running agent (schedule + folder watch + spool retries) until SIGINT/SIGTERM.
import { requireLogsDir } from '../config';
import { AgentLoop } from '../runtime/agent-loop';
import { prepare, type CommandEnvironment } from './common';
import { openSession } from './session';

/** How long CBS.log may keep changing before a cycle runs anyway: a new failure reaches the server within 60 s. */
const MAX_WATCH_WAIT_MS = 40_000;

export async function runRunCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config, log } = prepare(argv, env);
  const session = await openSession(config, env, log);
  const loop = new AgentLoop({
    cycle: session.cycle,
    drain: session.drain,
    schedule: config.schedule,
    watchDir: requireLogsDir(config),
    debounceMs: config.watchDebounceMs,
    maxWaitMs: MAX_WATCH_WAIT_MS,
    retry: { baseMs: config.retryBaseMs, capMs: config.retryCapMs },
    random: env.random,
    log,
  });
  log.info({ schedule: config.schedule, server: config.server, stateDir: config.stateDir }, 'agent started');
  loop.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'agent stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await loop.stop();
  session.close();
  return 0;
}
