// The per-device key from enrollment, stored owner-only (0600 on POSIX, SYSTEM+Administrators ACL on Windows).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { restrictToOwner, type SystemAdapter } from '../windows/adapter';
import { writeFileAtomic } from './atomic-file';

export const deviceKeyFileSchema = z.object({
  server: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  deviceKey: z.string().min(8),
  enrolledAt: z.string(),
});
export type DeviceKeyFile = z.infer<typeof deviceKeyFileSchema>;

export function deviceKeyPath(stateDir: string): string {
  return join(stateDir, 'device-key.json');
}

/** The stored key, null when not enrolled; a damaged file is an error that says how to fix it. */
export function readDeviceKey(stateDir: string): DeviceKeyFile | null {
  const path = deviceKeyPath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${path}: ${(error as Error).message} (the agent must run as the user that enrolled it, normally SYSTEM)`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = deviceKeyFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is damaged; run 'agent enroll' again`);
  return parsed.data;
}

export async function writeDeviceKey(stateDir: string, key: DeviceKeyFile, adapter: SystemAdapter): Promise<void> {
  const path = deviceKeyPath(stateDir);
  writeFileAtomic(path, JSON.stringify(key, null, 2), { mode: 0o600 });
  await restrictToOwner(adapter, path);
}

export function forgetDeviceKey(stateDir: string): void {
  rmSync(deviceKeyPath(stateDir), { force: true });
}
