// The two real support cases, fact by fact, parsed from their rebuilt CBS.log files by the real parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPaths } from '../../parser/index';
import { updateCatalog } from '../../protocol/catalog';
import { lookupHresult } from '../../protocol/hresult';
import { corruptionSchema, failureSchema, packageSchema, scanSchema } from '../../protocol/report';
import type { CorruptionRecord } from '../../protocol/report';

const caseLog = (name: string) => new URL(`../fixtures/cases/${name}/CBS.log`, import.meta.url).pathname;

function assertWireValid(facts: Awaited<ReturnType<typeof scanPaths>>): void {
  for (const failure of facts.failures) failureSchema.parse(failure);
  for (const entry of facts.corruption) corruptionSchema.parse(entry);
  for (const scan of facts.scans) scanSchema.parse(scan);
  for (const pkg of facts.packages) packageSchema.parse(pkg);
}

/** The corruption entries of one family and kind, as [version, arch, file, source, repaired]. */
function entries(corruption: CorruptionRecord[], family: string, kind?: string) {
  return corruption
    .filter((entry) => entry.family === family && (kind === undefined || entry.kind === kind))
    .map((entry) => [entry.version, entry.arch, entry.file, entry.source, entry.repaired]);
}

test('case 1 (KB5043064, Nov 2024): the failing update, its HRESULT and stage', async () => {
  const facts = await scanPaths([caseLog('case1-KB5043064')]);
  assertWireValid(facts);
  const failures = facts.failures.filter((failure) => failure.kb === 'KB5043064');
  assert.equal(failures.length, 1, 'one failed install of KB5043064');
  const failure = failures[0]!;
  assert.equal(failure.package, 'Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9');
  assert.equal(failure.hresult, '0x8007000d');
  assert.equal(failure.hresultName, 'ERROR_INVALID_DATA', 'named by number, not by the printed ERROR_INVALID_PARAMETER');
  assert.equal(lookupHresult(failure.hresult)?.name, 'ERROR_INVALID_DATA');
  assert.equal(failure.failureSource, 'Stage');
  assert.equal(failure.startState, 'Installed');
  assert.equal(failure.targetState, 'Installed');
  assert.equal(failure.client, 'WindowsUpdateAgent');
  assert.equal(failure.at, '2024-11-21T13:55:22+08:00', 'local time with the offset the CSI UTC stamps reveal');
  assert.ok(failure.evidence.some((line) => line.includes('WER: Generating failure report')));
  const pkg = facts.packages.find((entry) => entry.kb === 'KB5043064');
  assert.equal(pkg?.state, 'Failed');
  assert.equal(pkg?.lastResult, '0x8007000d');
  assert.equal(facts.device.servicingStack, '10.0.19041.4585');
});

test('case 1: the three corrupt driver families with file, version and arch', async () => {
  const { corruption } = await scanPaths([caseLog('case1-KB5043064')]);
  assert.deepEqual(entries(corruption, 'dual_wvmbusr.inf'), [['10.0.19041.4597', 'amd64', 'vmbuspipec.dll', 'cbs', false]]);
  assert.deepEqual(entries(corruption, 'dual_wstorvsp.inf'), [['10.0.19041.4355', 'amd64', 'wstorvsp.inf', 'cbs', false]]);
  assert.deepEqual(entries(corruption, 'dual_wpdmtp.inf', 'hydration-failed'), [['10.0.19041.4355', 'amd64', 'WpdMtpUS.dll', 'cbs', false]]);
  assert.deepEqual(entries(corruption, 'dual_wpdmtp.inf', 'binary-missing'), [['10.0.19041.4355', 'amd64', 'WpdMtpUS.dll', 'cbs', false]]);
  const hydration = corruption.find((entry) => entry.kind === 'hydration-failed');
  assert.equal(hydration?.hresult, '0xc007000d', 'NTSTATUS -1073283059 is ERROR_INVALID_DATA as an NTSTATUS');
  assert.equal(hydration?.at, '2024-11-21T13:55:15+08:00');
  for (const entry of corruption) {
    assert.ok(entry.evidence.length >= 1 && entry.evidence.length <= 5);
    assert.ok(entry.evidence.every((line) => !line.includes('[1:')), 'no e-mail damage left in the evidence');
  }
});

