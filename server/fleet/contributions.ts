// What one device adds to the fleet counters: a set of (scope, key) pairs, diffed before/after on ingest.
import type { Baseline } from '../../protocol/fleet-api';
import { baselineStanding } from './compliance';
import { deviceClusterFacts } from './clusters';
import type { DeviceFacts } from './device-state';
import { sourceMissingEvidence } from './remediation';

/**
 * Counter scopes. Each counts devices, so every device contributes each (scope, key) at most once
 * and a counter is the number of devices that have the fact. Multi-part keys are joined by TAB.
 */
export const FLEET_SCOPES = {
  /** `failing` (an open failure or a failed KB), `corrupt` (open corruption). */
  fleet: 'fleet',
  /** `KB5043064\tFailed`: one state per KB per device. */
  kbState: 'kb_state',
  /** `0x8007000d`. */
  hresult: 'hresult',
  /** `0x8007000d\tKB5043064`: open failures of a KB with a code. */
  hresultKb: 'hresult_kb',
  /** `dual_wpdmtp.inf`: devices with open corruption of the family. */
  family: 'family',
  familyVersion: 'family_version',
  familyFile: 'family_file',
  familyKind: 'family_kind',
  familySource: 'family_source',
  familyComponent: 'family_component',
  /** `dual_wpdmtp.inf\tKB5043064`: the family's blockedKbs. */
  familyBlockedKb: 'family_blocked_kb',
  familyHresult: 'family_hresult',
  /** `dual_wpdmtp.inf\t19045`: OS build majors of the family's devices (cluster remediation). */
  familyBuild: 'family_build',
  /** `dual_wpdmtp.inf`: devices where DISM reported no replacement payload. */
  familySourceMissing: 'family_source_missing',
  /** `3\tcompliant`: baseline id × standing. */
  baseline: 'baseline',
  /** `19045.4894`: devices per OS build. */
  osBuild: 'os_build',
} as const;

/** Day-keyed counters of devices whose corruption of a family opened or closed that UTC day (`2024-11-21\tfamily`). */
export const DAY_SCOPES = { detected: 'family_detected_day', repaired: 'family_repaired_day' } as const;

export const FLEET_KEYS = { failing: 'failing', corrupt: 'corrupt' } as const;

/** A contribution as `scope\u0000key` so sets of them can be diffed. */
export type ContributionId = string;

export function contributionId(scope: string, key: string): ContributionId {
  return `${scope}\u0000${key}`;
}

export function splitContribution(id: ContributionId): [scope: string, key: string] {
  const at = id.indexOf('\u0000');
  return [id.slice(0, at), id.slice(at + 1)];
}

export const joinKey = (...parts: (string | number)[]): string => parts.join('\t');

/** Every fact this device contributes to the fleet counters. */
export function deviceContributions(facts: DeviceFacts, baselines: readonly Baseline[]): Set<ContributionId> {
  const out = new Set<ContributionId>();
  const add = (scope: string, key: string) => out.add(contributionId(scope, key));

  if (facts.state.osBuild) add(FLEET_SCOPES.osBuild, facts.state.osBuild);
  for (const kb of facts.kbStates.keys()) add(FLEET_SCOPES.kbState, joinKey(kb, facts.kbStatus(kb) ?? 'Absent'));

  const codes = facts.errorCodes();
  for (const code of codes) add(FLEET_SCOPES.hresult, code);
  for (const failure of facts.openFailures) if (failure.kb) add(FLEET_SCOPES.hresultKb, joinKey(failure.hresult, failure.kb));
  const failedKbs = [...facts.kbStates.keys()].filter((kb) => facts.hasFailed(kb));
  if (facts.openFailures.length > 0 || failedKbs.length > 0) add(FLEET_SCOPES.fleet, FLEET_KEYS.failing);

  const clusters = deviceClusterFacts(facts);
  const sourceMissing = sourceMissingEvidence(facts) !== null;
  if (clusters.size > 0) add(FLEET_SCOPES.fleet, FLEET_KEYS.corrupt);
  for (const [family, entry] of clusters) {
    add(FLEET_SCOPES.family, family);
    for (const version of entry.versions) add(FLEET_SCOPES.familyVersion, joinKey(family, version));
    for (const file of entry.files) add(FLEET_SCOPES.familyFile, joinKey(family, file));
    for (const kind of entry.kinds) add(FLEET_SCOPES.familyKind, joinKey(family, kind));
    for (const source of entry.sources) add(FLEET_SCOPES.familySource, joinKey(family, source));
    for (const component of entry.components) add(FLEET_SCOPES.familyComponent, joinKey(family, component));
    for (const kb of entry.blockedKbs) add(FLEET_SCOPES.familyBlockedKb, joinKey(family, kb));
    for (const code of entry.hresults) add(FLEET_SCOPES.familyHresult, joinKey(family, code));
    if (facts.build) add(FLEET_SCOPES.familyBuild, joinKey(family, facts.build.major));
    if (sourceMissing) add(FLEET_SCOPES.familySourceMissing, family);
  }

  for (const baseline of baselines) {
    const standing = baselineStanding(baseline, facts);
    if (standing) add(FLEET_SCOPES.baseline, joinKey(baseline.id, standing));
  }
  return out;
}

/** The counter changes that turn `before` into `after`: +1 for facts gained, -1 for facts lost. */
export function contributionDelta(before: ReadonlySet<ContributionId>, after: ReadonlySet<ContributionId>): { added: ContributionId[]; removed: ContributionId[] } {
  const added: ContributionId[] = [];
  const removed: ContributionId[] = [];
  for (const id of after) if (!before.has(id)) added.push(id);
  for (const id of before) if (!after.has(id)) removed.push(id);
  return { added, removed };
}
