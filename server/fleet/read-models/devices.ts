// The device list (fact filters, sort, cursor pages) and one device's detail with its compliance, clusters and remediation.
import type { UpdateCatalog } from '../../../protocol/catalog';
import type { DeviceListItem, DeviceListQuery, Donor, RemediationStep } from '../../../protocol/fleet-api';
import { lookupHresult } from '../../../protocol/hresult';
import type { Clock } from '../../clock';
import type { CounterKey } from '../../storage/counter-keys';
import type { CounterRepository, DeviceRepository } from '../../storage/repository';
import { deviceClusterFacts } from '../clusters';
import { baselineStanding, statusAt } from '../compliance';
import { DeviceFacts, stateFromSections } from '../device-state';
import type { DeviceListRow, FactFilter, FleetDeviceIndex } from '../fleet-store';
import type { FleetSettingsService } from '../fleet-settings';
import { deviceSubject, recommendRemediation } from '../remediation';
import type { Baselines } from './baselines';
import type { DonorSearch } from './donors';
import { iso } from '../../../protocol/units';


export interface DeviceReadModelOptions {
  index: FleetDeviceIndex;
  devices: DeviceRepository;
  counters: CounterRepository;
  baselines: Baselines;
  settings: FleetSettingsService;
  donors: DonorSearch;
  catalog: UpdateCatalog;
  clock: Clock;
}

export class DeviceReadModel {
  constructor(private readonly options: DeviceReadModelOptions) {}

  /** One page of the device list; `nextCursor` continues after its last row. */
  async list(query: DeviceListQuery): Promise<{ items: DeviceListItem[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.options.index.listDevices({
      facts: await this.factFilters(query),
      q: query.q,
      osBuild: query.osBuild,
      stale: query.stale,
      sort: query.sort,
      order: query.order,
      limit: query.limit + 1,
      after,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? encodeCursor(query.sort === 'hostname' ? last.hostname : query.sort === 'lastSeen' ? last.lastSeenAt : last.id, last.id) : null;
    return { items: await this.items(page), nextCursor };
  }

  /**
   * The query's filters on counted facts, each resolved to the counter keys that match and how many
   * devices hold them: a KB in a state is one key, a KB in any state or a state of any KB is every such
   * key the counters hold.
   */
  private async factFilters(query: DeviceListQuery): Promise<FactFilter[]> {
    const { counters } = this.options;
    const exact = async (key: CounterKey): Promise<FactFilter> => ({ keys: [key], exclusive: true, devices: await counters.get(key) });
    const facts: FactFilter[] = [];
    if (query.kb && query.state) facts.push(await exact({ scope: 'kb_state', kb: query.kb, state: query.state }));
    else if (query.kb || query.state) {
      const matching = (await counters.scope('kb_state')).filter(({ key, value }) => value > 0 && (query.kb ? key.kb === query.kb : key.state === query.state));
      facts.push({
        keys: matching.map(({ key }) => key),
        // A device has one state per KB, so one KB's states exclude each other; one state's KBs do not.
        exclusive: query.kb !== undefined,
        devices: matching.reduce((sum, { value }) => sum + value, 0),
      });
    }
    if (query.hresult) facts.push(await exact({ scope: 'hresult', hresult: query.hresult }));
    if (query.family) facts.push(await exact({ scope: 'family', family: query.family }));
    return facts;
  }

  /** List items for device rows: the rows with their failed KBs, open error codes and corrupt families. */
  async items(rows: DeviceListRow[]): Promise<DeviceListItem[]> {
    const facts = await this.options.index.factsOf(
      rows.map((row) => row.id),
      ['kb_state', 'hresult', 'family'],
    );
    return rows.map((row) => {
      const keys = facts.get(row.id) ?? [];
      const failedKbs: string[] = [];
      const hresults: string[] = [];
      const corruptFamilies: string[] = [];
      for (const key of keys) {
        if (key.scope === 'kb_state' && key.state === 'Failed') failedKbs.push(key.kb);
        else if (key.scope === 'hresult') hresults.push(key.hresult);
        else if (key.scope === 'family') corruptFamilies.push(key.family);
      }
      return {
        id: row.id,
        hostname: row.hostname,
        osBuild: row.osBuild,
        lastSeenAt: iso(row.lastSeenAt),
        stale: row.stale,
        failedKbs: failedKbs.sort(),
        hresults: hresults.sort(),
        corruptFamilies: corruptFamilies.sort(),
      };
    });
  }

  /** The device with its sections, compliance, open clusters and recommended remediation; null when unknown. */
  async detail(id: string) {
    const { catalog, clock } = this.options;
    const stored = await this.options.devices.get(id);
    if (!stored) return null;
    const facts = new DeviceFacts(stateFromSections(stored), catalog);
    const fleetVersions = new Map<string, string[]>();
    for (const { key, value } of await this.options.counters.scope('family_version')) {
      if (value > 0) fleetVersions.set(key.family, [...(fleetVersions.get(key.family) ?? []), key.value]);
    }
    const subject = deviceSubject(facts, (family) => fleetVersions.get(family) ?? []);
    const donors = new Map<string, Donor[]>();
    if (subject.sourceMissingEvidence && facts.build) {
      for (const family of subject.families) {
        donors.set(family.family, await this.options.donors.find(family.family, facts.build.major, subject.failedKbs.map((item) => item.kb), facts.id));
      }
    }
    const settings = await this.options.settings.get();
    const remediation: RemediationStep[] = recommendRemediation(subject, { catalog, donors, repairSource: settings.repairSource });
    const now = new Date(clock.now());
    // The key that set the state (its sequence epoch) is the server's bookkeeping, not the device's.
    const { keyId: _keyId, ...device } = stored.device;
    return {
      device: { ...device, firstSeenAt: iso(device.firstSeenAt), lastSeenAt: iso(device.lastSeenAt) },
      packages: stored.packages,
      failures: stored.failures.map((failure) => ({ ...failure, hresultInfo: lookupHresult(failure.hresult), open: facts.openFailures.includes(failure) })),
      corruption: stored.corruption.map((item) => ({ ...item, open: facts.openCorruption.includes(item) })),
      scans: stored.scans,
      hotfixes: stored.hotfixes,
      kbs: Object.fromEntries([...facts.kbStates.keys()].sort().map((kb) => [kb, facts.kbStatus(kb)])),
      compliance: this.options.baselines.current.flatMap((baseline) => {
        const standing = baselineStanding(baseline, facts);
        return standing ? [{ baselineId: baseline.id, kb: baseline.kb, dueDate: baseline.dueDate, status: statusAt(standing, baseline, now) }] : [];
      }),
      clusters: [...deviceClusterFacts(facts).keys()].sort(),
      remediation,
    };
  }
}

export function encodeCursor(value: string | number, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { value: string | number; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') && typeof parsed[1] === 'string') {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new CursorError();
}

export class CursorError extends Error {
  constructor() {
    super('The cursor is not one this server issued; start again without it.');
  }
}
