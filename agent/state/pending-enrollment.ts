// A re-enrollment waiting for an admin: the one-time pickup token that collects the new key, stored owner-only like the key.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { restrictToOwner, type SystemAdapter } from '../windows/adapter';
import { writeFileAtomic } from './atomic-file';

export const pendingEnrollmentSchema = z.object({
  server: z.string(),
  deviceId: z.string(),
  hostname: z.string(),
  pickupToken: z.string().min(32),
  requestId: z.number().int(),
  requestedAt: z.string(),
  /** `rejected`: an admin refused it, and the agent does not ask again by itself (`agent enroll` does). */
  status: z.enum(['waiting', 'rejected']),
});
export type PendingEnrollment = z.infer<typeof pendingEnrollmentSchema>;

export function pendingEnrollmentPath(stateDir: string): string {
  return join(stateDir, 'enrollment-pending.json');
}

/** The waiting or rejected request; null when there is none. A damaged file counts as none (the agent asks again). */
export function readPendingEnrollment(stateDir: string): PendingEnrollment | null {
  let text: string;
  try {
    text = readFileSync(pendingEnrollmentPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${pendingEnrollmentPath(stateDir)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const parsed = pendingEnrollmentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writePendingEnrollment(stateDir: string, pending: PendingEnrollment, adapter: SystemAdapter): Promise<void> {
  const path = pendingEnrollmentPath(stateDir);
  writeFileAtomic(path, JSON.stringify(pending, null, 2), { mode: 0o600 });
  await restrictToOwner(adapter, path);
}

export function forgetPendingEnrollment(stateDir: string): void {
  rmSync(pendingEnrollmentPath(stateDir), { force: true });
}
