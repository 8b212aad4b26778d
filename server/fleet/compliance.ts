// Baseline compliance: whether one device meets "KB required on build X by date", and fleet percentages.
import { servicingFamily } from '../../protocol/catalog';
import type { Baseline, BaselineCompliance, ComplianceStatus } from '../../protocol/fleet-api';
import type { DeviceFacts } from './device-state';

/** True when the baseline targets this device: its exact OS build major (19045) or its servicing family (19041). */
export function baselineApplies(baseline: Pick<Baseline, 'appliesTo'>, facts: DeviceFacts): boolean {
  const build = facts.build;
  if (!build) return false;
  return build.major === baseline.appliesTo || servicingFamily(build.major) === baseline.appliesTo;
}

/**
 * The device's standing against one baseline, or null when the baseline does not apply to it.
 * `unsatisfied` is split into missing / overdue by the due date at read time (see `statusAt`),
 * so stored counters do not go stale when a due date passes.
 */
export function baselineStanding(baseline: Baseline, facts: DeviceFacts): 'compliant' | 'pending' | 'failed' | 'unsatisfied' | null {
  if (!baselineApplies(baseline, facts)) return null;
  if (facts.hasInstalled(baseline.kb)) return 'compliant';
  if (facts.isPending(baseline.kb)) return 'pending';
  if (facts.hasFailed(baseline.kb)) return 'failed';
  return 'unsatisfied';
}

/** Resolves a stored standing into the status a user sees at `now`. */
export function statusAt(standing: ReturnType<typeof baselineStanding> & string, baseline: Baseline, now: Date): ComplianceStatus {
  if (standing !== 'unsatisfied') return standing;
  return isPastDue(baseline, now) ? 'overdue' : 'missing';
}

/** Due at the end of the due date (UTC), so "by 2024-10-01" still allows installs on that day. */
export function isPastDue(baseline: Pick<Baseline, 'dueDate'>, now: Date): boolean {
  return now.getTime() >= Date.parse(`${baseline.dueDate}T00:00:00Z`) + 86_400_000;
}

export interface StandingCounts {
  compliant: number;
  pending: number;
  failed: number;
  unsatisfied: number;
}

/** Fleet figures for one baseline from its per-standing device counts. */
export function complianceSummary(baseline: Baseline, counts: StandingCounts, now: Date): Omit<BaselineCompliance, 'evaluating'> {
  const applicable = counts.compliant + counts.pending + counts.failed + counts.unsatisfied;
  const pastDue = isPastDue(baseline, now);
  return {
    baseline,
    applicable,
    compliant: counts.compliant,
    pending: counts.pending,
    failed: counts.failed,
    missing: pastDue ? 0 : counts.unsatisfied,
    overdue: pastDue ? counts.unsatisfied : 0,
    compliancePercent: applicable === 0 ? 100 : Math.round((counts.compliant / applicable) * 10_000) / 100,
  };
}
