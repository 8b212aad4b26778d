// The inventory script's JSON document: identity, OS build + UBR, hotfixes with raw WMI dates, WUA history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectInventory, parseInventoryOutput } from './inventory';
import { INVENTORY_SCRIPT } from './inventory-script';
import { RecordedAdapter } from '../windows/recorded-adapter';

// Shaped exactly like the script's output; values from support case 1 (KB5043064 on 19045.4894).
const recorded = readFileSync(new URL('../../test/fixtures/inventory/inventory-case1.json', import.meta.url), 'utf8');

test('identity, build.UBR, servicing stack, hotfixes and history come out typed', () => {
  const inventory = parseInventoryOutput('\uFEFF' + recorded + '\r\n');
  assert.equal(inventory.device.machineGuid, '6f1c2a9e-3b7d-4e21-9a55-0c8e4f7d2b10');
  assert.equal(inventory.device.osBuild, '19045.4894');
  assert.equal(inventory.device.servicingStack, '10.0.19041.4585');
  assert.equal(inventory.device.utcOffsetMinutes, 60);
  assert.deepEqual(
    inventory.hotfixes.map((hotfix) => [hotfix.kb, hotfix.installedOn]),
    [
      ['KB5042320', '2024-09-10'],
      ['KB5043064', '2024-09-10'],
      ['KB5011048', '2023-12-30'],
    ],
  );
  assert.deepEqual(inventory.updateHistory[0], {
    kb: 'KB5043064',
    title: '2024-09 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5043064)',
    operation: 1,
    resultCode: 4,
    hresult: '0x8007000d',
    date: '2024-11-21T12:55:22Z',
  });
});

test('output that is not the document fails with a message naming the problem', () => {
  assert.throws(() => parseInventoryOutput('Get-CimInstance : Access denied'), /not JSON: "Get-CimInstance : Access denied"/);
  assert.throws(() => parseInventoryOutput('{"schema":1,"identity":{},"hotfixes":"none","history":[],"problems":[]}'), /invalid at hotfixes/);
});

test('collected through one PowerShell call on Windows, none elsewhere', async () => {
  const adapter = new RecordedAdapter('win32').answer('powershell', { code: 0, stdout: recorded, stderr: '' });
  const inventory = await collectInventory(adapter);
  assert.equal(inventory?.device.hostname, 'BANK-PC-0042');
  assert.equal(adapter.calls.length, 1);
  assert.equal(adapter.calls[0]?.args[0], INVENTORY_SCRIPT);
  assert.equal(await collectInventory(new RecordedAdapter('linux')), null);
  const failing = new RecordedAdapter('win32').answer('powershell', { code: 1, stdout: '', stderr: 'powershell.exe is blocked by policy' });
  await assert.rejects(collectInventory(failing), /inventory script failed \(exit 1\): powershell.exe is blocked by policy/);
});
