// Runs one piece of agent work (config check, cycle, drain) in a short-lived child process and reads its JSON answer.
import { spawn } from 'node:child_process';

/**
 * V8 settings for workers, each measured by `npm run bench:agent`:
 * - a small young generation keeps the peak of a large first scan low (the parser makes many
 *   short-lived strings);
 * - optimizing compilation on the worker's own thread: a background compiler thread holds its own
 *   working memory (about 4 MiB at the peak of a scan), and a worker gains nothing from compiling
 *   in parallel on a desktop that is busy with other work;
 * - the old generation grows by half at a time instead of V8's up-to-fourfold steps for a small heap
 *   that allocates fast, so a scan that fills the fact store collects before it doubles its
 *   footprint (dense log: 106 → 80 MiB, same CPU time);
 * - `gc()` for the cycle to collect between its phases (`runtime/phase-gc.ts`): about 1 MiB less
 *   at the peak of a typical cycle, 3.5 MiB on the dense log;
 * - no baseline compiler (Sparkplug) between the interpreter and TurboFan: its code and the pages
 *   of V8 it runs cost 1–1.5 MiB, and the parser's hot loop is optimized by TurboFan either way
 *   (same CPU time per scan, within noise).
 * No heap limit: a huge log can never crash the worker out of memory.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=1', '--no-concurrent-recompilation', '--heap-growing-percent=50', '--expose-gc', '--no-sparkplug'];

/**
 * Node flags of the long-running supervisor, part of the installed command line: it only waits on
 * timers, so V8's interpreter alone (no optimizing compilers) is plenty and saves ~1 MiB of idle
 * memory. Lite mode has no WebAssembly; saying so keeps Node from warning about it on every start.
 * Workers never inherit these flags: the parser needs the optimizing compilers.
 */
export const SUPERVISOR_NODE_FLAGS = ['--lite-mode', '--no-expose-wasm'];

const KEPT_STDERR_CHARS = 16_384;

export interface WorkerLauncher {
  node: string;
  /** Node flags and the entry script, e.g. ['--import', 'tsx', 'agent/cli.ts'] or ['patchlens-agent.mjs']. */
  prefix: string[];
}

export interface WorkerAnswer {
  code: number | null;
  /** The last stdout line, parsed (workers print exactly one JSON line). */
  json: unknown;
  /** The end of the worker's stderr (at most 16 KiB). */
  stderr: string;
}

/** The same program that is running now, with the worker heap flags instead of the supervisor's. */
export function currentLauncher(execArgv: string[] = process.execArgv, script = process.argv[1] ?? ''): WorkerLauncher {
  const flagName = (flag: string) => flag.split('=')[0] ?? flag;
  const inherited = execArgv.filter((arg) => !SUPERVISOR_NODE_FLAGS.includes(arg));
  const flags = WORKER_NODE_FLAGS.filter((flag) => !inherited.some((arg) => flagName(arg) === flagName(flag)));
  return { node: process.execPath, prefix: [...flags, ...inherited, script] };
}

/** Runs `worker <kind> …argv`; stderr is kept, and passed through unless `quiet`, so worker warnings reach the same place. */
export function runWorker(launcher: WorkerLauncher, kind: string, argv: string[], timeoutMs: number, quiet = false): Promise<WorkerAnswer> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcher.node, [...launcher.prefix, 'worker', kind, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Only the last lines explain a failure; a chatty worker must not grow the long-lived supervisor.
      stderr = (stderr + chunk).slice(-KEPT_STDERR_CHARS);
      if (!quiet) process.stderr.write(chunk);
    });
    // A hung worker (stuck PowerShell, dead share) is killed; kill -9 at any point is safe by design.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolve({ code, json: parseLine(last), stderr });
    });
  });
}

/** Node's answer to a flag it does not know: exit 9 and `node: bad option: --flag`. */
const BAD_OPTION_EXIT = 9;
const BAD_OPTION = /bad option: (--\S+)/;

/**
 * `runWorker` for the first worker of a supervisor: a flag of WORKER_NODE_FLAGS that this node.exe
 * does not know (V8 settings come and go between Node versions) is removed from the launcher, so
 * every later worker starts without it, and the worker is started again. An upgraded Node then runs
 * the agent with a little more memory instead of not at all. Returns the answer and the flags dropped.
 */
export async function runFirstWorker(
  launcher: WorkerLauncher,
  kind: string,
  argv: string[],
  timeoutMs: number,
  quiet = false,
  droppable: readonly string[] = WORKER_NODE_FLAGS,
): Promise<{ answer: WorkerAnswer; dropped: string[] }> {
  const dropped: string[] = [];
  for (;;) {
    const answer = await runWorker(launcher, kind, argv, timeoutMs, quiet);
    const unknown = answer.code === BAD_OPTION_EXIT ? BAD_OPTION.exec(answer.stderr)?.[1] : undefined;
    const index = unknown === undefined || !droppable.includes(unknown) ? -1 : launcher.prefix.indexOf(unknown);
    if (unknown === undefined || index < 0) return { answer, dropped };
    launcher.prefix.splice(index, 1);
    dropped.push(unknown);
  }
}

function parseLine(line: string): unknown {
  try {
    return line ? JSON.parse(line) : null;
  } catch {
    return null;
  }
}
