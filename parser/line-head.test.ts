// Line heads on verbatim lines from cbs-formats.md §1.1 (byte-faithful), §1.2 (message id) and §1.5 (pastes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyLineHead, readFixedHead, readTolerantHead, type LineHead } from './line-head';

function head(line: string): (LineHead & { message: string; time: string | null }) | null {
  const out = emptyLineHead();
  if (!readFixedHead(line, out) && !readTolerantHead(line, out)) return null;
  return { ...out, message: line.slice(out.messageStart), time: out.timeStart >= 0 ? line.slice(out.timeStart, out.timeStart + 19) : null };
}

test('fixed columns: time, 22-char severity, 7-char component, message at col 50', () => {
  const line = '2026-08-29 22:08:03, Info                  CBS    TI: --- Initializing Trusted Installer ---';
  const out = emptyLineHead();
  assert.equal(readFixedHead(line, out), true);
  assert.deepEqual(
    { time: line.slice(out.timeStart, 19), level: out.level, component: out.component, message: line.slice(out.messageStart) },
    { time: '2026-08-29 22:08:03', level: 'Info', component: 'CBS', message: 'TI: --- Initializing Trusted Installer ---' },
  );
});

test('blank component, Warning and Error levels, six-letter components', () => {
  assert.deepEqual(
    (({ level, component, message }) => ({ level, component, message }))(head('2026-08-29 22:48:03, Info                         Arbiter invoked from servicing stack; skip locking')!),
    { level: 'Info', component: '', message: 'Arbiter invoked from servicing stack; skip locking' },
  );
  assert.equal(head('2026-08-29 22:48:03, Warning                      WatsonHelper: File already set: [C:\\WINDOWS\\Logs\\MoSetup\\UpdateAgent.log]')!.level, 'Warning');
  const moupg = head('2026-07-21 10:36:32, Error                 MOUPG  CUnattendManager::Initialize(90): Result = 0x80070490[gle=0x00000002]')!;
  assert.equal(moupg.component, 'MOUPG');
  assert.equal(moupg.message, 'CUnattendManager::Initialize(90): Result = 0x80070490[gle=0x00000002]');
});

test('the `Error      [0x01806a] CSI` message-id form keeps the component at col 43', () => {
  const line = '2026-10-08 20:55:05, Error      [0x01806a] CSI    0000004b (F) Failed execution of queue item Installer: Container Installer ({9edf0f01-ef44-4c87-ac5a-8aad730137ab}) with HRESULT HRESULT_FROM_WIN32(1753).  Failure will not be ignored: A rollback will be initiated after all the operations in the installer queue are completed; installer is reliable[gle=0x80004005]';
  const out = head(line)!;
  assert.equal(out.level, 'Error');
  assert.equal(out.messageId, '0x01806a');
  assert.equal(out.component, 'CSI');
  assert.ok(out.message.startsWith('0000004b (F) Failed execution'));
  assert.equal(head('2026-07-21 10:36:56, Info       [0x090008] PANTHR CBlackboard::Open: X:\\$Windows.~BT\\Sources\\Panther\\CompatScanCache.dat succeeded')!.component, 'PANTHR');
});

test('whitespace-collapsed, redacted, time-less and prefix-stripped pastes', () => {
  const collapsed = head('2018-11-01 13:24:25, Info CBS Mark store corruption flag because of package: Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4. [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]')!;
  assert.equal(collapsed.time, '2018-11-01 13:24:25');
  assert.equal(collapsed.component, 'CBS');
  assert.ok(collapsed.message.startsWith('Mark store corruption flag'));

  const redacted = head('20xx-xx-18 15:21:14, Error CBS Startup: Failed executing critical driver operations queue [HRESULT = 0x8007000d - ERROR_INVALID_DATA]')!;
  assert.equal(redacted.time, null);
  assert.equal(redacted.level, 'Error');
  assert.ok(redacted.message.startsWith('Startup: Failed executing'));

  const noTime = head(", Error                 CSI    000006d2 (F) Component marked deleted and is no longer available for: [l:77 ml:140]'amd64_microsoft-copilot_31bf3856ad364e35_10.0.26100.712_none_70c07f1218639276'[gle=0x80004005]")!;
  assert.equal(noTime.time, null);
  assert.equal(noTime.component, 'CSI');

  const tab = head("Error\tCSI    00000c63 (F) Logged @: [l:26 ml:27]'JobsHandler::Install enter'")!;
  assert.equal(tab.component, 'CSI');
  assert.ok(tab.message.startsWith('00000c63 (F) Logged @:'));

  assert.equal(head(' <DateTime>, Error      [0x01803e] CSI    00000e64 (F) Failed execution of queue item Installer: HTTP Installer ({<Installer ID>}) with HRESULT HRESULT_FROM_WIN32(1058).')!.messageId, '0x01803e');
  assert.equal(head('<date> <time>, Info CSI 00000006 [SR] Verifying 100 (0x00000064) components  ')!.component, 'CSI');
});

test('continuation text is not a head', () => {
  for (const line of [
    '    Old component: (null)',
    ' Expected: {l:32 ml:33 b:d89ab0d7cf6262145ab3517febd26dbb95297bdf0adb72d551746f4e409eb089}.',
    '[gle=0x80004005]',
    'CSIPERF:AIDONE;{9edf0f01-ef44-4c87-ac5a-8aad730137ab};Microsoft-Windows-Containers-DisposableClientVM, version 10.0.26100.9549, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35};5552us',
    '=================================',
    'Checking System Update Readiness.',
    'Error in operation: the package is not applicable.',
    '0x800f0922 - CBS_E_INSTALLERS_FAILED]',
    '',
  ]) {
    assert.equal(head(line), null, line);
  }
});
