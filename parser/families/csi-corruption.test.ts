// CSI (F) corruption lines and CBS store-corruption markers, on lines from real logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptionSchema } from '../../protocol/report';
import { csiCorruptionHandler, describeCsiCorruption } from './csi-corruption';
import { cbsRecord, runHandler } from './test-kit';

const T = '2024-11-21 13:55:15';

test('Matching binary … missing names the family, version, arch and file', () => {
  const record = cbsRecord(T, 'CSI',
    "(F) Matching binary vmbuspipec.dll missing for component dual_wvmbusr.inf, version 10.0.19041.4597, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver'[gle=0x80004005]",
    [], 'Error');
  const out = runHandler(csiCorruptionHandler(), [record]);
  assert.deepEqual(out.consumed, [true]);
  assert.equal(out.corruption.length, 1);
  const entry = out.corruption[0]!;
  assert.equal(corruptionSchema.safeParse(entry).success, true);
  assert.equal(entry.family, 'dual_wvmbusr.inf');
  assert.equal(entry.version, '10.0.19041.4597');
  assert.equal(entry.arch, 'amd64');
  assert.equal(entry.file, 'vmbuspipec.dll');
  assert.equal(entry.kind, 'binary-missing');
  assert.equal(entry.source, 'cbs');
  assert.equal(entry.repaired, false);
  assert.equal(entry.component, 'dual_wvmbusr.inf, version 10.0.19041.4597, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}');
  assert.deepEqual(entry.evidence, [record.raw]);
});

test('Hydration failed names the hydrated component, the file, the NTSTATUS and the stored base version', () => {
  const record = cbsRecord(T, 'CSI',
    "(F) Hydration failed for component dual_wpdmtp.inf, version 10.0.19041.4355, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver' on file WpdMtpUS.dll with NTSTATUS -1073283059. Matching Component = dual_wpdmtp.inf, version 10.0.19041.3636, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver'. FileHasForwardReverseDeltas = true. GenerateReverseDelta = true[gle=0x80004005]",
    [], 'Error');
  const fact = describeCsiCorruption(record);
  assert.equal(fact?.matchingIdentity?.version, '10.0.19041.3636');
  const [entry] = runHandler(csiCorruptionHandler(), [record]).corruption;
  assert.equal(entry?.kind, 'hydration-failed');
  assert.equal(entry?.family, 'dual_wpdmtp.inf');
  assert.equal(entry?.version, '10.0.19041.4355');
  assert.equal(entry?.file, 'WpdMtpUS.dll');
  assert.equal(entry?.hresult, '0xc007000d');
});

test('a CSI record re-split across lines is read whole', () => {
  const record = cbsRecord(T, 'CSI',
    '(F) Matching binary wstorvsp.inf missing for component dual_wstorvsp.inf, version 10.0.19041.4355, arch amd64, nonSxS, ',
    ["pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver'", '[gle=0x80004005]'], 'Error');
  const [entry] = runHandler(csiCorruptionHandler(), [record]).corruption;
  assert.equal(entry?.family, 'dual_wstorvsp.inf');
  assert.equal(entry?.version, '10.0.19041.4355');
  assert.equal(entry?.evidence.length, 3);
});

test('CSI failure traces that name no component are consumed without a fact; informational CSI lines are left alone', () => {
  const generic = cbsRecord(T, 'CSI', '(F) Hydration failed with error NTSTATUS_FROM_WIN32(ERROR_INVALID_DATA) . Delta Valid: true , RetrievedChecksum: 2668420575 , ComputedChecksum: 2668420575[gle=0x80004005]', [], 'Error');
  const location = cbsRecord('2016-10-31 11:25:11', 'CSI', '(F) d:\\win7sp1_gdr\\base\\wcp\\componentstore\\analysis.cpp(1186): Error STATUS_REQUEST_OUT_OF_SEQUENCE originated in function CServicingFamilyEntries::RemoveInstalledTlc expression: (null)', ['[gle=0x80004005]'], 'Error');
  const hop = cbsRecord('2016-10-31 11:25:11', 'CSI', '(F) STATUS_REQUEST_OUT_OF_SEQUENCE #813471# from CTransactionAnalysis::GenerateServicingFamilies(...)[gle=0xd000042a]', [], 'Error');
  const info = cbsRecord(T, 'CSI', "Component dual_wvmbusr.inf, version 10.0.19041.4597, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver' does not have a winner but has 2 other component version(s)");
  const installer = cbsRecord('2026-10-08 20:55:05', 'CSI', '(F) Failed execution of queue item Installer: Container Installer ({9edf0f01-ef44-4c87-ac5a-8aad730137ab}) with HRESULT HRESULT_FROM_WIN32(1753).  Failure will not be ignored: A rollback will be initiated after all the operations in the installer queue are completed; installer is reliable[gle=0x80004005]', [], 'Error');
  const out = runHandler(csiCorruptionHandler(), [generic, location, hop, info, installer]);
  assert.deepEqual(out.consumed, [true, true, true, false, false]);
  assert.equal(out.corruption.length, 0);
});

