// Install failures, one per attempt, on verbatim chains from cbs-formats.md §2.4 (Win7 0x80070308, IE11
// staging, 1809 0x800f0950, Server 2022 0x80073712, hang detection, 0x800f0823 prerequisite), §1.4 b
// (Startup rollback), §2.2 (console-wrapped Exec: Processing complete without WER) — fixtures in
// test/fixtures/logs — and support case 1 (shared/cases/support-cases.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { failureSchema } from '../protocol/report';
import { operationOf } from './failure-handler';
import { ServicingLogParser, type ParsedLogFacts } from './parser';

function parse(...texts: (string | Buffer)[]): ParsedLogFacts {
  const parser = new ServicingLogParser();
  parser.beginFile('CBS.log', 'cbs');
  for (const text of texts) parser.write(typeof text === 'string' ? Buffer.from(text) : text);
  parser.endFile();
  const facts = parser.result(true);
  for (const failure of facts.failures) failureSchema.parse(failure);
  return facts;
}

const fixture = (name: string) => readFileSync(new URL(`../test/fixtures/logs/${name}`, import.meta.url));

test('Win7 KB3172605: a chain of three Failed lines and the WER line is ONE failure with the WER fields', () => {
  const { failures, packages } = parse(fixture('win7-kb3172605-0x80070308.log'));
  assert.equal(failures.length, 1);
  const [failure] = failures;
  assert.deepEqual(
    { ...failure, evidence: failure!.evidence.length },
    {
      at: '2016-10-31T11:25:11-06:00',
      package: 'Package_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4',
      kb: 'KB3172605',
      hresult: '0x80070308',
      hresultName: 'ERROR_REQUEST_OUT_OF_SEQUENCE',
      failureSource: 'Execute',
      startState: 'Staged',
      targetState: 'Installed',
      client: 'WindowsUpdateAgent',
      operation: 'commit CSI transaction to execute changes',
      evidence: 4,
    },
  );
  assert.ok(failure!.evidence[0]!.includes('Exec: Failed to commit CSI transaction'));
  assert.ok(failure!.evidence.at(-1)!.includes('WER: Generating failure report'));
  assert.deepEqual(packages.map((p) => [p.kb, p.state, p.lastResult]), [['KB3172605', 'Failed', '0x80070308']]);
});

test('IE11 staging failure: operation is the first Failed line, evidence at most five lines', () => {
  const { failures, packages } = parse(fixture('win7-ie11-staging-0x80070002.log'));
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.failureSource, 'Stage');
  assert.equal(failures[0]!.startState, 'Resolved');
  assert.equal(failures[0]!.operation, 'find file: amd64_microsoft-windows-scripting-vbscript_31bf3856ad364e35_6.1.7600.21238_none_a51187a7608a895d\\vbscript.dll');
  assert.equal(failures[0]!.evidence.length, 5);
  const ie = packages.find((p) => p.identity.startsWith('Microsoft-Windows-InternetExplorer'));
  assert.deepEqual([ie?.state, ie?.lastResult, ie?.failureSource, ie?.client], ['Failed', '0x80070002', 'Stage', 'DISM Package Manager Provider']);
});

test('Windows 10 1809 0x800f0950: failure source "CBS Other", noise lines after the WER add nothing', () => {
  const { failures } = parse(fixture('win10-1809-fod-0x800f0950.log'));
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.hresult, '0x800f0950');
  assert.equal(failures[0]!.failureSource, 'CBS Other');
  assert.equal(failures[0]!.client, 'FodHelper(DeveloperModeFodInstaller)');
  assert.equal(failures[0]!.operation, 'download and plan capabilities');
});

test('Server 2022 0x80073712 on Package_for_ServicingStack_3081: an SSU the catalog lacks has kb null', () => {
  const { failures } = parse(fixture('server2022-ssu-0x80073712.log'));
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.package, 'Package_for_ServicingStack_3081~31bf3856ad364e35~amd64~~20348.3081.1.1');
  assert.equal(failures[0]!.kb, null);
  assert.equal(failures[0]!.hresultName, 'ERROR_SXS_COMPONENT_STORE_CORRUPT');
  assert.equal(failures[0]!.failureSource, 'Resolve');
  assert.equal(failures[0]!.operation, 'add one or more deployment');
  assert.equal(failures[0]!.at, '2025-02-27T08:58:35-03:00');
});

test('Startup failures: one per start-up, success-with-reboot is not a failure', () => {
  const rollback = parse(fixture('win11-container-installer-rollback.log')).failures;
  assert.equal(rollback.length, 1);
  assert.equal(rollback[0]!.hresult, '0x800f0922');
  assert.equal(rollback[0]!.failureSource, 'Startup');
  assert.equal(rollback[0]!.operation, 'process advanced operation queue');
  assert.equal(rollback[0]!.package, null);

  const hang = parse(fixture('server2016-hang-0x800f0920.log')).failures;
  assert.equal(hang.length, 1);
  assert.equal(hang[0]!.hresult, '0x800f0920');
  assert.equal(hang[0]!.hresultName, 'CBS_E_HANG_DETECTED');
  assert.equal(hang[0]!.evidence.length, 2);
});

