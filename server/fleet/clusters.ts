// Corruption clusters: the same component family broken on many devices, and the updates it blocks.
import type { Cluster } from '../../protocol/fleet-api';
import type { CorruptionKind, CorruptionSource } from '../../protocol/report';
import type { DeviceFacts } from './device-state';
import { timeOf } from './device-state';

/**
 * A failed update and open corruption "co-occur" on a device when the failure happened within this
 * many days of any open evidence of the family (before or after it). Servicing writes the CSI
 * errors seconds before the failure, and RestoreHealth confirms them minutes to weeks later.
 */
export const CO_OCCURRENCE_DAYS = 30;
const WINDOW_MS = CO_OCCURRENCE_DAYS * 86_400_000;

/** What one device contributes to the cluster of one family. */
export interface DeviceClusterFacts {
  family: string;
  versions: Set<string>;
  files: Set<string>;
  kinds: Set<CorruptionKind>;
  sources: Set<CorruptionSource>;
  /** Component keys the log named in full (`amd64_dual_wpdmtp.inf_31bf…_10.0.19041.746_none_…`). */
  components: Set<string>;
  blockedKbs: Set<string>;
  hresults: Set<string>;
  firstSeenAt: string;
  lastSeenAt: string;
}

const clusterFactsCache = new WeakMap<DeviceFacts, ReadonlyMap<string, DeviceClusterFacts>>();

/**
 * Open corruption of a device grouped by family, each with the failed updates it co-occurs with.
 * Computed once per DeviceFacts: counters, remediation and the projection all ask for it.
 */
export function deviceClusterFacts(facts: DeviceFacts): ReadonlyMap<string, DeviceClusterFacts> {
  let cached = clusterFactsCache.get(facts);
  if (!cached) clusterFactsCache.set(facts, (cached = computeClusterFacts(facts)));
  return cached;
}

function computeClusterFacts(facts: DeviceFacts): Map<string, DeviceClusterFacts> {
  const byFamily = new Map<string, DeviceClusterFacts>();
  for (const item of facts.openCorruption) {
    let entry = byFamily.get(item.family);
    if (!entry) byFamily.set(item.family, (entry = emptyClusterFacts(item.family, item.at)));
    if (item.version) entry.versions.add(item.version);
    if (item.file) entry.files.add(item.file);
    if (item.component && isFullComponentKey(item.component)) entry.components.add(item.component);
    entry.kinds.add(item.kind);
    entry.sources.add(item.source);
    widenSeen(entry, item.at, item.at);
  }
  for (const entry of byFamily.values()) {
    const evidenceTimes = facts.openCorruption.filter((item) => item.family === entry.family).map((item) => timeOf(item.at));
    const coOccurs = (at: string | null) => at === null || evidenceTimes.some((time) => Math.abs(time - timeOf(at)) <= WINDOW_MS);
    for (const failure of facts.openFailures) {
      if (!coOccurs(failure.at)) continue;
      if (failure.kb) entry.blockedKbs.add(failure.kb);
      entry.hresults.add(failure.hresult);
    }
    for (const pkg of facts.state.packages) {
      if (pkg.state !== 'Failed' || !pkg.kb || !facts.hasFailed(pkg.kb) || !coOccurs(pkg.lastChangeAt)) continue;
      entry.blockedKbs.add(pkg.kb);
      if (pkg.lastResult) entry.hresults.add(pkg.lastResult);
    }
  }
  return byFamily;
}

/**
 * A full WinSxS component key: arch, name, public key token, version, culture and hash, with no
 * `..` shortening and no truncation (`amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5`).
 */
export function isFullComponentKey(key: string): boolean {
  return /^[a-z0-9]+_[^\\\s]+_[0-9a-f]{16}_\d+\.\d+\.\d+\.\d+_[a-z-]+_[0-9a-f]{16}$/i.test(key) && !key.includes('..');
}

const sorted = <T extends string>(values: Iterable<T>): T[] => [...values].sort(compareText);

function emptyClusterFacts(family: string, at: string): DeviceClusterFacts {
  return {
    family,
    versions: new Set(),
    files: new Set(),
    kinds: new Set(),
    sources: new Set(),
    components: new Set(),
    blockedKbs: new Set(),
    hresults: new Set(),
    firstSeenAt: at,
    lastSeenAt: at,
  };
}

function widenSeen(entry: DeviceClusterFacts, firstAt: string, lastAt: string): void {
  if (timeOf(firstAt) < timeOf(entry.firstSeenAt)) entry.firstSeenAt = firstAt;
  if (timeOf(lastAt) > timeOf(entry.lastSeenAt)) entry.lastSeenAt = lastAt;
}

const SET_FIELDS = ['versions', 'files', 'kinds', 'sources', 'components', 'blockedKbs', 'hresults'] as const;

/** Clusters across devices, most devices first (then family name), from each device's facts. */
export function buildClusters(devices: Iterable<DeviceFacts>): Cluster[] {
  const merged = new Map<string, { count: number; facts: DeviceClusterFacts }>();
  for (const device of devices) {
    for (const [family, own] of deviceClusterFacts(device)) {
      let seen = merged.get(family);
      if (!seen) merged.set(family, (seen = { count: 0, facts: emptyClusterFacts(family, own.firstSeenAt) }));
      seen.count += 1;
      for (const key of SET_FIELDS) for (const value of own[key]) (seen.facts[key] as Set<string>).add(value);
      widenSeen(seen.facts, own.firstSeenAt, own.lastSeenAt);
    }
  }
  return [...merged.values()]
    .map(({ count, facts }) => clusterOf(facts, count))
    .sort((a, b) => b.deviceCount - a.deviceCount || compareText(a.family, b.family));
}

function clusterOf(facts: DeviceClusterFacts, deviceCount: number): Cluster {
  return {
    family: facts.family,
    deviceCount,
    versions: sortVersions(facts.versions),
    files: sorted(facts.files),
    kinds: sorted(facts.kinds),
    sources: sorted(facts.sources),
    blockedKbs: sorted(facts.blockedKbs),
    hresults: sorted(facts.hresults),
    firstSeenAt: new Date(timeOf(facts.firstSeenAt)).toISOString(),
    lastSeenAt: new Date(timeOf(facts.lastSeenAt)).toISOString(),
  };
}

/** Dotted versions in numeric order (10.0.19041.746 before 10.0.19041.3636). */
export function sortVersions(versions: Iterable<string>): string[] {
  return [...versions].sort((a, b) => {
    const left = a.split('.').map(Number);
    const right = b.split('.').map(Number);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const diff = (left[i] ?? 0) - (right[i] ?? 0);
      if (diff !== 0 && !Number.isNaN(diff)) return diff;
    }
    return compareText(a, b);
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
