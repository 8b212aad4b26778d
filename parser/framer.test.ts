// Record framing on verbatim blocks of cbs-formats.md §1.4 (a) installer block, (c) [gle] alone,
// (d) CSI records re-split mid-token, (e) Expected/Actual, (f) the 14393 unprefixed SUR block, (g) console wraps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LINE_CHARS, RecordFramer } from './framer';
import type { LogRecord } from './record';

function frame(text: string, keepNoise = false): LogRecord[] {
  const records: LogRecord[] = [];
  const framer = new RecordFramer({ record: (record) => records.push(record), clockSample: () => {} }, { keepNoise });
  framer.beginFile('CBS.log', 'cbs');
  framer.pushText(text);
  framer.flushCarry();
  framer.flushPending();
  return records;
}

const INSTALLER_BLOCK = [
  '2026-10-08 20:50:05, Info                  CSI    00000038 Begin executing advanced installer phase 39 index 11 (sequence 51)',
  '    Old component: (null)',
  '    New component: Microsoft-Windows-Containers-DisposableClientVM, version 10.0.26100.9549, arch amd64',
  '    Install mode: delta',
  '    Smart installer: false',
  '    Installer ID: {9edf0f01-ef44-4c87-ac5a-8aad730137ab}',
  "    Installer name: 'Container Installer'",
  '2026-10-08 20:50:05, Info                  CSI    0000003c Container AI invoked with operation flags Install',
  '2026-10-08 20:50:05, Info                  CSI    0000003d@2026/10/8:18:50:05.198 CSI Advanced installer perf trace:',
  'CSIPERF:AIDONE;{9edf0f01-ef44-4c87-ac5a-8aad730137ab};Microsoft-Windows-Containers-DisposableClientVM, version 10.0.26100.9549, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35};5552us',
  '2026-10-08 20:50:05, Info                  CSI    0000003e End executing advanced installer (sequence 51)',
  '    Completion status: S_OK ',
];

test('4-space installer details and CSIPERF lines continue their record; trailing spaces are kept verbatim', () => {
  const records = frame(INSTALLER_BLOCK.join('\r\n') + '\r\n', true);
  assert.deepEqual(records.map((r) => r.csiSequence), ['00000038', '0000003c', '0000003d', '0000003e']);
  assert.equal(records[2]!.continuation[0]!.slice(0, 15), 'CSIPERF:AIDONE;');
  const begin = records[0]!;
  assert.equal(begin.text, 'Begin executing advanced installer phase 39 index 11 (sequence 51)');
  assert.equal(begin.continuation.length, 6);
  assert.equal(begin.continuation[5], "    Installer name: 'Container Installer'");
  assert.deepEqual(records[3]!.continuation, ['    Completion status: S_OK ']);
  // Installer tracing is known noise: with noise skipped (as the parser runs) none of it, nor its
  // continuation lines, reaches the handlers.
  assert.deepEqual(frame(INSTALLER_BLOCK.join('\r\n') + '\r\n'), []);
  assert.equal(begin.time, '2026-10-08 20:50:05');
  assert.equal(begin.line, 1);
  assert.equal(records[3]!.line, 11);
});

test('CSI inline UTC stamps are split off the message and reported as clock samples', () => {
  const samples: [string, string][] = [];
  const records: LogRecord[] = [];
  const framer = new RecordFramer({ record: (r) => records.push(r), clockSample: (local, utc) => samples.push([local, utc]) });
  framer.beginFile('CBS.log', 'cbs');
  framer.pushText(
    '2016-10-31 11:25:11, Error                 CSI    000000ec@2016/10/31:17:25:11.317 (F) d:\\win7sp1_gdr\\base\\wcp\\componentstore\\analysis.cpp(1186): Error STATUS_REQUEST_OUT_OF_SEQUENCE originated in function CServicingFamilyEntries::RemoveInstalledTlc expression: (null)\n[gle=0x80004005]\n',
  );
  framer.flushPending();
  assert.deepEqual(samples, [['2016-10-31 11:25:11', '2016/10/31:17:25:11.317']]);
  assert.equal(records[0]!.csiUtc, '2016/10/31:17:25:11.317');
  assert.ok(records[0]!.text.startsWith('(F) d:\\win7sp1_gdr'));
  assert.deepEqual(records[0]!.continuation, ['[gle=0x80004005]']);
});

test('a blank line after a record and `[gle=…]` alone on a line belong to the record before', () => {
  const text = [
    '2016-10-31 11:25:11, Info                  CSI    000000eb Over-removing a TLC, s/b internal error 0e471cf709070f76ea5797942bb36096, Version = 6.1.7601.23455, pA = PROCESSOR_ARCHITECTURE_AMD64 (9), Culture neutral, VersionScope = 1 nonSxS, PublicKeyToken = {l:8 b:31bf3856ad364e35}, Type neutral, TypeName neutral, PublicKey neutral',
    '',
    '2016-10-31 11:25:11, Error                 CSI    000000fb (F) HRESULT_FROM_WIN32(ERROR_REQUEST_OUT_OF_SEQUENCE) #777133# 872079 us from Windows::ServicingAPI::CCSITransaction_ICSITransaction::Commit(flags = 0x00000066, pSink = NULL, disp = 0)',
    '[gle=0x80070308]',
  ].join('\r\n');
  const records = frame(text);
  assert.equal(records.length, 2);
  assert.deepEqual(records[0]!.continuation, ['']);
  assert.deepEqual(records[1]!.continuation, ['[gle=0x80070308]']);
  assert.equal(records[1]!.level, 'Error');
});

