// Key/value splitting by known keys on CBS lines whose commas are unreliable (cbs-formats.md §2.3, §2.4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeySet, readKeyValues } from './key-values';

test('WER fields by name', () => {
  const values = readKeyValues(
    'WER: Generating failure report for package: Package_for_ServicingStack_3081~31bf3856ad364e35~amd64~~20348.3081.1.1, status: 0x80073712, failure source: Resolve, start state: Installed, target state: Installed, client id: WindowsUpdateAgent',
  );
  assert.deepEqual(Object.fromEntries(values), {
    package: 'Package_for_ServicingStack_3081~31bf3856ad364e35~amd64~~20348.3081.1.1',
    status: '0x80073712',
    'failure source': 'Resolve',
    'start state': 'Installed',
    'target state': 'Installed',
    'client id': 'WindowsUpdateAgent',
  });
});

test('`status` inside `hotpatch status` / `download status` is not the status key; missing commas and spaces are fine', () => {
  const values = readKeyValues(
    'SQM: Reporting selectable update change for package: Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64`~~`6.3.9600.16384, update: Microsoft-Windows-Deployment-Services, start: Installed, applicable: Resolved, target: Resolved, client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1433, first merged sequence: 1433, download source: 0, download time (secs): 4294967295, download status: 0x0 (S_OK),reboot required: False, overall result:0x800f0922 (CBS_E_INSTALLERS_FAILED)  ',
  );
  assert.equal(values.get('status'), undefined);
  assert.equal(values.get('download status'), '0x0 (S_OK)');
  assert.equal(values.get('reboot required'), 'False');
  assert.equal(values.get('overall result'), '0x800f0922 (CBS_E_INSTALLERS_FAILED)');
  const hotpatch = readKeyValues('current: Installed, hotpatch status: StillGoing, status: 0x0, failure source: Execute', new KeySet(['current', 'hotpatch status', 'status', 'failure source']));
  assert.deepEqual([hotpatch.get('hotpatch status'), hotpatch.get('status')], ['StillGoing', '0x0']);
  const noComma = readKeyValues('first merged sequence: 1433 reboot reason: REBOOT_NOT_REQUIRED RM App session: -1', new KeySet(['first merged sequence', 'reboot reason', 'RM App session']));
  assert.deepEqual(Object.fromEntries(noComma), { 'first merged sequence': '1433', 'reboot reason': 'REBOOT_NOT_REQUIRED', 'RM App session': '-1' });
});

test('a key a line lacks is absent, a key printed twice keeps its first value, and lines with many keys read whole', () => {
  const keys = new KeySet(['package', 'current', 'status', 'client id']);
  const change = readKeyValues('SQM: Reporting package change for package: Package_for_KB5043064~31bf3856ad364e35~amd64~~19041.4894.1.9, current: Staged, status: 0x800f0922, client id: UpdateAgentLCU', keys);
  assert.deepEqual([change.get('current'), change.get('status'), change.get('client id')], ['Staged', '0x800f0922', 'UpdateAgentLCU']);
  const exec = readKeyValues('Exec: Package: Package_for_KB5043064~31bf3856ad364e35~amd64~~19041.4894.1.9 current: Installed, current: Staged', keys);
  assert.equal(exec.get('status'), undefined);
  assert.equal(exec.get('current'), 'Installed');
  assert.equal(exec.get('not a key of this set'), undefined);
  const many = Array.from({ length: 40 }, (_, i) => `key${i}`);
  const values = readKeyValues(many.map((key, i) => `${key}: v${i}`).join(', '), new KeySet(many));
  assert.equal(values.size, 40);
  assert.equal(values.get('key39'), 'v39');
});
