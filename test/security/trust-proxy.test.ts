// Finding 11: TRUST_PROXY=true believes any client's X-Forwarded-For (defeating every per-address limit), so the server warns at start and names the safer settings.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnServer } from '../server/spawn-server';

const warnings = (stdout: string) => stdout.split('\n').filter((line) => line.includes('"level":40'));

describe('TRUST_PROXY start-up warning', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'patchlens-proxy-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function startWith(trustProxy: string): Promise<string> {
    const server = await spawnServer(dataDir, { TRUST_PROXY: trustProxy, PATCHLENS_ADMIN_PASSWORD: 'trust proxy test password' });
    // The log is written asynchronously: read it to the end, not only up to the listening line.
    let output = server.stdout;
    server.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const drained = new Promise((resolve) => server.child.stdout!.once('end', resolve));
    server.child.kill('SIGTERM');
    await server.exited;
    await drained;
    return output;
  }

  test('TRUST_PROXY=true is warned about, recommending a hop count or proxy addresses', { timeout: 60_000 }, async () => {
    const lines = warnings(await startWith('true')).filter((line) => line.includes('TRUST_PROXY'));
    assert.equal(lines.length, 1, 'one warning about TRUST_PROXY');
    assert.match(lines[0]!, /X-Forwarded-For/);
    assert.match(lines[0]!, /hop count/);
  });

  test('a hop count or an address list starts without that warning', { timeout: 60_000 }, async () => {
    for (const setting of ['1', 'loopback, 10.0.0.0/8']) {
      assert.deepEqual(
        warnings(await startWith(setting)).filter((line) => line.includes('TRUST_PROXY')),
        [],
        `TRUST_PROXY=${setting}`,
      );
    }
  });
});
