// What one device adds to the fleet counters: a set of counter keys, diffed before/after on ingest.
import type { Baseline } from '../../protocol/fleet-api';
import { counterId, type CounterKey } from '../storage/counter-keys';
import { baselineStanding } from './compliance';
import { deviceClusterFacts } from './clusters';
import type { DeviceFacts } from './device-state';
import { sourceMissingEvidence } from './remediation';

/** A device's counter keys by `counterId`, so sets of them can be diffed. */
export type Contributions = ReadonlyMap<string, CounterKey>;

/** Every fact this device contributes to the fleet counters (each key at most once). */
export function deviceContributions(facts: DeviceFacts, baselines: readonly Baseline[]): Map<string, CounterKey> {
  const out = new Map<string, CounterKey>();
  const add = (key: CounterKey) => out.set(counterId(key), key);

  if (facts.state.osBuild) add({ scope: 'os_build', osBuild: facts.state.osBuild });
  for (const kb of facts.kbStates.keys()) add({ scope: 'kb_state', kb, state: facts.kbStatus(kb) ?? 'Absent' });

  for (const hresult of facts.errorCodes()) add({ scope: 'hresult', hresult });
  for (const failure of facts.openFailures) if (failure.kb) add({ scope: 'hresult_kb', hresult: failure.hresult, kb: failure.kb });
  const failedKbs = [...facts.kbStates.keys()].filter((kb) => facts.hasFailed(kb));
  if (facts.openFailures.length > 0 || failedKbs.length > 0) add({ scope: 'fleet', name: 'failing' });

  const clusters = deviceClusterFacts(facts);
  const sourceMissing = sourceMissingEvidence(facts) !== null;
  if (clusters.size > 0) add({ scope: 'fleet', name: 'corrupt' });
  for (const [family, entry] of clusters) {
    add({ scope: 'family', family });
    for (const value of entry.versions) add({ scope: 'family_version', family, value });
    for (const value of entry.files) add({ scope: 'family_file', family, value });
    for (const value of entry.kinds) add({ scope: 'family_kind', family, value });
    for (const value of entry.sources) add({ scope: 'family_source', family, value });
    for (const value of entry.components) add({ scope: 'family_component', family, value });
    for (const value of entry.blockedKbs) add({ scope: 'family_blocked_kb', family, value });
    for (const value of entry.hresults) add({ scope: 'family_hresult', family, value });
    if (facts.build) add({ scope: 'family_build', family, major: facts.build.major });
    if (sourceMissing) add({ scope: 'family_source_missing', family });
  }

  for (const baseline of baselines) {
    const standing = baselineStanding(baseline, facts);
    if (standing) add({ scope: 'baseline', baselineId: baseline.id, standing });
  }
  return out;
}

/** The keys that turn `before` into `after`: gained ones count +1, lost ones -1. */
export function contributionDelta(before: Contributions, after: Contributions): { added: CounterKey[]; removed: CounterKey[] } {
  const added: CounterKey[] = [];
  const removed: CounterKey[] = [];
  for (const [id, key] of after) if (!before.has(id)) added.push(key);
  for (const [id, key] of before) if (!after.has(id)) removed.push(key);
  return { added, removed };
}
