// State files: atomic replacement, leftovers of killed writes, damaged state and the owner-only device key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, ensureGeneratedDeviceId, loadState, saveState, statePath } from './agent-state';
import { sweepTempFiles, writeFileAtomic } from './atomic-file';
import { readDeviceKey, writeDeviceKey } from './device-key';
import { lockStateDir, StateDirBusyError } from './lock';
import { RecordedAdapter } from '../windows/recorded-adapter';

const dir = () => mkdtempSync(join(tmpdir(), 'patchlens-state-'));

test('state round-trips; a damaged file is kept aside and the agent starts over with a warning', () => {
  const stateDir = dir();
  saveState(stateDir, { ...emptyState(), sequence: 7 });
  assert.equal(loadState(stateDir).state.sequence, 7);
  writeFileSync(statePath(stateDir), '{"version":1,"sequ');
  const loaded = loadState(stateDir);
  assert.equal(loaded.state.sequence, -1);
  assert.match(loaded.problem ?? '', /damaged .*reading all logs again/);
  assert.ok(readdirSync(stateDir).includes('state.json.bad'));
});

test('atomic write replaces whole files and leaves no temp behind; stale temps are swept', () => {
  const stateDir = dir();
  const target = join(stateDir, 'x.json');
  writeFileAtomic(target, 'old');
  writeFileAtomic(target, 'new');
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(readdirSync(stateDir), ['x.json']);
  writeFileSync(join(stateDir, 'x.json.tmp-123-abcd'), 'half');
  assert.equal(sweepTempFiles(stateDir), 1);
  assert.deepEqual(readdirSync(stateDir), ['x.json']);
});

test('the generated device id is created once and kept', () => {
  const stateDir = dir();
  const now = () => new Date();
  const first = ensureGeneratedDeviceId(stateDir, now);
  assert.equal(ensureGeneratedDeviceId(stateDir, now), first);
});

test('device key is 0600 on POSIX and gets a SYSTEM/Administrators-only ACL via icacls on Windows', async () => {
  const stateDir = dir();
  const key = { server: 'https://p', deviceId: 'd', hostname: 'h', deviceKey: 'dk_0123456789', enrolledAt: '2024-11-21T14:00:00Z' };
  await writeDeviceKey(stateDir, key, new RecordedAdapter('linux'));
  if (process.platform !== 'win32') assert.equal(statSync(join(stateDir, 'device-key.json')).mode & 0o777, 0o600);
  assert.deepEqual(readDeviceKey(stateDir), key);

  const windows = new RecordedAdapter('win32').answer('icacls', { code: 0, stdout: 'processed file', stderr: '' });
  await writeDeviceKey(stateDir, key, windows);
  assert.deepEqual(windows.calls[0]?.args.slice(1), ['/inheritance:r', '/grant:r', '*S-1-5-18:F', '*S-1-5-32-544:F']);
  const failing = new RecordedAdapter('win32').answer('icacls', { code: 5, stdout: '', stderr: 'Access is denied.' });
  await assert.rejects(writeDeviceKey(stateDir, key, failing), /icacls .* failed \(exit 5\): Access is denied/);
});

test('one agent per state dir; a dead owner\'s lock is taken over', () => {
  const stateDir = dir();
  const release = lockStateDir(stateDir);
  writeFileSync(join(stateDir, 'agent.lock'), String(process.ppid)); // a live process that is not us
  assert.throws(() => lockStateDir(stateDir), StateDirBusyError);
  writeFileSync(join(stateDir, 'agent.lock'), '999999999'); // no such process
  const again = lockStateDir(stateDir);
  again();
  release();
  assert.ok(!readdirSync(stateDir).includes('agent.lock'));
});
