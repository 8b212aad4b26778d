// CheckSUR.log headers, (f)/(fix) rows and all five Summary variants, from verbatim captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corruptionSchema, scanSchema } from '../../protocol/report';
import type { LogRecord } from '../record';
import { checkSurLogHandler, readCheckSurSummary } from './checksur-log';
import { checksurRecord, fixture, frameFile, runHandler } from './test-kit';

function checksur(records: LogRecord[], final = true) {
  const out = runHandler(checkSurLogHandler(), records, final);
  for (const entry of out.corruption) assert.equal(corruptionSchema.safeParse(entry).success, true, JSON.stringify(entry));
  for (const scan of out.scans) assert.equal(scanSchema.safeParse(scan).success, true, JSON.stringify(scan));
  return out;
}

const variant = (name: string) => frameFile(fixture(`checksur/${name}/CheckSUR.log`));

test('header with Package Version: the run time is the header date; MUM and catalog rows name their package', () => {
  const out = checksur(variant('header-package-version'));
  assert.ok(out.consumed.every(Boolean));
  assert.equal(out.scans.length, 1);
  assert.equal(out.scans[0]?.at, '2010-08-13T13:26:00');
  assert.equal(out.scans[0]?.tool, 'checksur');
  assert.equal(out.scans[0]?.detected.total, 3);
  assert.equal(out.scans[0]?.detected.cbsManifest, 3);
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.version, c.hresult, c.file]), [
    ['Package_2_for_KB2079403', 'mum-corrupt', '6.1.1.0', '0x800f0900', 'Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum'],
    ['Package_2_for_KB2079403', 'catalog-corrupt', '6.1.1.0', '0x800b0100', 'Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.cat'],
    ['Package_for_KB2079403_RTM', 'mum-corrupt', '6.1.1.0', '0x800f0900', 'Package_for_KB2079403_RTM~31bf3856ad364e35~amd64~~6.1.1.0.mum'],
  ]);
  assert.ok(out.corruption.every((c) => c.source === 'checksur' && c.at === '2010-08-13T13:26:00' && !c.repaired));
});

test('header without Package Version and without rows is a clean run', () => {
  const out = checksur(variant('header-no-package-version'));
  assert.equal(out.scans[0]?.at, '2015-07-28T17:51:00');
  assert.equal(out.scans[0]?.detected.total, 0);
  assert.equal(out.corruption.length, 0);
});

test('(fix) rows mark their (f) row repaired, by object and category; a Paired File fix does not repair another package', () => {
  const out = checksur(variant('rows-mum-fix'));
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.repaired]), [
    ['Package_1_for_KB983590', 'mum-corrupt', true],
    ['Package_2_for_KB2286198', 'mum-corrupt', false],
    ['Package_2_for_KB2286198', 'catalog-corrupt', false],
  ]);
  assert.equal(out.corruption[0]?.evidence.length, 2);
  const missing = checksur(variant('rows-mum-missing-fix'));
  assert.equal(missing.corruption[0]?.kind, 'mum-missing');
  assert.equal(missing.corruption[0]?.hresult, '0x80070002', 'a plain Win32 code in the HRESULT column');
  assert.equal(missing.corruption[0]?.repaired, true);
});

test('raw .mum bytes after Line 1: and a truncated manifest row', () => {
  const out = checksur(variant('rows-raw-bytes'));
  assert.equal(out.corruption.length, 3);
  assert.equal(out.corruption[1]?.family, 'Package_167_for_KB2633952');
  assert.equal(out.corruption[2]?.kind, 'manifest-corrupt');
  assert.equal(out.corruption[2]?.family, 'amd64_f060b11a85314ba4740e98f49a6');
});

test('file-before-key rows, free text after the path, and the KB 2700601 fix shape', () => {
  const fileFirst = checksur(variant('rows-file-first')).corruption[0];
  assert.equal(fileFirst?.family, 'system.windows.forms.resources');
  assert.equal(fileFirst?.file, 'System.Windows.Forms.resources.dll');
  assert.equal(fileFirst?.kind, 'payload-missing');
  assert.equal(fileFirst?.arch, 'msil');
  const freeText = checksur(variant('rows-free-text')).corruption[0];
  assert.equal(freeText?.family, 'Microsoft-Windows-IE-Hyphenation-Parent-Package-English');
  assert.equal(freeText?.version, '11.2.9412.0');
  const kb = checksur(variant('rows-kb2700601'));
  assert.deepEqual(kb.corruption.map((c) => [c.file, c.family, c.repaired]), [
    ['admparse.dll', 'microsoft-windows-ie-adminkitmostfiles', false],
    ['bootmgr', 'microsoft-windows-b..re-bootmanager-pcat', true],
    ['winload.exe', 'microsoft-windows-b..environment-windows', false],
  ]);
});