test('a re-chunked CSI record whose "head" continues mid-token is not a new record', () => {
  const text = [
    '  Install (5): flags: 0 tlc: [55fc5c26ee33f7af39b6e955951d9951, Version = 6.1.7601.23539, pA = PROCESSOR_ARCHITECTURE_AMD64 (9), Culture neutral, VersionScope = 1 nonSxS, PublicKeyToken = {l:8 b:31bf3856ad364e35}, Type neutral, TypeName neutral, PublicKey neutral]) ref: ( flgs: 00000000 guid: {d16d444c-56d8-11d5-882d-0080c847b195} name: ',
    '2016-10-31 11:25:10, Info                  CSI    [l:162{81}]"Package_217_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4.3172605-373_neutral_LDR" ncdata: [l:2{1}]"4") thumbprint: (null)',
  ].join('\n');
  const records = frame(text);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.time, null);
  assert.ok(records[0]!.continuation[0]!.includes('Package_217_for_KB3172605'));
});

test('SFC hash-mismatch Expected/Actual lines continue the record', () => {
  const records = frame([
    "2025-09-19 14:40:05, Info                  CSI    0000012d Hashes for file member [l:20]'LServer_PKConfig.xml' do not match.",
    ' Expected: {l:32 ml:33 b:d89ab0d7cf6262145ab3517febd26dbb95297bdf0adb72d551746f4e409eb089}.',
    ' Actual: {l:32 b:cfa5c1d46b882f7980fbacca01c6cfe80aad5ec96392d3f839dbd7ef27f40321}.',
    "2025-09-19 14:40:05, Info                  CSI    0000012e [SR] Cannot repair member file [l:20]'LServer_PKConfig.xml' of Microsoft-Windows-TerminalServices-LicenseServer-LRWIZDLL, version 10.0.20348.2849, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch",
  ].join('\r\n'));
  assert.equal(records.length, 2);
  assert.deepEqual(records[0]!.continuation.map((line) => line.split(':')[0]), [' Expected', ' Actual']);
});

test('the 14393 SUR block is one record: a prefixed line with an empty message, then unprefixed lines', () => {
  const records = frame([
    '2025-11-19 15:59:25, Info                  CBS   ',
    '=================================',
    'Checking System Update Readiness.',
    '(p) CSI Payload Corrupt   wow64_windowssearchengine_31bf3856ad364e35_7.0.14393.206_none_b351c84b3e083664\\mssphtb.dll',
    'Repair failed: Missing replacement payload.',
    'Summary:',
    'Operation: Detect and Repair',
    'Operation result: 0x800f0906',
    'Total Operation Time: 471 seconds.',
    '2025-11-19 15:59:25, Info                  CBS    CheckSur: hrStatus: 0x800f0906 [CBS_E_DOWNLOAD_FAILURE], download Result: 0x80240438 [Unknown Error]',
  ].join('\r\n'));
  assert.equal(records.length, 2);
  assert.equal(records[0]!.component, 'CBS');
  assert.equal(records[0]!.text, '');
  assert.equal(records[0]!.continuation.length, 8);
  assert.ok(records[1]!.text.startsWith('CheckSur: hrStatus'));
});

test('a console-wrapped line continues its record', () => {
  const records = frame([
    '2017-03-10 10:24:32, Info                  CBS    Exec: Processing complete.  Session: 30579072_298067563, Package: Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~10.0.14393.0 [HRESULT =',
    '0x800f0922 - CBS_E_INSTALLERS_FAILED]',
  ].join('\r\n'));
  assert.deepEqual(records[0]!.continuation, ['0x800f0922 - CBS_E_INSTALLERS_FAILED]']);
});

test('CRLF and LF give the same records; CR never leaks into text', () => {
  const crlf = frame(INSTALLER_BLOCK.join('\r\n') + '\r\n', true);
  const lf = frame(INSTALLER_BLOCK.join('\n') + '\n', true);
  assert.deepEqual(crlf, lf);
  assert.ok(crlf.every((r) => !r.raw.includes('\r') && r.continuation.every((line) => !line.includes('\r'))));
});

test('head-less pasted lines are records of their own, and an over-long line is cut, not kept whole', () => {
  const pasted = frame('Exec: Processing complete.  Session: 30651968_3203616141, Package: Microsoft-Windows-ServerCore-Package~31bf3856ad364e35~amd64`~~`6.3.9600.16384 [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]  \nFailed to perform operation.  [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]  \n');
  assert.equal(pasted.length, 2);
  assert.ok(pasted[1]!.text.startsWith('Failed to perform operation.'));

  const long = frame('2026-08-29 22:08:03, Info                  CBS    ' + 'x'.repeat(3 * MAX_LINE_CHARS) + '\nnext\n');
  assert.equal(long[0]!.raw.length, MAX_LINE_CHARS);
  assert.deepEqual(long[0]!.continuation, ['next']);
});

test("one record's memory is bounded: past the cap, continuation lines become records of their own", () => {
  const big = 'x'.repeat(MAX_LINE_CHARS - 1);
  const records = frame(['2026-08-29 22:08:03, Info                  CBS    Something', big, big, big, big, big, ''].join('\n'));
  assert.equal(records.length, 3);
  assert.equal(records[0]!.continuation.length, 3);
});
