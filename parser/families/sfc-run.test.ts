// SFC runs, [SR] corruption lines, DEPLOY [Pnp] driver lines and hash mismatches, from verbatim captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptionSchema, scanSchema } from '../../protocol/report';
import type { LogRecord } from '../record';
import { sfcRunHandler } from './sfc-run';
import { cbsRecord, fixture, frameFile, runHandler } from './test-kit';

function sfc(records: LogRecord[], final = true) {
  const out = runHandler(sfcRunHandler(), records, final);
  for (const entry of out.corruption) assert.equal(corruptionSchema.safeParse(entry).success, true, JSON.stringify(entry));
  for (const scan of out.scans) assert.equal(scanSchema.safeParse(scan).success, true, JSON.stringify(scan));
  return out;
}

test('26100 scannow: DEPLOY [Pnp] lines after Repair complete belong to the run that just ended', () => {
  const out = sfc(frameFile(fixture('sfc-26100-deploy.log')));
  assert.equal(out.scans.length, 1);
  const scan = out.scans[0]!;
  assert.equal(scan.tool, 'sfc');
  assert.equal(scan.operation, 'scannow');
  assert.equal(scan.interrupted, false);
  assert.equal(scan.componentsVerified, 2);
  assert.equal(scan.detected.total, 2);
  assert.equal(scan.repaired.total, 2);
  assert.equal(scan.unrepaired, 0);
  assert.equal(scan.at, '2026-09-25T20:13:52');
  assert.deepEqual(out.corruption.map((c) => [c.family, c.file, c.kind, c.source, c.repaired, c.evidence.length]), [
    ['BthA2dp.sys', 'BthA2dp.sys', 'payload-corrupt', 'sfc', true, 2],
    ['BthHfEnum.sys', 'BthHfEnum.sys', 'payload-corrupt', 'sfc', true, 2],
  ]);
  assert.ok(out.consumed.every(Boolean));
});

test('a run that started and never ended is reported as interrupted', () => {
  const records = frameFile(fixture('sfc-26100-deploy.log')).slice(0, 4);
  const out = sfc(records);
  assert.equal(out.scans.length, 1);
  assert.equal(out.scans[0]?.interrupted, true);
  assert.equal(out.scans[0]?.operation, 'scannow');
});

test('more bytes may come: an open run stays open and resumes from a snapshot', () => {
  const records = frameFile(fixture('sfc-26100-deploy.log'));
  const first = sfcRunHandler();
  assert.equal(runHandler(first, records.slice(0, 4), false).scans.length, 0);
  const second = sfcRunHandler();
  second.restore(JSON.parse(JSON.stringify(first.snapshot())));
  const rest = runHandler(second, records.slice(4), true);
  assert.equal(rest.scans.length, 1);
  assert.equal(rest.scans[0]?.interrupted, false);
  assert.equal(rest.scans[0]?.componentsVerified, 2);
  assert.equal(rest.corruption.length, 2);
});

test('a new Trusted Installer session ends an open run', () => {
  const t = '2026-09-25 20:13:52';
  const out = sfc([
    cbsRecord(t, 'CSI', '[SR] Verifying 100 components'),
    cbsRecord(t, 'CSI', '[SR] Beginning Verify and Repair transaction'),
    cbsRecord('2026-09-25 20:20:00', 'CBS', 'TI: --- Initializing Trusted Installer ---'),
  ], false);
  assert.deepEqual(out.consumed, [true, true, false]);
  assert.equal(out.scans.length, 1);
  assert.equal(out.scans[0]?.interrupted, true);
});

test('scannow batches aggregate into one run; /verifyonly is a run that never repaired', () => {
  const t = '2026-09-25 11:01:49';
  const batch = [
    cbsRecord(t, 'CSI', '[SR] Verifying 100 components'),
    cbsRecord(t, 'CSI', '[SR] Beginning Verify and Repair transaction'),
    cbsRecord(t, 'CSI', '[SR] Verify complete'),
  ];
  const verifyOnly = sfc([...batch, ...batch]);
  assert.equal(verifyOnly.scans.length, 1);
  assert.equal(verifyOnly.scans[0]?.componentsVerified, 200);
  assert.equal(verifyOnly.scans[0]?.operation, 'verifyonly');
  assert.equal(verifyOnly.scans[0]?.interrupted, false);
  const captured = sfc(frameFile(fixture('sfc-26100-verify-batch.log')));
  assert.equal(captured.scans[0]?.componentsVerified, 100);
});