test('servicing-stack prerequisite 0x800f0823 is a failure of the package that needs it', () => {
  const { failures, packages } = parse(fixture('server2016-prerequisite-0x800f0823.log'));
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.package, 'Package_for_KB5012170~31bf3856ad364e35~amd64~~14393.5285.1.4');
  assert.equal(failures[0]!.kb, 'KB5012170');
  assert.equal(failures[0]!.hresultName, 'CBS_E_NEW_SERVICING_STACK_REQUIRED');
  assert.equal(packages[0]!.state, 'Failed');
});

test('a console-wrapped `Exec: Processing complete … [HRESULT =⏎0x…]` without WER is one failure, trailers absorbed', () => {
  const { failures } = parse(fixture('server2016-docker-wrapped.log'));
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.package, 'Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~10.0.14393.0');
  assert.equal(failures[0]!.hresult, '0x800f0922');
  assert.equal(failures[0]!.operation, 'Exec: Processing complete');
});

test('noise that mentions failure is not a failure', () => {
  const { failures } = parse(
    [
      '2016-09-28 04:30:31, Info                  CBS    SQM: Failed to start upload with file pattern: C:\\Windows\\servicing\\sqm\\*_std.sqm, flags: 0x2 [HRESULT = 0x80004005 - E_FAIL]',
      '2016-10-31 11:25:11, Info                  CBS    Failed to query DisableWerReporting flag.  Assuming not set... [HRESULT = 0x80070002 - ERROR_FILE_NOT_FOUND]',
      '2016-10-31 11:25:11, Info                  CBS    Failed to add %windir%\\winsxs\\pending.xml to WER report because it is missing.  Continuing without it...',
      '2026-08-29 22:08:03, Info                  CBS    InternalOpenPackage failed for Package_for_KB3025096~31bf3856ad364e35~amd64~~6.4.1.0 [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]',
      '2026-10-08 20:55:07, Info                  CBS    Startup: Processing complete. [HRESULT = 0x80070bc2 - ERROR_SUCCESS_REBOOT_REQUIRED]',
      // A bare chain (store re-evaluation at start-up) ends no attempt.
      '2018-11-01 13:24:25, Error                 CBS    Failed to resolve package \'Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4\' [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]',
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(failures, []);
});

test('support case 1: RollupFix 19041.4894 failing at Stage with 0x8007000d is KB5043064, ERROR_INVALID_DATA', () => {
  // The case email's lines, re-laid into the real column layout; the email damaged the WER package
  // identity, and the case names the update: KB5043064 = Package_for_RollupFix 19041.4894.
  const { failures, packages } = parse(
    [
      '2024-11-21 13:55:22, Info                  CBS    Perf: Stage chain complete.',
      '2024-11-21 13:55:22, Info                  CBS    Failed to stage execution chain. [HRESULT = 0x8007000d - ERROR_INVALID_PARAMETER]',
      '2024-11-21 13:55:22, Error                 CBS    Failed to process single phase execution. [HRESULT = 0x8007000d - ERROR_INVALID_PARAMETER]',
      '2024-11-21 13:55:22, Info                  CBS    WER: Generating failure report for package: Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9, status: 0x8007000d, failure source: Stage, start state: Installed, target state: Installed, client id: WindowsUpdateAgent',
      '2024-11-21 13:55:22, Info                  CBS    Not able to query DisableWerReporting flag.  Assuming not set.',
      '',
    ].join('\r\n'),
  );
  assert.equal(failures.length, 1);
  assert.deepEqual(
    [failures[0]!.kb, failures[0]!.hresult, failures[0]!.hresultName, failures[0]!.failureSource, failures[0]!.operation],
    ['KB5043064', '0x8007000d', 'ERROR_INVALID_DATA', 'Stage', 'stage execution chain'],
  );
  assert.deepEqual(packages.map((p) => [p.kb, p.state]), [['KB5043064', 'Failed']]);
});

test('two failing attempts in one session are two failures', () => {
  const wer = (pkg: string) => `2016-10-19 14:24:01, Info                  CBS    WER: Generating failure report for package: ${pkg}, status: 0x800736b3, failure source: Execute, start state: Staged, target state: Installed, client id: WindowsUpdateAgent`;
  const link = '2016-10-19 14:24:01, Error                 CBS    Exec: Failed to commit CSI transaction to execute changes. [HRESULT = 0x800736b3 - ERROR_SXS_ASSEMBLY_NOT_FOUND]';
  const { failures } = parse([link, wer('Package_for_KB3177467~31bf3856ad364e35~amd64~~6.1.1.1'), link, wer('Package_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4'), ''].join('\r\n'));
  assert.deepEqual(failures.map((f) => [f.kb, f.operation]), [
    ['KB3177467', 'commit CSI transaction to execute changes'],
    ['KB3172605', 'commit CSI transaction to execute changes'],
  ]);
});

test('operation names', () => {
  assert.equal(operationOf('Failed to stage execution chain. [HRESULT = 0x8007000d - ERROR_INVALID_DATA]'), 'stage execution chain');
  assert.equal(operationOf('Startup: Failed to process advanced operation queue, startupPhase: 0.  A rollback transaction will be created. [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]'), 'process advanced operation queue');
  assert.equal(operationOf('Startup: A possible hang was detected on the last boot. [HRESULT = 0x800f0920 - CBS_E_HANG_DETECTED]'), 'Startup: A possible hang was detected on the last boot');
});
