// The real server (`server/main.ts`) as a child process on 127.0.0.1, for the demo and the fault tests that kill and restart it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runAdmin } from '../../server/admin-cli';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
  /** `kill -9`: no shutdown code runs. */
  kill(): Promise<void>;
}

/** A port that was free a moment ago, so a restarted server comes back at the address its agents know. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startServerProcess(options: { dataDir: string; port: number; env?: Record<string, string>; stdout?: (text: string) => void }): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env, DATA_DIR: options.dataDir, PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      options.stdout?.(text);
      out += text;
      if (/listening on http:\/\//.test(out)) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${options.port}`);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  return { child, url, port: options.port, stop: () => stopWith('SIGTERM'), kill: () => stopWith('SIGKILL') };
}

/** Runs an admin command (`enroll-secret`, `token --role viewer`) on a data folder and returns its last output line. */
export async function adminCommand(dataDir: string, ...args: string[]): Promise<string> {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const code = await runAdmin(args, { DATA_DIR: dataDir }, sink as unknown as typeof process.stdout, sink as unknown as typeof process.stderr);
  if (code !== 0) throw new Error(`admin ${args.join(' ')} failed (${code}): ${out.trim()}`);
  return out.trim().split('\n').pop()!.trim();
}
