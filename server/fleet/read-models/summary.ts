// The fleet overview: device totals, failing and corrupt devices, open clusters, compliance, and the KB and error-code tables.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { ErrorSummary, FleetSummary, KbSummary } from '../../../protocol/fleet-api';
import { lookupHresult } from '../../../protocol/hresult';
import type { Clock } from '../../clock';
import { DEVICE_COUNTERS } from '../../storage/counter-keys';
import type { CounterRepository } from '../../storage/repository';
import type { FleetSettingsService } from '../fleet-settings';
import { TYPICAL_FIXES } from '../rules/hresult-fixes';
import type { Baselines } from './baselines';

export class FleetOverview {
  constructor(
    private readonly counters: CounterRepository,
    private readonly baselines: Baselines,
    private readonly settings: FleetSettingsService,
    private readonly catalog: UpdateCatalog,
    private readonly clock: Clock,
  ) {}

  async summary(): Promise<FleetSummary> {
    const [total, stale, fleet, families, compliance, settings] = await Promise.all([
      this.counters.get(DEVICE_COUNTERS.total),
      this.counters.get(DEVICE_COUNTERS.stale),
      this.counters.scope('fleet'),
      this.counters.scope('family'),
      this.baselines.compliance(),
      this.settings.get(),
    ]);
    const devices = { total, reporting: total - stale, stale };
    const fleetCount = (name: 'failing' | 'corrupt') => fleet.find((counter) => counter.key.name === name)?.value ?? 0;
    return {
      devices,
      ...devices,
      failingDevices: fleetCount('failing'),
      devicesWithCorruption: fleetCount('corrupt'),
      openClusters: families.filter((counter) => counter.value > 0).length,
      compliance,
      staleAfterHours: settings.staleAfterHours,
      generatedAt: new Date(this.clock.now()).toISOString(),
    };
  }

  /** Devices per KB and state, newest KB first. */
  async kbs(): Promise<KbSummary[]> {
    const byKb = new Map<string, KbSummary>();
    for (const { key, value } of await this.counters.scope('kb_state')) {
      if (value <= 0) continue;
      let summary = byKb.get(key.kb);
      if (!summary) {
        const entry = [...this.catalog.entriesForKb(key.kb)].sort((a, b) => b.major - a.major)[0];
        summary = { kb: key.kb, states: {}, devices: 0, releaseDate: entry?.releaseDate ?? null, build: entry?.build ?? null };
        byKb.set(key.kb, summary);
      }
      summary.states[key.state] = value;
      summary.devices += value;
    }
    return [...byKb.values()].sort((a, b) => Number(b.kb.slice(2)) - Number(a.kb.slice(2)));
  }

  /** Open error codes by the number of devices they hold up, each with its KBs and a typical fix. */
  async errors(): Promise<ErrorSummary[]> {
    const [codes, codeKbs] = await Promise.all([this.counters.scope('hresult'), this.counters.scope('hresult_kb')]);
    const kbsOf = new Map<string, { kb: string; deviceCount: number }[]>();
    for (const { key, value } of codeKbs) {
      if (value > 0) kbsOf.set(key.hresult, [...(kbsOf.get(key.hresult) ?? []), { kb: key.kb, deviceCount: value }]);
    }
    return codes
      .filter((counter) => counter.value > 0)
      .map(({ key, value: deviceCount }) => {
        const info = lookupHresult(key.hresult);
        return {
          hresult: key.hresult,
          name: info?.name ?? null,
          meaning: info?.meaning ?? null,
          typicalFix: TYPICAL_FIXES[key.hresult] ?? null,
          deviceCount,
          kbs: (kbsOf.get(key.hresult) ?? []).sort((a, b) => b.deviceCount - a.deviceCount || a.kb.localeCompare(b.kb)),
        };
      })
      .sort((a, b) => b.deviceCount - a.deviceCount || a.hresult.localeCompare(b.hresult));
  }
}
