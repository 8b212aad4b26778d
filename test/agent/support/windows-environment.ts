// A CommandEnvironment that behaves like a Windows host: recorded inventory output, icacls that succeeds, stdout kept.
import { readFileSync } from 'node:fs';
import type { CommandEnvironment } from '../../../agent/commands/common';
import { RecordedAdapter } from '../../../agent/windows/recorded-adapter';

export const RECORDED_MACHINE_GUID = '6f1c2a9e-3b7d-4e21-9a55-0c8e4f7d2b10';

export function windowsEnvironment(): CommandEnvironment & { lines: string[]; adapter: RecordedAdapter } {
  const inventory = readFileSync(new URL('../../fixtures/inventory/inventory-case1.json', import.meta.url), 'utf8');
  const lines: string[] = [];
  const adapter = new RecordedAdapter('win32')
    .answer('powershell', { code: 0, stdout: inventory, stderr: '' })
    .answer('icacls', { code: 0, stdout: 'Successfully processed 1 files', stderr: '' });
  return { adapter, now: () => new Date(), random: () => 0.5, stdout: (line) => lines.push(line), lines };
}
