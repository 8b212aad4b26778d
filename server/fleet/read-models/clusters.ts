// Corruption clusters: every open family with its details, and one cluster's remediation, devices and devices-over-time.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { Cluster } from '../../../protocol/fleet-api';
import type { Clock } from '../../clock';
import { FAMILY_DETAIL_SCOPES, type FamilyDetailScope } from '../../storage/counter-keys';
import type { CounterRepository } from '../../storage/repository';
import { sortVersions } from '../clusters';
import type { FleetDeviceIndex } from '../fleet-store';
import type { FleetSettingsService } from '../fleet-settings';
import { clusterSubject, recommendRemediation } from '../remediation';
import type { DeviceReadModel } from './devices';
import type { DonorSearch } from './donors';
import type { Trends } from './trends';
import { iso } from '../../../protocol/units';

/** The drill-down's devices-over-time series reaches back this far. */
const SERIES_DAYS = 400;

export interface ClusterReadModelOptions {
  counters: CounterRepository;
  index: FleetDeviceIndex;
  devices: DeviceReadModel;
  donors: DonorSearch;
  trends: Trends;
  settings: FleetSettingsService;
  catalog: UpdateCatalog;
  clock: Clock;
}

export class ClusterReadModel {
  constructor(private readonly options: ClusterReadModelOptions) {}

  /** Every open family, most devices first. */
  async list(): Promise<Cluster[]> {
    const { counters, index } = this.options;
    const [families, spans, ...details] = await Promise.all([counters.scope('family'), index.familySpans(), ...FAMILY_DETAIL_SCOPES.map((scope) => counters.scope(scope))]);
    const values = new Map<string, Map<FamilyDetailScope, string[]>>();
    for (const counted of details) {
      for (const { key, value } of counted) {
        if (value <= 0) continue;
        let perScope = values.get(key.family);
        if (!perScope) values.set(key.family, (perScope = new Map()));
        perScope.set(key.scope, [...(perScope.get(key.scope) ?? []), key.value]);
      }
    }
    const list = (family: string, scope: FamilyDetailScope) => [...(values.get(family)?.get(scope) ?? [])].sort();
    return families
      .filter((counter) => counter.value > 0)
      .map(({ key: { family }, value: deviceCount }): Cluster => {
        const span = spans.get(family);
        return {
          family,
          deviceCount,
          versions: sortVersions(list(family, 'family_version')),
          files: list(family, 'family_file'),
          kinds: list(family, 'family_kind') as Cluster['kinds'],
          sources: list(family, 'family_source') as Cluster['sources'],
          blockedKbs: list(family, 'family_blocked_kb'),
          hresults: list(family, 'family_hresult'),
          firstSeenAt: iso(span?.firstSeenAt ?? 0),
          lastSeenAt: iso(span?.lastSeenAt ?? 0),
        };
      })
      .sort((a, b) => b.deviceCount - a.deviceCount || (a.family < b.family ? -1 : 1));
  }

  /** One cluster with its remediation, a page of its devices and its devices-over-time series; null when not open. */
  async detail(family: string, page: { limit: number; cursor: string | null }) {
    const cluster = (await this.list()).find((item) => item.family === family);
    if (!cluster) return null;
    const { counters, catalog } = this.options;
    const [components, builds, sourceMissing] = await Promise.all([
      counters.scope('family_component'),
      counters.scope('family_build'),
      counters.get({ scope: 'family_source_missing', family }),
    ]);
    const ofFamily = <T extends { key: { family: string }; value: number }>(counted: T[]) => counted.filter(({ key, value }) => value > 0 && key.family === family);
    const familyBuilds = ofFamily(builds);
    const topBuild = [...familyBuilds].sort((a, b) => b.value - a.value)[0];
    const subject = clusterSubject(
      cluster,
      ofFamily(components).map(({ key }) => key.value),
      sourceMissing,
    );
    const donors = topBuild && subject.sourceMissingEvidence ? await this.options.donors.find(family, topBuild.key.major, cluster.blockedKbs, null) : [];
    const settings = await this.options.settings.get();
    const remediation = recommendRemediation(subject, { catalog, donors: new Map([[family, donors]]), repairSource: settings.repairSource });
    const rows = await this.options.index.familyDevices(family, page.limit + 1, page.cursor);
    const series = await this.options.trends.familySeries(family, SERIES_DAYS);
    return {
      cluster,
      builds: Object.fromEntries(familyBuilds.map(({ key, value }) => [String(key.major), value])),
      remediation,
      devices: await this.options.devices.items(rows.slice(0, page.limit)),
      nextCursor: rows.length > page.limit ? (rows[page.limit - 1]?.id ?? null) : null,
      series,
    };
  }
}
