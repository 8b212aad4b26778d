// `run`: a small supervisor (schedule + folder watch + retry timing) that does each cycle in a short-lived worker.
// The supervisor loads neither the parser nor the zod schemas, which keeps the idle agent small; each worker
// returns all of its memory to the system when it exits.
import { join } from 'node:path';
import { ConfigError } from '../config-error';
import { createLogger } from '../log';
import { AgentLoop } from '../runtime/agent-loop';
import { currentLauncher, runFirstWorker, runWorker, type WorkerLauncher } from '../runtime/worker-process';
import type { DrainResult } from '../ship/sender';
import type { SupervisorSettings } from './worker';

/** How long CBS.log may keep changing before a cycle runs anyway: a new failure reaches the server within 60 s. */
const MAX_WATCH_WAIT_MS = 40_000;
/** A worker that runs longer than this is killed (crash-safe) and the next trigger starts a fresh one. */
const WORKER_TIMEOUT_MS = 2 * 60 * 60_000;

export async function runRunCommand(argv: string[], launcher: WorkerLauncher = currentLauncher()): Promise<number> {
  // Configuration is validated once, by a worker, with the same code every command uses.
  const { answer: checked, dropped } = await runFirstWorker(launcher, 'config', argv, 60_000, true);
  if (checked.code !== 0 || checked.json === null) {
    throw new ConfigError(checked.stderr.trim().replace(/^patchlens-agent: /, '') || `configuration check failed (exit ${checked.code})`);
  }
  const settings = checked.json as SupervisorSettings;
  const log = createLogger({ level: settings.logLevel, dir: join(settings.stateDir, 'logs') });
  if (dropped.length > 0) log.warn({ dropped, node: process.version }, 'this Node.js does not know some worker memory settings; workers start without them');

  const work = async (kind: 'cycle' | 'drain'): Promise<DrainResult> => {
    const answer = await runWorker(launcher, kind, argv, WORKER_TIMEOUT_MS);
    if (answer.code === 0 && answer.json !== null) return answer.json as DrainResult;
    throw new Error(`${kind} worker ended with exit ${answer.code ?? 'signal'}: ${answer.stderr.trim().split('\n').at(-1) ?? ''}`);
  };
  const loop = new AgentLoop({
    cycle: () => work('cycle'),
    drain: () => work('drain'),
    schedule: settings.schedule,
    watchDir: settings.logsDir,
    debounceMs: settings.watchDebounceMs,
    maxWaitMs: MAX_WATCH_WAIT_MS,
    retry: { baseMs: settings.retryBaseMs, capMs: settings.retryCapMs },
    random: Math.random,
    log,
  });
  log.info({ schedule: settings.schedule.expression, stateDir: settings.stateDir, logsDir: settings.logsDir }, 'agent started');
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
  return 0;
}
