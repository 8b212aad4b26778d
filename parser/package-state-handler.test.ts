// Package state from every line shape of cbs-formats.md §2.3 (SQM and plain Reporting package change /
// completion, cached applicability, Exec: lines, console wraps §1.4 g), keys parsed by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageSchema } from '../protocol/report';
import { ServicingLogParser, type ParsedLogFacts } from './parser';
import { decimalState } from './package-state-handler';

function parse(lines: string[]): ParsedLogFacts {
  const parser = new ServicingLogParser();
  parser.beginFile('CBS.log', 'cbs');
  parser.write(Buffer.from(lines.join('\r\n') + '\r\n'));
  const facts = parser.result(true);
  for (const record of facts.packages) packageSchema.parse(record);
  return facts;
}

const byIdentity = (facts: ParsedLogFacts, start: string) => facts.packages.find((p) => p.identity.startsWith(start));

test('SQM package change then completion with a failure status: Failed with status and source', () => {
  const facts = parse([
    '2017-11-24 14:07:40, Info                  CBS    SQM: Reporting package change for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, current: Resolved, pending: Default, start: Resolved, applicable: Installed, target: Installed, limit: Installed, hotpatch status: StillGoing, status: 0x0, failure source: Stage, reboot required: False, client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1186, first merged sequence: 1186',
    '2017-11-24 14:07:40, Info                  CBS    SQM: Reporting package change completion for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, current: Resolved, original: Resolved, target: Installed, status: 0x80070002, failure source: Stage, failure details: "(null)", client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1186, first merged sequence: 1186',
  ]);
  assert.deepEqual(facts.packages, [
    {
      identity: 'Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428',
      kb: null,
      state: 'Failed',
      lastResult: '0x80070002',
      failureSource: 'Stage',
      lastChangeAt: '2017-11-24T14:07:40',
      client: 'DISM Package Manager Provider',
    },
  ]);
});

test('plain (no SQM:) change line wrapped by a console; missing commas before later keys', () => {
  const facts = parse([
    '2017-03-10 10:24:32, Info                  CBS    Reporting package change for package: Microsoft-Windows-NetFx4-WCF-OC-Package~31bf3856ad364e35~amd64~~10.0.14393.0, current: Installed, pending: Defaul',
    't, start: Installed, applicable: Installed, target: Installed, limit: Installed, hotpatch status: StillGoing, status: 0x0, failure source: Execute, reboot required: False, client id: DISM Package Manag',
    'er Provider, initiated offline: False, execution sequence: 82, first merged sequence: 82, reboot reason: REBOOT_NOT_REQUIRED, RM App session: -1, RM App name: N/A, FileName in use: N/A, release type: F',
    'eature Pack, release quality: final, OC operation: True, download source: 0, download time (secs): 4294967295, download status: 0x0 (S_OK), Express download: False, Download Size: 0',
  ]);
  const netfx = byIdentity(facts, 'Microsoft-Windows-NetFx4-WCF-OC-Package');
  assert.deepEqual([netfx?.state, netfx?.client, netfx?.lastResult], ['Installed', 'DISM Package Manager Provider', null]);
  const pasted = parse([
    'SQM: Reporting package change for package: Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64`~~`6.3.9600.16384, current: Installed, pending: Default, start: Installed, applicable: Installed, target: Installed, limit: Installed, hotpatch status: DisabledBecauseNoHotpatchPackagesInitiated, status: 0x0, failure source: Execute, reboot required: False, client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1433, first merged sequence: 1433 reboot reason: REBOOT_NOT_REQUIRED RM App session: -1 RM App name: N/A FileName in use: N/A  ',
    'SQM: Reporting package change completion for package: Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64`~~`6.3.9600.16384, current: Installed, original: Installed, target: Installed, status: 0x800f0922, failure source: Execute, failure details: "(null)", client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1433, first merged sequence: 1433, pending decision: InteractiveInstallFailed, primitive execution context: Interactive  ',
  ]);
  assert.deepEqual(pasted.packages.map((p) => [p.identity, p.state, p.lastResult, p.failureSource]), [
    ['Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64~~6.3.9600.16384', 'Failed', '0x800f0922', 'Execute'],
  ]);
});

