// The fleet ingest projection: decides a device's fleet facts from its state and moves the counters by the difference; its store reads and writes them.
import type { UpdateCatalog } from '../../protocol/catalog';
import type { Baseline } from '../../protocol/fleet-api';
import { counterId, type CounterKey, type CounterValues } from '../storage/counter-keys';
import type { DeviceStateChange } from '../storage/device-state';
import type { IngestProjection, ProjectionTx } from '../storage/repository';
import { deviceClusterFacts } from './clusters';
import { contributionDelta, deviceContributions } from './contributions';
import { DeviceFacts, timeOf, type DeviceState } from './device-state';
import type { FleetFactsChange, FleetFactsDecision, FleetFactsInput, FleetFactsStore, StoredFleetFacts } from './fleet-store';

/**
 * What changes for one device whose facts are now `facts`: the counter keys it gains and loses (+1/-1), its
 * open families with their evidence spans, and, per family that opened or closed, the day's detected or
 * repaired counter.
 */
export function nextFleetFacts(facts: DeviceFacts, stored: StoredFleetFacts, baselines: readonly Baseline[], now: number): FleetFactsChange {
  const before = new Map(stored.keys.map((key) => [counterId(key), key]));
  const { added, removed } = contributionDelta(before, deviceContributions(facts, baselines));
  const counters: [CounterKey, number][] = [...added.map((key): [CounterKey, number] => [key, 1]), ...removed.map((key): [CounterKey, number] => [key, -1])];

  const day = new Date(now).toISOString().slice(0, 10);
  const openNow = deviceClusterFacts(facts);
  const open = [...openNow].map(([family, entry]) => ({ family, firstSeenAt: timeOf(entry.firstSeenAt), lastSeenAt: timeOf(entry.lastSeenAt) }));
  for (const family of openNow.keys()) if (!stored.families.has(family)) counters.push([{ scope: 'family_detected_day', day, family }, 1]);
  const closed = [...stored.families].filter((family) => !openNow.has(family));
  for (const family of closed) counters.push([{ scope: 'family_repaired_day', day, family }, 1]);
  return { added, removed, open, closed, counters };
}

/** The device as fleet knowledge reads it, from what the store handed over. */
function stateOf(input: FleetFactsInput): DeviceState {
  return {
    id: input.device.id,
    hostname: input.device.hostname,
    osBuild: input.device.osBuild,
    lastSeenAt: new Date(input.device.lastSeenAt).toISOString(),
    ...input.sections,
  };
}

/** Keeps the fleet facts and counters in step with each report that changed a device's sections or OS build. */
export class FleetProjection implements IngestProjection {
  readonly name = 'fleet';

  constructor(
    private readonly store: FleetFactsStore,
    private readonly catalog: UpdateCatalog,
    private readonly baselines: () => readonly Baseline[],
  ) {}

  apply(tx: ProjectionTx, change: DeviceStateChange): void | Promise<void> {
    const unchanged = change.before !== null && Object.keys(change.sections).length === 0 && change.before.osBuild === change.after.osBuild;
    if (unchanged) return;
    return this.store.update(tx, change, this.decision(this.baselines(), tx.now));
  }

  /** Re-decides these devices against `baselines` (after a baseline change); returns the counters that moved. */
  reproject(deviceIds: readonly string[], baselines: readonly Baseline[], now: number): Promise<CounterValues> {
    return this.store.reproject(deviceIds, this.decision(baselines, now));
  }

  private decision(baselines: readonly Baseline[], now: number): FleetFactsDecision {
    return (input) => nextFleetFacts(new DeviceFacts(stateOf(input), this.catalog), input.stored, baselines, now);
  }
}
