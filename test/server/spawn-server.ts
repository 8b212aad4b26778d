// Starts the real server (`server/main.ts`) as a child process on 127.0.0.1 with a random port, for crash, first-start and benchmark runs.
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the server printed on stdout up to and including the listening line. */
  stdout: string;
  /** Resolves when the child has exited; listen before killing so a fast exit is not missed. */
  exited: Promise<number | null>;
}

const root = new URL('../../', import.meta.url).pathname;

export function spawnServer(dataDir: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/[^/\s]+:(\d+))/.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve({ child, url: listening[1]!, port: Number(listening[2]), stdout: out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}
