// Installed-update parsers on the captured Get-HotFix and wmic outputs (reference §4.1, §4.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseGetHotFixTable, parseWmicQfeCsv, parseWmicQfeTable } from './hotfixes';
import { parseInstallDate } from './dates';

const recorded = (name: string) => readFileSync(new URL(`../../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8');

test('Get-HotFix table from the PowerShell docs keeps multi-word cells whole', () => {
  assert.deepEqual(parseGetHotFixTable(recorded('get-hotfix-docs.txt')), [
    { kb: 'KB4495590', installedOn: '2019-05-16', description: 'Update', installedBy: 'NT AUTHORITY\\SYSTEM' },
    { kb: 'KB4470788', installedOn: '2019-01-22', description: 'Security Update', installedBy: 'NT AUTHORITY\\SYSTEM' },
    { kb: 'KB4480056', installedOn: '2019-01-24', description: 'Update', installedBy: 'NT AUTHORITY\\SYSTEM' },
  ]);
});

test('Get-HotFix with truncated cells, an empty InstalledBy and 12-hour times', () => {
  const rows = parseGetHotFixTable(recorded('get-hotfix-ec2-truncated.txt'));
  assert.deepEqual(
    rows.map((row) => [row.kb, row.installedOn, row.installedBy]),
    [
      ['KB3176936', '2016-10-18', null],
      ['KB3186568', '2017-06-15', 'NT AUTHORITY\\SYSTEM'],
      ['KB3199986', '2016-11-15', 'EC2AMAZ-5M13VM2\\A...'],
    ],
  );
});

test('Spanish Get-HotFix dates are day-first for the whole column, even 8/02/2020', () => {
  const rows = parseGetHotFixTable(recorded('get-hotfix-es-dayfirst.txt'));
  assert.deepEqual(
    rows.map((row) => [row.kb, row.installedOn, row.description]),
    [
      ['KB4534132', '2020-02-08', 'Update'],
      ['KB4515383', '2019-09-27', 'Security Update'],
      ['KB4528759', '2020-02-04', 'Security Update'],
    ],
  );
});

test('wmic qfe full table with empty columns (Server 2008 and Windows 10 19045)', () => {
  assert.deepEqual(parseWmicQfeTable(recorded('wmic-qfe-2k8.txt')), [
    { kb: 'KB2533552', installedOn: '2021-03-31', description: 'Update', installedBy: 'WINLPE-2K8\\Administrator' },
  ]);
  const rows = parseWmicQfeTable(recorded('wmic-qfe-19045.txt'));
  assert.deepEqual(
    rows.map((row) => [row.kb, row.installedOn, row.description, row.installedBy]),
    [
      ['KB5050576', '2025-03-04', 'Update', 'NT AUTHORITY\\SYSTEM'],
      ['KB5015684', '2022-09-08', 'Update', null],
      ['KB5053606', '2025-03-24', 'Security Update', 'NT AUTHORITY\\SYSTEM'],
    ],
  );
  assert.deepEqual(
    parseWmicQfeTable(recorded('wmic-qfe-brief.txt')).map((row) => row.kb),
    ['KB5050576', 'KB5053606'],
  );
});

test('wmic CSV with \\r\\r\\n line ends, alphabetical columns and duplicate rows', () => {
  const csv = recorded('wmic-qfe-checkmk.csv');
  assert.ok(csv.includes('\r\r\n'), 'fixture keeps the stray CR');
  assert.deepEqual(parseWmicQfeCsv(csv), [
    { kb: 'KB2849697', installedOn: '2017-05-10', description: 'Update', installedBy: null },
    { kb: 'KB2849696', installedOn: '2017-05-10', description: 'Update', installedBy: null },
  ]);
  // Columns are found by name, so a different order gives the same answer.
  const reordered = 'Node,HotFixID,InstalledOn,Description\r\r\n\r\r\nPC1,KB2849697-1,20170523,Hotfix\r\r\n';
  assert.deepEqual(parseWmicQfeCsv(reordered), [
    { kb: 'KB2849697', installedOn: '2017-05-23', description: 'Hotfix', installedBy: null },
  ]);
});

test('every InstalledOn spelling Checkmk documents', () => {
  assert.equal(parseInstallDate('20170523'), '2017-05-23');
  assert.equal(parseInstallDate('23-10-2013'), '2013-10-23');
  assert.equal(parseInstallDate('5/23/2017'), '2017-05-23');
  assert.equal(parseInstallDate('01ce83596afd20a7'), '2013-07-18');
  assert.equal(parseInstallDate(''), null);
  assert.equal(parseInstallDate('31/02/2020', 'DMY'), null);
});
