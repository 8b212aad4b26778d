// HRESULT spellings from reference/cbs-formats.md §1.7 all normalise to one form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeHresult, hresultFromWin32, lookupHresult } from './hresult';

test('every spelling normalises to 0x + 8 lower-case hex', () => {
  assert.equal(normalizeHresult('0x800F0922'), '0x800f0922');
  assert.equal(normalizeHresult('800F0922'), '0x800f0922');
  assert.equal(normalizeHresult('800706d9'), '0x800706d9');
  assert.equal(normalizeHresult('0x0'), '0x00000000');
  assert.equal(normalizeHresult('-2147023143'), '0x800706d9');
  assert.equal(normalizeHresult('-2145116140'), '0x80242014');
  assert.equal(normalizeHresult('0'), '0x00000000');
  assert.equal(normalizeHresult('nonsense'), null);
  assert.equal(normalizeHresult('0x1234567890'), null);
});

test('HRESULT_FROM_WIN32 maps Win32 codes into facility 7', () => {
  assert.equal(hresultFromWin32(1058), '0x80070422');
  assert.equal(hresultFromWin32(14098), '0x80073712');
  assert.equal(hresultFromWin32(13), '0x8007000d');
});

test('names come from the table by number, not from what the log printed', () => {
  assert.equal(lookupHresult('0x8007000d')?.name, 'ERROR_INVALID_DATA');
  assert.equal(lookupHresult('0x800F081F'.toLowerCase())?.name, 'CBS_E_SOURCE_MISSING');
});
