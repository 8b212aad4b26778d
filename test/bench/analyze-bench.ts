// `npm run bench:analyze`: POST /analyze of a large CBS.log against parsing the same file locally — time and peak memory side by side.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { scanPaths } from '../../parser/index';
import { analyzeResultSchema } from '../../protocol/device-detail';
import { composeServer } from '../../server/compose';
import { loadConfig } from '../../server/config';
import { SqliteStorage, databasePath } from '../../server/storage/sqlite/storage';

const ROOT = new URL('../../', import.meta.url).pathname;
const MB = 1024 * 1024;
const TARGET_MB = Number(process.env.BENCH_MB ?? 256);

/** Verbatim fixture logs (real captured lines) repeated to the target size. */
function writeLog(path: string): number {
  const dirs = ['test/fixtures/logs', 'test/fixtures/families'];
  const corpus = dirs
    .flatMap((dir) => readdirSync(join(ROOT, dir)).filter((name) => name.endsWith('.log')).map((name) => readFileSync(join(ROOT, dir, name), 'latin1')))
    .map((text) => (text.endsWith('\n') ? text : `${text}\n`))
    .join('');
  const block = Buffer.from(corpus.repeat(Math.max(1, Math.floor((8 * MB) / corpus.length))), 'latin1');
  const copies = Math.ceil((TARGET_MB * MB) / block.length);
  writeFileSync(path, Buffer.concat(Array.from({ length: copies }, () => block)));
  return statSync(path).size;
}

/** Runs `work` while sampling resident memory; returns its duration and the peak growth over the starting RSS. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakGrowthMb: number }> {
  global.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, peakGrowthMb: (Math.max(peak, process.memoryUsage.rss()) - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-analyze-bench-'));
  const log = join(dir, 'CBS.log');
  const bytes = writeLog(log);
  const storage = new SqliteStorage(databasePath(dir), { synchronous: 'NORMAL' });
  const config = loadConfig({}, { dataDir: dir, port: 0, host: '127.0.0.1', logLevel: 'silent' });
  const server = await composeServer({ config, storage, logger: pino({ level: 'silent' }), fleet: false, schedule: false });
  const address = await server.listen();
  const { token } = await server.ctx.admin.createApiToken({ name: 'bench', ip: null }, { name: 'bench', role: 'viewer' });
  try {
    const local = await measured(() => scanPaths([log]));
    // The client is curl in its own process, so the RSS sampled here is the server's alone.
    const upload = await measured(async () => {
      const curl = spawn('curl', ['-sS', '-X', 'POST', '-T', log, '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:', `http://127.0.0.1:${address.port}/api/v1/analyze?name=CBS.log`]);
      let out = '';
      curl.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        curl.once('error', (error) => reject(new Error(`bench:analyze needs curl on PATH (${error.message})`)));
        curl.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`curl exited with ${code}`);
      return analyzeResultSchema.parse(JSON.parse(out));
    });
    const sizeMb = bytes / MB;
    const failures = upload.result.detail.failures.length;
    process.stdout.write(`input: ${sizeMb.toFixed(0)} MB CBS.log (verbatim fixture lines repeated), ${upload.result.parse.files[0]?.lines ?? 0} lines\n`);
    process.stdout.write(`local scanPaths:  ${(local.ms / 1000).toFixed(2)} s, ${(sizeMb / (local.ms / 1000)).toFixed(1)} MB/s, peak RSS growth ${local.peakGrowthMb.toFixed(0)} MB, ${local.result.failures.length} failures\n`);
    process.stdout.write(`POST /analyze:    ${(upload.ms / 1000).toFixed(2)} s, ${(sizeMb / (upload.ms / 1000)).toFixed(1)} MB/s, peak RSS growth ${upload.peakGrowthMb.toFixed(0)} MB, ${failures} failures\n`);
    process.stdout.write(
      `ratio upload/local: time ${(upload.ms / local.ms).toFixed(2)}x; peak RSS growth of the upload / file size: ${(upload.peakGrowthMb / sizeMb).toFixed(2)}\n`,
    );
  } finally {
    await server.close();
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