test('Win7 x64: 16-digit hex count and a damaged manifest', () => {
  const out = sfc(frameFile(fixture('sfc-win7-x64.log')));
  assert.equal(out.scans[0]?.componentsVerified, 100);
  assert.equal(out.scans[0]?.detected.csiManifest, 1);
  assert.equal(out.scans[0]?.unrepaired, 1);
  assert.equal(out.corruption[0]?.kind, 'manifest-corrupt');
  assert.equal(out.corruption[0]?.family, '0bed6e3a2f47889e3ad31586d102ad4d');
  assert.equal(out.corruption[0]?.version, '6.1.7601.23538');
  assert.equal(out.corruption[0]?.arch, 'amd64');
});

test('KB 928228 sample: repaired files, files that cannot be repaired, manifests restored from backup', () => {
  const out = sfc(frameFile(fixture('sfc-kb928228.log')));
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.repaired]), [
    ['dao360.dll', 'payload-corrupt', true],
    ['Microsoft-Windows-IE-WinsockAutodialStub', 'payload-corrupt', false],
    ['netnb.inf', 'manifest-corrupt', true],
    ['netnb.inf', 'payload-corrupt', true],
    ['Microsoft-Windows-Shell-Wallpaper-Common', 'hash-mismatch', false],
  ]);
  assert.equal(out.corruption[1]?.file, 'url.dll');
  assert.equal(out.corruption[1]?.arch, 'x86');
  const scan = out.scans[0]!;
  assert.equal(scan.operation, 'scannow');
  assert.equal(scan.interrupted, false);
  assert.equal(scan.detected.total, 5);
  assert.equal(scan.repaired.total, 3);
  assert.equal(scan.unrepaired, 2);
});