test('case 1: the DISM RestoreHealth row and summary (1 detected, 0 repaired, 0x800f081f)', async () => {
  const { corruption, scans } = await scanPaths([caseLog('case1-KB5043064')]);
  assert.deepEqual(entries(corruption, 'dual_wpdmtp.inf', 'payload-corrupt'), [['10.0.19041.3636', 'amd64', 'WpdMtpUS.dll', 'sur', false]]);
  const row = corruption.find((entry) => entry.source === 'sur');
  assert.equal(row?.component, 'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.3636_none_1b16c0e4a7d95f3e');
  assert.match(row?.evidence[1] ?? '', /Repair failed: Missing replacement payload\./);
  const dism = scans.filter((scan) => scan.tool === 'dism');
  assert.equal(dism.length, 1);
  const scan = dism[0]!;
  assert.equal(scan.operation, 'Detect and Repair');
  assert.equal(scan.result, '0x800f081f');
  assert.equal(lookupHresult(scan.result!)?.name, 'CBS_E_SOURCE_MISSING');
  assert.deepEqual(scan.detected, { total: 1, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 1 });
  assert.deepEqual(scan.repaired, { total: 0, cbsManifest: 0, csiManifest: 0, csiPayload: 0 });
  assert.equal(scan.lastSuccessfulStep, 'Remove staged packages completes.');
  assert.equal(scan.unrepaired, 1);
  assert.equal(scan.at, '2024-11-21T14:10:38+08:00');
});

test('case 1: the catalog names the update that shipped the corrupt base version (KB5031445)', async () => {
  const { corruption } = await scanPaths([caseLog('case1-KB5043064')]);
  const base = corruption.find((entry) => entry.source === 'sur')!;
  assert.equal(updateCatalog().updateForComponentVersion(base.version!)?.kb, 'KB5031445');
  assert.equal(updateCatalog().kbForRollupVersion('19041.4894.1.9'), 'KB5043064');
});

test('case 2 (KB5036892, Jun 2024): the failing update, its HRESULT and stage', async () => {
  const facts = await scanPaths([caseLog('case2-KB5036892')]);
  assertWireValid(facts);
  const failures = facts.failures.filter((failure) => failure.kb === 'KB5036892');
  assert.equal(failures.length, 1);
  assert.equal(failures[0]?.package, 'Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4291.1.11');
  assert.equal(failures[0]?.hresult, '0x8007000d');
  assert.equal(failures[0]?.hresultName, 'ERROR_INVALID_DATA');
  assert.equal(failures[0]?.failureSource, 'Stage');
  assert.equal(facts.packages.find((entry) => entry.kb === 'KB5036892')?.state, 'Failed');
});

test('case 2: many binaries missing, then the WpdMtpUS.dll hash mismatch that started ERROR_INVALID_DATA', async () => {
  const { corruption } = await scanPaths([caseLog('case2-KB5036892')]);
  const missing = corruption.filter((entry) => entry.kind === 'binary-missing');
  assert.ok(missing.length >= 5, 'many component binaries were missing');
  assert.ok(missing.every((entry) => entry.version === '10.0.19041.4291' && entry.source === 'cbs'));
  const servicing = corruption.filter((entry) => entry.kind === 'hash-mismatch' && entry.source === 'cbs');
  assert.deepEqual(servicing.map((entry) => [entry.family, entry.version, entry.arch, entry.file]), [
    ['dual_wpdmtp.inf', '10.0.19041.746', 'amd64', 'WpdMtpUS.dll'],
  ]);
  assert.match(servicing[0]!.evidence[1]!, /^ Expected: \{l:32/);
  const marker = corruption.find((entry) => entry.family === 'component-store');
  assert.equal(marker?.kind, 'payload-corrupt', 'the store was marked CorruptPayloadFile');
});

test('case 2: the SFC pass reports dual_wpdmtp.inf 10.0.19041.746 WpdMtpUS.dll; ScanHealth names its WinSxS folder', async () => {
  const { corruption, scans } = await scanPaths([caseLog('case2-KB5036892')]);
  assert.deepEqual(entries(corruption, 'dual_wpdmtp.inf', 'hash-mismatch').filter((entry) => entry[3] === 'sfc'), [
    ['10.0.19041.746', 'amd64', 'WpdMtpUS.dll', 'sfc', false],
  ]);
  const sfc = scans.find((scan) => scan.tool === 'sfc');
  assert.equal(sfc?.operation, 'scannow');
  assert.equal(sfc?.interrupted, false);
  assert.equal(sfc?.componentsVerified, 237);
  assert.equal(sfc?.detected.total, 1, 'the repair phase repeating the same member is one corrupt file');
  assert.equal(sfc?.unrepaired, 1);
  const row = corruption.find((entry) => entry.source === 'sur');
  assert.equal(row?.component, 'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5');
  assert.equal(`${row?.component}\\${row?.file}`, 'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll');
  const dism = scans.find((scan) => scan.tool === 'dism');
  assert.equal(dism?.operation, 'Detect only');
  assert.equal(dism?.detected.csiPayload, 1);
});

test('both cases: the same family, dual_wpdmtp.inf / WpdMtpUS.dll, at different versions', async () => {
  const facts = await scanPaths([caseLog('case1-KB5043064'), caseLog('case2-KB5036892')]);
  const versions = new Set(facts.corruption.filter((entry) => entry.family === 'dual_wpdmtp.inf' && entry.file === 'WpdMtpUS.dll').map((entry) => entry.version));
  for (const version of ['10.0.19041.746', '10.0.19041.3636', '10.0.19041.4355']) assert.ok(versions.has(version), version);
});
