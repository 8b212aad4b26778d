// Runs one piece of agent work (config check, cycle, drain) in a short-lived child process and reads its JSON answer.
import { spawn } from 'node:child_process';

/**
 * Heap settings for workers: a small young generation keeps the peak of a large first scan low
 * (the parser makes many short-lived strings); the old generation keeps V8's default so a huge
 * log can never crash the worker out of memory.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=1'];

export interface WorkerLauncher {
  node: string;
  /** Node flags and the entry script, e.g. ['--import', 'tsx', 'agent/cli.ts'] or ['patchlens-agent.mjs']. */
  prefix: string[];
}

export interface WorkerAnswer {
  code: number | null;
  /** The last stdout line, parsed (workers print exactly one JSON line). */
  json: unknown;
  stderr: string;
}

/** The same program that is running now, with the worker heap flags. */
export function currentLauncher(): WorkerLauncher {
  const flags = WORKER_NODE_FLAGS.filter((flag) => !process.execArgv.some((arg) => arg.startsWith(flag.split('=')[0] ?? flag)));
  return { node: process.execPath, prefix: [...flags, ...process.execArgv, process.argv[1] ?? ''] };
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
      stderr += chunk;
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

function parseLine(line: string): unknown {
  try {
    return line ? JSON.parse(line) : null;
  } catch {
    return null;
  }
}
