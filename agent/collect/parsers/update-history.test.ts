// WUA history parsing on the captured list-format outputs (reference §4.7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseHistoryList, toUpdateHistoryRecords } from './update-history';

const recorded = (name: string) => readFileSync(new URL(`../../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8');

test('English history entry: KB from the title, HResult 0, 12-hour date', () => {
  assert.deepEqual(parseHistoryList(recorded('wua-history-en.txt')), [
    {
      kb: 'KB2267602',
      title: 'Definition Update for Windows Defender Antivirus - KB2267602 (Definition 1.275.400.0)',
      operation: 1,
      resultCode: 2,
      hresult: '0x00000000',
      date: '2018-08-29T21:36:50Z',
    },
  ]);
});

test('Polish entry: signed-decimal HResult, ISO-like date, mojibake title and wrapped description', () => {
  const [entry, ...rest] = parseHistoryList(recorded('wua-history-pl.txt'));
  assert.equal(rest.length, 0);
  assert.equal(entry?.kb, 'KB2607047');
  assert.equal(entry?.hresult, '0x80242014'); // WU_E_UH_POSTREBOOTSTILLPENDING
  assert.equal(entry?.resultCode, 1);
  assert.equal(entry?.date, '2011-12-15T13:26:13Z');
  assert.equal(entry?.title, 'Aktualizacja systemu Windows 7 dla komputerów z procesorami x64 (KB2607047)');
});

test('two captured entries back to back are two records', () => {
  const both = recorded('wua-history-en.txt') + '\r\n' + recorded('wua-history-pl.txt');
  assert.deepEqual(
    parseHistoryList(both).map((entry) => entry.kb),
    ['KB2267602', 'KB2607047'],
  );
});

test('structured rows from the inventory script drop impossible result codes', () => {
  const records = toUpdateHistoryRecords([
    { operation: 1, resultCode: 4, hresult: -2145124329, date: '2024-11-21T13:55:22Z', title: '2024-09 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5043064)' },
    { operation: 1, resultCode: 9, hresult: 0, date: null, title: 'broken row' },
  ]);
  assert.deepEqual(records, [
    {
      kb: 'KB5043064',
      title: '2024-09 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5043064)',
      operation: 1,
      resultCode: 4,
      hresult: '0x80240017',
      date: '2024-11-21T13:55:22Z',
    },
  ]);
});