test('Server 2022: a hash mismatch merges with the [SR] line that names its component; reprojection failures are reported', () => {
  const out = sfc(frameFile(fixture('sfc-20348.log')));
  assert.equal(out.corruption.length, 2);
  const [reproject, mismatch] = out.corruption;
  assert.equal(reproject?.file, 'tls_branding_config.xml');
  assert.equal(reproject?.kind, 'payload-corrupt');
  assert.equal(mismatch?.kind, 'hash-mismatch');
  assert.equal(mismatch?.source, 'sfc');
  assert.equal(mismatch?.family, 'Microsoft-Windows-TerminalServices-LicenseServer-LRWIZDLL');
  assert.equal(mismatch?.version, '10.0.20348.2849');
  assert.equal(mismatch?.file, 'LServer_PKConfig.xml');
  assert.equal(mismatch?.evidence.length, 4);
  assert.match(mismatch!.evidence[1]!, /^ Expected: \{l:32/);
  assert.ok(out.consumed.every(Boolean));
});

test('Windows 11 22H2: Cannot repair with a path as member; a mismatch nobody names keeps its file as family', () => {
  const out = sfc(frameFile(fixture('sfc-22621.log')));
  assert.equal(out.corruption[0]?.family, 'UserExperience-Core');
  assert.equal(out.corruption[0]?.file, 'Core\\FileExplorerExtensions\\Assets\\images\\contrast-standard\\theme-light\\windows.unpinfromhome.svg');
  assert.equal(out.corruption[1]?.kind, 'hash-mismatch');
  assert.equal(out.corruption[1]?.family, 'windows.unpinfromstartscreen.svg');
  assert.equal(out.corruption[1]?.component, null);
});

test('DEPLOY [Pnp] Failed repairing file keeps the driver unrepaired; 26100 Repairing file wording', () => {
  const failed = sfc(frameFile(fixture('sfc-deploy-failed-22000.log')));
  assert.equal(failed.corruption.length, 1);
  assert.equal(failed.corruption[0]?.file, 'storvsp.sys');
  assert.equal(failed.corruption[0]?.repaired, false);
  assert.equal(failed.corruption[0]?.evidence.length, 2);
  const repairing = sfc(frameFile(fixture('sfc-26100-repairing-file.log')));
  assert.equal(repairing.corruption[0]?.file, 'vcamp140_app.dll');
  assert.equal(repairing.corruption[0]?.repaired, true);
});

test('a servicing-time hash mismatch is named by the hydration line for the same file (stored base version)', () => {
  const t = '2024-06-12 10:41:07';
  const hashes = cbsRecord(t, 'CSI', "Hashes for file member [l:12]'WpdMtpUS.dll' do not match.", [
    ' Expected: {l:32 ml:33 b:0c2b6d8c8f3a3f1e4b7d2e5a9c1f0b3d6e8a7c5b4d2f1e0a9b8c7d6e5f4a3b2c}.',
    ' Actual: {l:32 b:7e1d9c3b5a7f2e4d6c8b0a1f3e5d7c9b2a4f6e8d0c1b3a5f7e9d2c4b6a8f0e1d}.',
  ]);
  const hydration = cbsRecord(t, 'CSI',
    "(F) Hydration failed for component dual_wpdmtp.inf, version 10.0.19041.4291, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver' on file WpdMtpUS.dll with NTSTATUS -1073283059. Matching Component = dual_wpdmtp.inf, version 10.0.19041.746, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver'. FileHasForwardReverseDeltas = true. GenerateReverseDelta = true[gle=0x80004005]",
    [], 'Error');
  const out = sfc([hashes, hydration]);
  assert.deepEqual(out.consumed, [true, false], 'the hydration line stays for the CSI corruption handler');
  assert.equal(out.corruption.length, 1);
  assert.equal(out.corruption[0]?.family, 'dual_wpdmtp.inf');
  assert.equal(out.corruption[0]?.version, '10.0.19041.746');
  assert.equal(out.corruption[0]?.file, 'WpdMtpUS.dll');
  assert.equal(out.corruption[0]?.source, 'cbs');
  assert.equal(out.corruption[0]?.kind, 'hash-mismatch');
});

test('garbage never throws and a broken snapshot starts clean', () => {
  const handler = sfcRunHandler();
  handler.restore({ run: 'x' } as never);
  const out = runHandler(handler, [
    cbsRecord('2026-01-01 00:00:00', 'CSI', '[SR] Cannot repair member file'),
    cbsRecord('2026-01-01 00:00:00', 'DEPLOY', '[Pnp] Corrupt file: '),
    cbsRecord(null, '', '\u0000[SR] Verifying x components'),
  ]);
  assert.equal(out.scans.length, 0);
  assert.equal(out.corruption.length, 0);
  assert.equal(out.unrecognized.length, 1, 'an [SR] line that names nothing is counted, not invented');
});

test('the repair phase repeating a Cannot repair line of the verify phase counts the file once', () => {
  const t = '2024-06-14 10:02:16';
  const cannot = "[SR] Cannot repair member file [l:12]'WpdMtpUS.dll' of dual_wpdmtp.inf, version 10.0.19041.746, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} in the store, hash mismatch";
  const out = sfc([
    cbsRecord(t, 'CSI', '[SR] Verifying 100 components'),
    cbsRecord(t, 'CSI', cannot),
    cbsRecord(t, 'CSI', '[SR] Verify complete'),
    cbsRecord(t, 'CSI', '[SR] Repairing 1 components'),
    cbsRecord(t, 'CSI', "Hashes for file member [l:12]'WpdMtpUS.dll' do not match."),
    cbsRecord(t, 'CSI', cannot),
    cbsRecord(t, 'CSI', '[SR] Repair complete'),
  ]);
  assert.equal(out.corruption.length, 1);
  assert.equal(out.scans[0]?.detected.total, 1);
  assert.equal(out.scans[0]?.unrepaired, 1);
});

test('an incremental pass reports a /verifyonly run once the log has moved on past it', () => {
  const t = '2026-09-25 11:01:49';
  const out = sfc([
    cbsRecord(t, 'CSI', '[SR] Verifying 100 components'),
    cbsRecord(t, 'CSI', '[SR] Verify complete'),
    cbsRecord('2026-09-25 11:05:00', 'CBS', 'Session: 31115562_3427361183 initialized by client WindowsUpdateAgent'),
  ], false);
  assert.equal(out.scans.length, 0, 'three minutes later another batch may still come');
  const later = sfc([
    cbsRecord(t, 'CSI', '[SR] Verifying 100 components'),
    cbsRecord(t, 'CSI', '[SR] Verify complete'),
    cbsRecord('2026-09-25 11:30:00', 'CBS', 'Session: 31115562_3427361183 initialized by client WindowsUpdateAgent'),
  ], false);
  assert.equal(later.scans.length, 1);
  assert.equal(later.scans[0]?.operation, 'verifyonly');
  assert.equal(later.scans[0]?.interrupted, false);
});
