// Finding 10: DATA_DIR is created 0700 and the database, WAL and SHM files 0600, by the server and the admin command; loose ones are reported or fixed at start.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runAdmin } from '../../server/admin-cli';
import { spawnServer } from '../server/spawn-server';

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

function assertMode(path: string, expected: number): void {
  assert.equal(octal(mode(path)), octal(expected), `${path} has mode ${octal(mode(path))}, expected ${octal(expected)}`);
}

describe('data file permissions', { skip: process.platform === 'win32' ? 'POSIX modes only' : false }, () => {
  let root: string;
  let savedUmask: number;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'patchlens-perm-'));
    // The common default, under which files are created world-readable unless asked otherwise.
    savedUmask = process.umask(0o022);
  });
  after(() => {
    process.umask(savedUmask);
    rmSync(root, { recursive: true, force: true });
  });

  test('the server creates DATA_DIR 0700 and the database, WAL and SHM files 0600', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'server-data');
    const server = await spawnServer(dataDir, { PATCHLENS_ADMIN_PASSWORD: 'permissions test password' });
    try {
      assertMode(dataDir, 0o700);
      const db = join(dataDir, 'patchlens.sqlite');
      assertMode(db, 0o600);
      assert.ok(existsSync(`${db}-wal`) && existsSync(`${db}-shm`), 'WAL mode files exist while the server runs');
      assertMode(`${db}-wal`, 0o600);
      assertMode(`${db}-shm`, 0o600);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    // A data directory left readable by an older version: the files are fixed, the directory reported.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'patchlens.sqlite'), 0o644);
    const again = await spawnServer(dataDir);
    // The log is written asynchronously: read it to the end, not only up to the listening line.
    let output = again.stdout;
    again.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const drained = new Promise((resolve) => again.child.stdout!.once('end', resolve));
    try {
      assertMode(join(dataDir, 'patchlens.sqlite'), 0o600);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
      await drained;
    }
    const warnings = output.split('\n').filter((line) => line.includes('"level":40'));
    assert.ok(
      warnings.some((line) => line.includes(dataDir) && line.includes('0755')),
      `a warning names the readable data directory: ${output}`,
    );
    assert.ok(
      warnings.some((line) => line.includes('patchlens.sqlite') && line.includes('0644')),
      `a warning names the database file that was fixed: ${output}`,
    );
  });

  test('the admin command creates DATA_DIR 0700 and the database 0600 too', async () => {
    const dataDir = join(root, 'cli-data');
    let err = '';
    const code = await runAdmin(['user', 'list'], { DATA_DIR: dataDir }, { write: () => true }, { write: (t: string) => (err += t) });
    assert.equal(code, 0, err);
    assertMode(dataDir, 0o700);
    assertMode(join(dataDir, 'patchlens.sqlite'), 0o600);
  });
});
