// `scan` as users run it (spawned): --json is one valid Report v1 on stdout; bad paths exit 2 with one line.
// Fixtures: test/fixtures/logs (cbs-formats.md §2.4 Win7 0x80070308 and IE11 staging chains).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { reportSchema } from '../../protocol/report';
import { parseScanArguments, scanDeviceId } from './scan';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/logs');
const dir = mkdtempSync(join(tmpdir(), 'patchlens-scan-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function scan(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'agent/cli.ts'), 'scan', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('scan --json on a log folder prints exactly one valid Report v1 document', () => {
  const logs = join(dir, 'CBS');
  mkdirSync(logs);
  copyFileSync(join(fixtures, 'win7-ie11-staging-0x80070002.log'), join(logs, 'CbsPersist_20171124140000.log'));
  copyFileSync(join(fixtures, 'win7-kb3172605-0x80070308.log'), join(logs, 'CBS.log'));
  const { status, stdout, stderr } = scan(logs, '--json', '--device-id', 'dev-42', '--hostname', 'WS-0042');
  assert.equal(status, 0, stderr);
  const report = reportSchema.parse(JSON.parse(stdout));
  assert.equal(stdout.trim().split('\n').length, 1);
  assert.deepEqual([report.device.id, report.device.hostname], ['dev-42', 'WS-0042']);
  assert.deepEqual(report.parse.files.map((f) => f.name), ['CbsPersist_20171124140000.log', 'CBS.log']);
  assert.deepEqual(report.failures.map((f) => f.hresult), ['0x80070002', '0x80070308']);
  assert.deepEqual(report.hotfixes, []);
  assert.ok(Date.now() - Date.parse(report.generatedAt) < 120_000);
});

test('without --json: a readable summary naming the failing KB and its error', () => {
  const { status, stdout } = scan(join(fixtures, 'win7-kb3172605-0x80070308.log'));
  assert.equal(status, 0);
  assert.match(stdout, /Failing updates \(1\):\n {2}KB3172605 +0x80070308/);
  assert.match(stdout, /ERROR_REQUEST_OUT_OF_SEQUENCE/);
  assert.match(stdout, /Corruption: none found/);
});

test('a missing path, a folder without logs or a flag without its value exits 2 with one clear line on stderr and nothing on stdout', () => {
  const missing = scan(join(dir, 'no-such-CBS.log'), '--json');
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /^patchlens-agent: no such file or folder: .*no-such-CBS\.log\n$/);
  const empty = mkdtempSync(join(dir, 'empty-'));
  const none = scan(empty);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no servicing logs/);
  const badFlag = scan(empty, '--device-id');
  assert.equal(badFlag.status, 2);
  assert.equal(badFlag.stdout, '');
  assert.match(badFlag.stderr, /^patchlens-agent: --device-id needs a value\nusage: patchlens-agent scan /);
});

test('arguments and the derived device id', () => {
  assert.deepEqual(parseScanArguments(['a', '--json', 'b', '--utc-offset', '-360']), {
    paths: ['a', 'b'], json: true, deviceId: null, hostname: null, utcOffsetMinutes: -360,
  });
  assert.throws(() => parseScanArguments(['--json']), /no log file/);
  assert.throws(() => parseScanArguments(['a', '--bogus']), /unknown option --bogus/);
  assert.throws(() => parseScanArguments(['a', '--device-id']), /^ConfigError: --device-id needs a value$/);
  assert.throws(() => parseScanArguments(['a', '--utc-offset', '90.5']), /whole minutes within ±840, not '90.5'/);
  assert.equal(scanDeviceId('WS-0042'), scanDeviceId('ws-0042'));
  assert.match(scanDeviceId('WS-0042'), /^scan-[0-9a-f]{32}$/);
});