test('rows whose TAB separators vanished in a paste', () => {
  const out = checksur(variant('rows-glued'));
  assert.deepEqual(out.corruption.map((c) => [c.family, c.kind, c.version, c.repaired, c.file]), [
    ['microsoft-windows-gwx-task', 'metadata-corrupt', '6.1.7601.18915', true, null],
    ['microsoft-windows-gwx-task', 'metadata-corrupt', '6.1.7601.18915', true, null],
  ]);
});

test('all five Summary variants', () => {
  const fixed = checksur(variant('summary-fixed')).scans[0];
  assert.deepEqual([fixed?.detected.total, fixed?.repaired.total, fixed?.durationSeconds, fixed?.unrepaired], [10, 10, 100, 0]);
  const unavailable = checksur(variant('summary-unavailable')).scans[0];
  assert.deepEqual([unavailable?.detected.total, unavailable?.detected.cbsManifest, unavailable?.durationSeconds, unavailable?.unrepaired], [3, 3, 264, 3]);
  const fixCount = checksur(variant('summary-fix-count')).scans[0];
  assert.deepEqual([fixCount?.detected.total, fixCount?.detected.csiPayload, fixCount?.repaired.total, fixCount?.repaired.csiPayload, fixCount?.unrepaired],
    [3, 3, 1, 1, 2]);
  const totalCount = checksur(variant('summary-total-count')).scans[0];
  assert.deepEqual([totalCount?.detected.total, totalCount?.detected.csiPayload, totalCount?.durationSeconds], [4, 4, 1833]);
  const flat = checksur(variant('summary-flattened')).scans[0];
  assert.equal(flat?.durationSeconds, 450);
  assert.equal(flat?.detected.total, 6856);
  assert.equal(flat?.repaired.total, 175);
  assert.equal(flat?.detected.csiManifest, 6);
  assert.equal(flat?.detected.csiPayload, 6573 + 106 + 171);
  assert.equal(flat?.repaired.csiPayload, 4 + 171);
  assert.equal(flat?.unrepaired, 6856 - 175);
});

test('a persist log holds several runs: each repeated header starts a new scan', () => {
  const lines = [
    ...readFileSync(fixture('checksur/header-package-version/CheckSUR.log'), 'utf8').split(/\r?\n/),
    ...readFileSync(fixture('checksur/summary-total-count/CheckSUR.log'), 'utf8').split(/\r?\n/),
    ...readFileSync(fixture('checksur/header-no-package-version/CheckSUR.log'), 'utf8').split(/\r?\n/),
  ];
  const out = checksur(lines.map((line, i) => checksurRecord(line, i + 1)));
  assert.deepEqual(out.scans.map((s) => [s.at, s.detected.total]), [
    ['2010-08-13T13:26:00', 4],
    ['2015-07-28T17:51:00', 0],
  ]);
  assert.equal(out.corruption.length, 3);
});

test('incremental passes keep the run open; CBS records and garbage are not CheckSUR', () => {
  const records = variant('header-package-version');
  const first = checkSurLogHandler();
  assert.equal(runHandler(first, records.slice(0, 6), false).scans.length, 0);
  const second = checkSurLogHandler();
  second.restore(JSON.parse(JSON.stringify(first.snapshot())));
  const rest = runHandler(second, records.slice(6));
  assert.equal(rest.corruption.length, 3);
  assert.equal(rest.scans[0]?.at, '2010-08-13T13:26:00');
  const cbs: LogRecord = { ...checksurRecord('(f) CBS MUM Corrupt 0x800F0900 x'), file: 'CBS.log' };
  assert.deepEqual(runHandler(checkSurLogHandler(), [cbs]).consumed, [false]);
  const garbage = checksur([checksurRecord('(f) \u0000\u0001'), checksurRecord('ÑéHGHLH`HGHL')]);
  assert.equal(garbage.corruption.length, 0);
});

test('the Summary reader accepts Total count and Total Count, Fixed and Fix', () => {
  const counts = readCheckSurSummary('Seconds executed: 9 Found 2 errors Fix 1 errors CBS MUM Missing Total Count: 2 Fix CBS MUM Missing Total Count: 1');
  assert.equal(counts.detected.cbsManifest, 2);
  assert.equal(counts.repaired.cbsManifest, 1);
  assert.equal(counts.fixed, 1);
});
