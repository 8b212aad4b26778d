// DISM System Update Readiness blocks in all three layouts, from verbatim captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptionSchema, scanSchema } from '../../protocol/report';
import { surBlockHandler } from './sur-block';
import { cbsRecord, fixture, frameFile, runHandler } from './test-kit';

function scanFixture(name: string, final = true) {
  const out = runHandler(surBlockHandler(), frameFile(fixture(name)), final);
  for (const entry of out.corruption) assert.equal(corruptionSchema.safeParse(entry).success, true, JSON.stringify(entry));
  for (const scan of out.scans) assert.equal(scanSchema.safeParse(scan).success, true, JSON.stringify(scan));
  return out;
}

test('26100 RestoreHealth: every line prefixed, TAB fields, FileFlags counters accepted', () => {
  const out = scanFixture('sur-26100-restorehealth.log');
  assert.equal(out.scans.length, 1);
  const scan = out.scans[0]!;
  assert.equal(scan.tool, 'dism');
  assert.equal(scan.operation, 'Detect and Repair');
  assert.equal(scan.result, '0x800f0915');
  assert.equal(scan.at, '2026-09-25T21:56:27');
  assert.deepEqual(scan.detected, { total: 328, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 328 });
  assert.deepEqual(scan.repaired, { total: 0, cbsManifest: 0, csiManifest: 0, csiPayload: 0 });
  assert.equal(scan.lastSuccessfulStep, 'Remove staged packages completes.');
  assert.equal(scan.durationSeconds, 80);
  assert.equal(scan.unrepaired, 3, 'three Repair failed lines are in the excerpt');
  assert.equal(out.corruption.length, 3);
  const wmic = out.corruption[0]!;
  assert.equal(wmic.family, 'microsoft-windows-w..ommand-line-utility');
  assert.equal(wmic.version, '10.0.26100.1150');
  assert.equal(wmic.arch, 'amd64');
  assert.equal(wmic.file, 'r\\WMIC.exe');
  assert.equal(wmic.kind, 'payload-corrupt');
  assert.equal(wmic.source, 'sur');
  assert.equal(wmic.repaired, false);
  assert.equal(wmic.evidence.length, 2);
  assert.match(wmic.evidence[1]!, /Repair failed: Missing replacement payload\./);
  assert.equal(out.corruption[1]?.arch, 'wow64');
  assert.ok(out.consumed.every(Boolean), 'every line of the block is consumed');
});

test('26100 ScanHealth: Detect only with a trailing space, result 0x0', () => {
  const [scan] = scanFixture('sur-26100-scanhealth.log').scans;
  assert.equal(scan?.operation, 'Detect only');
  assert.equal(scan?.result, '0x00000000');
  assert.equal(scan?.detected.total, 328);
  assert.equal(scan?.durationSeconds, 64);
  assert.equal(scan?.unrepaired, null);
});

test('14393: one record, a head with an empty message and unprefixed lines', () => {
  const records = frameFile(fixture('sur-14393.log'));
  assert.equal(records[0]?.text, '');
  const out = scanFixture('sur-14393.log');
  assert.equal(out.scans.length, 1);
  const scan = out.scans[0]!;
  assert.equal(scan.operation, 'Detect and Repair');
  assert.equal(scan.result, '0x800f0906');
  assert.equal(scan.lastSuccessfulStep, 'Entire operation completes.');
  assert.equal(scan.detected.total, 10);
  assert.equal(scan.detected.csiPayload, 10);
  assert.equal(scan.durationSeconds, 471);
  assert.equal(scan.at, '2025-11-19T15:59:25');
  assert.deepEqual(out.corruption.map((c) => [c.family, c.file, c.version, c.arch]), [
    ['windowssearchengine', 'mssphtb.dll', '7.0.14393.206', 'wow64'],
    ['windowssearchengine', 'SearchProtocolHost.exe', '7.0.14393.206', 'wow64'],
    ['microsoft-windows-advapi32', 'advapi32.dll', '10.0.14393.0', 'x86'],
  ]);
  assert.deepEqual(out.consumed.slice(0, 2), [true, true], 'the block record and the CheckSur: hrStatus line after it');
  assert.equal(out.consumed.slice(2).some(Boolean), false, 'the Failed to run / session lines are left for others');
});

