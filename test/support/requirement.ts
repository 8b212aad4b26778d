// What a test needs from the machine (a browser, root for a mount): outside CI a missing piece skips with how to get it; under CI=true it fails.

/**
 * Null when the requirement is met. Otherwise, outside CI, the skip reason (which should name the
 * install command or permission needed); under `CI=true` it throws, so a CI machine can never pass
 * a suite by silently skipping it.
 */
export function missingRequirement(problem: string | null): string | null {
  if (problem === null) return null;
  if (process.env.CI === 'true') throw new Error(`${problem} (CI=true: this test must run here, so it fails instead of skipping)`);
  return problem;
}