test('store-wide markers (Server 2022 capture) report the store once per incident', () => {
  const t = '2025-02-27 08:58:35';
  const records = [
    cbsRecord(t, 'CSI', "(F) Attempting to mark store corrupt with category [l:21 ml:22]'CorruptComponentValue'[gle=0x80004005]", [], 'Error'),
    cbsRecord(t, 'CSI', '(F) STATUS_SXS_COMPONENT_STORE_CORRUPT #62038# from CCSDirectTransaction::OperateEnding at index 0 of 1 operations, disposition 0[gle=0xd015001a]', [], 'Error'),
  ];
  const out = runHandler(csiCorruptionHandler(), records);
  assert.deepEqual(out.consumed, [true, true]);
  assert.equal(out.corruption.length, 1);
  assert.equal(out.corruption[0]?.family, 'component-store');
  assert.equal(out.corruption[0]?.kind, 'metadata-corrupt');
  assert.equal(out.corruption[0]?.component, null);
});

test('package markers: manifest missing + Mark store corruption flag count once; the flag stays visible to failure chains', () => {
  const t = '2018-11-01 13:24:25';
  const missing = cbsRecord(t, 'CBS', 'Store corruption, manifest missing for package: Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4');
  const flag = cbsRecord(t, 'CBS', 'Mark store corruption flag because of package: Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4. [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]');
  const out = runHandler(csiCorruptionHandler(), [missing, flag]);
  assert.deepEqual(out.consumed, [true, false]);
  assert.equal(out.corruption.length, 1);
  assert.equal(out.corruption[0]?.family, 'Package_2074_for_KB4088876');
  assert.equal(out.corruption[0]?.kind, 'mum-missing');
  assert.equal(out.corruption[0]?.version, '6.3.1.4');

  const alone = runHandler(csiCorruptionHandler(), [flag]);
  assert.deepEqual(alone.consumed, [false]);
  assert.equal(alone.corruption[0]?.kind, 'other');
  assert.equal(alone.corruption[0]?.hresult, '0x800f0831');
  assert.equal(alone.corruption[0]?.component, 'Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4');
});

test('a component marked deleted (26100, timestamp dropped by the paste) is reported by its key', () => {
  const record = cbsRecord(null, 'CSI', "(F) Component marked deleted and is no longer available for: [l:77 ml:140]'amd64_microsoft-copilot_31bf3856ad364e35_10.0.26100.712_none_70c07f1218639276'[gle=0x80004005]");
  const [entry] = runHandler(csiCorruptionHandler(), [record]).corruption;
  assert.equal(entry?.family, 'microsoft-copilot');
  assert.equal(entry?.version, '10.0.26100.712');
  assert.equal(entry?.component, 'amd64_microsoft-copilot_31bf3856ad364e35_10.0.26100.712_none_70c07f1218639276');
});

test('state survives snapshot/restore and garbage never throws', () => {
  const handler = csiCorruptionHandler();
  const t = '2025-02-27 08:58:35';
  runHandler(handler, [cbsRecord(t, 'CSI', "(F) Attempting to mark store corrupt with category [l:21 ml:22]'CorruptComponentValue'")]);
  const resumed = csiCorruptionHandler();
  resumed.restore(JSON.parse(JSON.stringify(handler.snapshot())));
  const again = runHandler(resumed, [cbsRecord(t, 'CSI', '(F) STATUS_SXS_COMPONENT_STORE_CORRUPT #1# from X')]);
  assert.equal(again.corruption.length, 0);
  resumed.restore(null as never);
  const garbage = runHandler(resumed, [cbsRecord(t, 'CSI', '(F) Matching binary  missing for component ,,,'), cbsRecord(t, 'CBS', '\u0000\uffff(F)')]);
  assert.equal(garbage.corruption.length, 0);
});