test('19041 as published: indented lines, (w) (Fixed) repaired, MUM row as a package', () => {
  const out = scanFixture('sur-19041-msdocs.log');
  const scan = out.scans[0]!;
  assert.equal(scan.result, '0x800f081f');
  assert.deepEqual(scan.detected, { total: 4, cbsManifest: 1, cbsMetadata: 0, csiManifest: 2, csiMetadata: 0, csiPayload: 1 });
  assert.deepEqual(scan.repaired, { total: 1, cbsManifest: 0, csiManifest: 1, csiPayload: 0 });
  assert.equal(scan.unrepaired, 3);
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.repaired]), [
    ['microsoft-windows-a..modernappmanagement', 'payload-corrupt', false],
    ['Microsoft-Windows-Client-Features-Package', 'mum-missing', false],
    ['microsoft-windows-audio-mmecore-acm', 'manifest-corrupt', true],
    ['microsoft-windows-audio-volumecontrol', 'manifest-corrupt', false],
  ]);
  assert.equal(out.corruption[0]?.file, 'EnterpriseModernAppMgmtCSP.dll');
  assert.equal(out.corruption[1]?.version, '10.0.19041.4291');
  assert.equal(out.corruption[1]?.component, 'Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.19041.4291');
});

test('19045 rewrite with spaces: MUM repair wording, Repair failed keeps repaired=false', () => {
  const out = scanFixture('sur-19045-msdocs-2025.log');
  assert.deepEqual(out.corruption.map((c) => [c.version, c.repaired, c.evidence.length]), [
    ['10.0.19045.4291', false, 2],
    ['10.0.19045.4412', true, 1],
  ]);
  const scan = out.scans[0]!;
  assert.equal(scan.detected.cbsManifest, 2);
  assert.equal(scan.repaired.cbsManifest, 1);
  assert.equal(scan.unrepaired, 1);
  assert.equal(scan.durationSeconds, null, 'the excerpt stops before Total Operation Time');
});

test('1607 rows: Catalog Missing and (w) Package Index rows with an HRESULT and two identities', () => {
  const out = scanFixture('sur-rows-14393.log');
  assert.equal(out.scans.length, 0, 'bare rows without a header or Summary are no scan');
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.version, c.hresult ?? null]), [
    ['Microsoft-OneCore-Connectivity-Bluetooth-WOW64-Package', 'catalog-corrupt', '10.0.14393.0', null],
    ['Microsoft-OneCore-Connectivity-Bluetooth-WOW64-Package', 'metadata-corrupt', '10.0.14393.0', '0x80070490'],
    ['Microsoft-Windows-Printer-Drivers-Package', 'metadata-corrupt', '10.0.14393.0', '0x80070490'],
  ]);
});

test('a Detect only Summary without a header block (2021 paste) and the flag line after it', () => {
  const out = scanFixture('sur-detect-only-2021.log');
  assert.equal(out.scans.length, 1);
  assert.equal(out.scans[0]?.operation, 'Detect only');
  assert.equal(out.scans[0]?.result, '0x80071160');
  assert.equal(out.scans[0]?.lastSuccessfulStep, 'CBS store detection completes.');
  assert.equal(out.scans[0]?.durationSeconds, 39);
  assert.equal(out.consumed[out.consumed.length - 1], true, 'the corruption-flag line after the block belongs to it');
});

test('an incremental pass resumes mid-block from a snapshot', () => {
  const records = frameFile(fixture('sur-26100-restorehealth.log'));
  const first = surBlockHandler();
  const half = runHandler(first, records.slice(0, 10), false);
  assert.equal(half.scans.length, 0, 'the block stays open while more bytes may come');
  const second = surBlockHandler();
  second.restore(JSON.parse(JSON.stringify(first.snapshot())));
  const rest = runHandler(second, records.slice(10), true);
  assert.equal(rest.scans.length, 1);
  assert.equal(rest.corruption.length, 3);
  assert.equal(rest.scans[0]?.detected.total, 328);
});

test('a block cut off by the end of a one-shot scan still reports what it read; garbage is ignored', () => {
  const t = '2024-11-21 14:10:38';
  const out = runHandler(surBlockHandler(), [
    cbsRecord(t, 'CBS', 'Checking System Update Readiness.'),
    cbsRecord(t, 'CBS', '(p)\tCSI Payload Corrupt\t(n)\t\t\tnot-a-key\\x.dll'),
    cbsRecord(t, 'CBS', '(p)\t\u0000\u0001garbage'),
  ]);
  assert.equal(out.scans.length, 1);
  assert.equal(out.scans[0]?.detected.total, 1);
  assert.equal(out.corruption[0]?.family, 'x.dll');
  const restored = surBlockHandler();
  restored.restore({ nonsense: true } as never);
  assert.equal(runHandler(restored, [cbsRecord(t, 'CBS', 'Operation: Detect only')]).scans.length, 0);
});