test('cached applicability read-outs map decimal states (inconsistent spacing tolerated)', () => {
  const facts = parse([
    '2016-09-28 04:30:33, Info                  CBS    Read out cached package applicability for package: Package_for_KB3121255~31bf3856ad364e35~amd64~~6.1.1.0, ApplicableState: 112, CurrentState:112',
    '2016-09-28 04:30:35, Info                  CBS    Read out cached package applicability for package: Package_for_KB3019978~31bf3856ad364e35~amd64~~6.1.1.2, ApplicableState: 80, CurrentState:0',
  ]);
  assert.deepEqual(facts.packages.map((p) => [p.kb, p.state]), [['KB3121255', 'Installed'], ['KB3019978', 'Absent']]);
  assert.deepEqual([0, 5, 16, 32, 48, 64, 80, 96, 101, 112, 128].map((n) => decimalState(String(n))), [
    'Absent', 'Uninstall Pending', 'Resolving', 'Resolved', 'Staging', 'Staged', 'Superseded', 'Install Pending', 'Partially Installed', 'Installed', 'Permanent',
  ]);
  assert.equal(decimalState('-112'), null);
});

test('Exec: already in the correct state, Skipping (KB from Update:), Staging', () => {
  const facts = parse([
    '2018-11-01 13:24:25, Info CBS Exec: Package: Package_561_for_KB4462926~31bf3856ad364e35~amd64~~6.3.1.5 is already in the correct state, current: Installed, targeted: Installed',
    '2018-11-01 13:24:25, Info CBS Exec: Skipping Package: Package_561_for_KB4462926~31bf3856ad364e35~amd64~~6.3.1.5, Update: 4462926-917_neutral_GDR because it is already in the correct state.',
    '2017-11-24 14:07:39, Info                  CBS    Exec: Staging Package: Package_3_for_KB2706045~31bf3856ad364e35~amd64~~6.1.1.0, Update: 2706045-8_neutral_GDR, PinDeployment: amd64_695c405833e475d1d5937b41a3983d92_31bf3856ad364e35_8.0.7601.17866_none_f28003cc92801a49',
  ]);
  assert.deepEqual(facts.packages.map((p) => [p.kb, p.state]), [['KB4462926', 'Installed'], ['KB2706045', 'Staging']]);
  assert.equal(facts.parse.unrecognizedLines, 0);
});

test('a failed package stays Failed until it reaches the state the failed attempt targeted', () => {
  const completion = (time: string, current: string, status: string) =>
    `${time}, Info                  CBS    SQM: Reporting package change completion for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, current: ${current}, original: Resolved, target: Installed, status: ${status}, failure source: Stage, failure details: "(null)", client id: DISM Package Manager Provider, initiated offline: False, execution sequence: 1186, first merged sequence: 1186`;
  const readOut = (time: string, state: number) =>
    `${time}, Info                  CBS    Read out cached package applicability for package: Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428, ApplicableState: 112, CurrentState:${state}`;
  const ie = (lines: string[]) => parse(lines).packages[0]!;
  assert.equal(ie([completion('2017-11-24 14:07:40', 'Resolved', '0x80070002'), readOut('2017-11-25 09:00:00', 32)]).state, 'Failed');
  assert.equal(ie([completion('2017-11-24 14:07:40', 'Resolved', '0x80070002'), readOut('2017-11-25 09:00:00', 112)]).state, 'Installed');
  const retried = ie([completion('2017-11-24 14:07:40', 'Resolved', '0x80070002'), completion('2017-11-25 09:00:00', 'Installed', '0x0')]);
  assert.deepEqual([retried.state, retried.lastResult, retried.failureSource], ['Installed', '0x00000000', null]);
});

test('OS build from the newest installed cumulative update', () => {
  const readOut = (version: string, state: number) =>
    `2016-09-28 04:30:33, Info                  CBS    Read out cached package applicability for package: Package_for_RollupFix~31bf3856ad364e35~amd64~~${version}, ApplicableState: 112, CurrentState:${state}`;
  assert.equal(parse([readOut('14393.2312.1.14', 112), readOut('14393.2214.1.4', 80), readOut('14393.2368.1.7', 64)]).device.osBuild, '14393.2312');
  assert.equal(parse([readOut('19041.4894.1.9', 112)]).packages[0]!.kb, 'KB5043064');
});
