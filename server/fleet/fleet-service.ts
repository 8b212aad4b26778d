// Fleet knowledge service: answers every fleet question from counters and indexed facts, and runs the fleet jobs.
import { servicingFamily, type UpdateCatalog } from '../../protocol/catalog';
import type {
  Alert,
  AlertKind,
  Baseline,
  BaselineCompliance,
  BaselineInput,
  Cluster,
  DeviceListItem,
  DeviceListQuery,
  Donor,
  ErrorSummary,
  FleetSettings,
  FleetSummary,
  KbSummary,
  RemediationStep,
  TrendPoint,
} from '../../protocol/fleet-api';
import { baselineTrendEntry, fleetSettingsSchema } from '../../protocol/fleet-api';
import { lookupHresult } from '../../protocol/hresult';
import type { PackageState } from '../../protocol/report';
import { iso } from '../../protocol/units';
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import type { StoredDeviceState } from '../storage/device-state';
import { DEVICE_COUNTERS } from '../storage/device-state';
import type { CounterValues, Storage } from '../storage/repository';
import { aggregateConditions, diffConditions, staleCondition } from './alerts';
import { baselineStanding, complianceSummary, statusAt, type StandingCounts } from './compliance';
import { deviceClusterFacts, sortVersions } from './clusters';
import { DAY_SCOPES, FLEET_KEYS, FLEET_SCOPES } from './contributions';
import { DeviceFacts, stateFromSections } from './device-state';
import { clusterSubject, deviceSubject, donorOf, recommendRemediation } from './remediation';
import { TYPICAL_FIXES } from './rules/hresult-fixes';
import type { DeviceListRow, FleetStore } from './storage/fleet-store';
import { assertWebhookTarget, type WebhookTargetPolicy } from './webhook-targets';

const SETTINGS_KEY = 'fleet.settings';
const DAY_MS = 86_400_000;
const REPROJECT_BATCH = 500;

export interface FleetServiceOptions {
  storage: Storage;
  store: FleetStore;
  catalog: UpdateCatalog;
  clock: Clock;
  bus: EventBus;
  /** Defaults for settings never saved by an admin. */
  defaults: { staleAfterMs: number };
  /** Baselines as stored at start, so the first ingest already evaluates them. */
  initialBaselines: Baseline[];
  logger?: { error(obj: object, msg: string): void };
}

/** Splits `a\tb` counter keys. */
const split2 = (key: string): [string, string] => {
  const at = key.indexOf('\t');
  return [key.slice(0, at), key.slice(at + 1)];
};
const positive = (values: Record<string, number>) => Object.entries(values).filter(([, value]) => value > 0);

export class FleetService {
  private baselineCache: Baseline[];
  private settingsCache: FleetSettings | null = null;
  private reprojection: Promise<void> | null = null;
  private reprojectAgain = false;

  constructor(private readonly options: FleetServiceOptions) {
    this.baselineCache = options.initialBaselines;
  }

  /**
   * Webhook administration (the secret is stored for signing and never listed). A URL the fleet settings
   * do not allow (http, an internal address) is refused with 400 `webhook_target_refused`.
   */
  get webhooks() {
    const store = this.options.store;
    const now = () => this.options.clock.now();
    return {
      list: () => store.listWebhooks(),
      create: async (input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string) => {
        await assertWebhookTarget(input.url, await this.webhookTargets());
        return store.createWebhook(input, actor, now());
      },
      update: async (id: number, input: { url?: string | undefined; kinds?: AlertKind[] | undefined; enabled?: boolean | undefined; secret?: string | undefined }) => {
        if (input.url !== undefined) await assertWebhookTarget(input.url, await this.webhookTargets());
        return store.updateWebhook(id, input);
      },
      remove: (id: number) => store.deleteWebhook(id),
    };
  }

  /** What the fleet settings allow webhooks to post to beyond https to public addresses (checked again at every delivery). */
  async webhookTargets(): Promise<WebhookTargetPolicy> {
    const settings = await this.settings();
    return { allowHttp: settings.allowHttpWebhooks, allowPrivate: settings.allowPrivateWebhookTargets };
  }

  alerts(query: { limit: number; before?: number | undefined; kind?: AlertKind | undefined; open?: boolean | undefined }): Promise<Alert[]> {
    return this.options.store.listAlerts(query);
  }

  /** The baselines the ingest projection evaluates (kept in memory, refreshed on every change). */
  get baselines(): readonly Baseline[] {
    return this.baselineCache;
  }

  // ---- settings -------------------------------------------------------------------------------------

  async settings(): Promise<FleetSettings> {
    if (this.settingsCache) return this.settingsCache;
    const stored = await this.options.storage.settings.get<Partial<FleetSettings>>(SETTINGS_KEY);
    this.settingsCache = fleetSettingsSchema.parse({
      staleAfterHours: this.options.defaults.staleAfterMs / 3_600_000,
      clusterAlertThreshold: 10,
      complianceAlertPercent: 90,
      trendRetentionDays: 800,
      repairSource: null,
      allowHttpWebhooks: false,
      allowPrivateWebhookTargets: false,
      ...stored,
    });
    return this.settingsCache;
  }

  async updateSettings(patch: Partial<FleetSettings>): Promise<FleetSettings> {
    const next = fleetSettingsSchema.parse({ ...(await this.settings()), ...patch });
    await this.options.storage.settings.put(SETTINGS_KEY, next, this.options.clock.now());
    this.settingsCache = next;
    return next;
  }

  // ---- overview, KBs, errors, clusters -------------------------------------------------------------

  async compliance(): Promise<BaselineCompliance[]> {
    const counts = await this.options.storage.counters.scope(FLEET_SCOPES.baseline);
    const now = new Date(this.options.clock.now());
    return this.baselineCache.map((baseline) => {
      const standing = (name: keyof StandingCounts) => counts[`${baseline.id}\t${name}`] ?? 0;
      const standings = { compliant: standing('compliant'), pending: standing('pending'), failed: standing('failed'), unsatisfied: standing('unsatisfied') };
      return { ...complianceSummary(baseline, standings, now), evaluating: this.reprojection !== null };
    });
  }

  async summary(): Promise<FleetSummary> {
    const counters = this.options.storage.counters;
    const [total, stale, fleet, families, compliance, settings] = await Promise.all([
      counters.get(DEVICE_COUNTERS.scope, DEVICE_COUNTERS.total),
      counters.get(DEVICE_COUNTERS.scope, DEVICE_COUNTERS.stale),
      counters.scope(FLEET_SCOPES.fleet),
      counters.scope(FLEET_SCOPES.family),
      this.compliance(),
      this.settings(),
    ]);
    const devices = { total, reporting: total - stale, stale };
    return {
      devices,
      ...devices,
      failingDevices: fleet[FLEET_KEYS.failing] ?? 0,
      devicesWithCorruption: fleet[FLEET_KEYS.corrupt] ?? 0,
      openClusters: positive(families).length,
      compliance,
      staleAfterHours: settings.staleAfterHours,
      generatedAt: iso(this.options.clock.now()),
    };
  }

  async kbs(): Promise<KbSummary[]> {
    const byKb = new Map<string, KbSummary>();
    for (const [key, value] of positive(await this.options.storage.counters.scope(FLEET_SCOPES.kbState))) {
      const [kb, state] = split2(key);
      let summary = byKb.get(kb);
      if (!summary) {
        const entry = [...this.options.catalog.entriesForKb(kb)].sort((a, b) => b.major - a.major)[0];
        summary = { kb, states: {}, devices: 0, releaseDate: entry?.releaseDate ?? null, build: entry?.build ?? null };
        byKb.set(kb, summary);
      }
      summary.states[state as PackageState] = value;
      summary.devices += value;
    }
    return [...byKb.values()].sort((a, b) => Number(b.kb.slice(2)) - Number(a.kb.slice(2)));
  }

  async errors(): Promise<ErrorSummary[]> {
    const [codes, codeKbs] = await Promise.all([
      this.options.storage.counters.scope(FLEET_SCOPES.hresult),
      this.options.storage.counters.scope(FLEET_SCOPES.hresultKb),
    ]);
    const kbsOf = new Map<string, { kb: string; deviceCount: number }[]>();
    for (const [key, value] of positive(codeKbs)) {
      const [code, kb] = split2(key);
      kbsOf.set(code, [...(kbsOf.get(code) ?? []), { kb, deviceCount: value }]);
    }
    return positive(codes)
      .map(([code, deviceCount]) => {
        const info = lookupHresult(code);
        return {
          hresult: code,
          name: info?.name ?? null,
          meaning: info?.meaning ?? null,
          typicalFix: TYPICAL_FIXES[code] ?? null,
          deviceCount,
          kbs: (kbsOf.get(code) ?? []).sort((a, b) => b.deviceCount - a.deviceCount || a.kb.localeCompare(b.kb)),
        };
      })
      .sort((a, b) => b.deviceCount - a.deviceCount || a.hresult.localeCompare(b.hresult));
  }

  async clusters(): Promise<Cluster[]> {
    const counters = this.options.storage.counters;
    const scopes = [FLEET_SCOPES.familyVersion, FLEET_SCOPES.familyFile, FLEET_SCOPES.familyKind, FLEET_SCOPES.familySource, FLEET_SCOPES.familyBlockedKb, FLEET_SCOPES.familyHresult] as const;
    const [families, spans, ...parts] = await Promise.all([counters.scope(FLEET_SCOPES.family), this.options.store.familySpans(), ...scopes.map((scope) => counters.scope(scope))]);
    const values = new Map<string, Map<string, string[]>>();
    scopes.forEach((scope, index) => {
      for (const [key] of positive(parts[index]!)) {
        const [family, value] = split2(key);
        let perScope = values.get(family);
        if (!perScope) values.set(family, (perScope = new Map()));
        perScope.set(scope, [...(perScope.get(scope) ?? []), value]);
      }
    });
    const list = (family: string, scope: string) => [...(values.get(family)?.get(scope) ?? [])].sort();
    return positive(families)
      .map(([family, deviceCount]): Cluster => {
        const span = spans.get(family);
        return {
          family,
          deviceCount,
          versions: sortVersions(list(family, FLEET_SCOPES.familyVersion)),
          files: list(family, FLEET_SCOPES.familyFile),
          kinds: list(family, FLEET_SCOPES.familyKind) as Cluster['kinds'],
          sources: list(family, FLEET_SCOPES.familySource) as Cluster['sources'],
          blockedKbs: list(family, FLEET_SCOPES.familyBlockedKb),
          hresults: list(family, FLEET_SCOPES.familyHresult),
          firstSeenAt: iso(span?.firstSeenAt ?? 0),
          lastSeenAt: iso(span?.lastSeenAt ?? 0),
        };
      })
      .sort((a, b) => b.deviceCount - a.deviceCount || (a.family < b.family ? -1 : 1));
  }

  /** One cluster with its remediation, a page of its devices and its devices-over-time series. */
  async cluster(family: string, page: { limit: number; cursor: string | null }) {
    const cluster = (await this.clusters()).find((item) => item.family === family);
    if (!cluster) return null;
    const counters = this.options.storage.counters;
    const [components, builds, sourceMissing] = await Promise.all([
      counters.scope(FLEET_SCOPES.familyComponent),
      counters.scope(FLEET_SCOPES.familyBuild),
      counters.get(FLEET_SCOPES.familySourceMissing, family),
    ]);
    const ofFamily = (values: Record<string, number>) => positive(values).map(([key, value]) => [...split2(key), value] as const).filter(([f]) => f === family);
    const topBuild = ofFamily(builds).sort((a, b) => b[2] - a[2])[0];
    const subject = clusterSubject(cluster, ofFamily(components).map(([, component]) => component), sourceMissing);
    const donors = topBuild && subject.sourceMissingEvidence ? await this.findDonors(family, Number(topBuild[1]), cluster.blockedKbs, null) : [];
    const settings = await this.settings();
    const remediation = recommendRemediation(subject, { catalog: this.options.catalog, donors: new Map([[family, donors]]), repairSource: settings.repairSource });
    const rows = await this.options.store.familyDevices(family, page.limit + 1, page.cursor);
    const today = iso(this.options.clock.now()).slice(0, 10);
    const series = (await this.options.store.listSnapshots(iso(this.options.clock.now() - 400 * DAY_MS).slice(0, 10), today)).map((point) => ({
      day: point.day,
      devices: point.families[family]?.open ?? 0,
      detected: point.families[family]?.detected ?? 0,
      repaired: point.families[family]?.repaired ?? 0,
    }));
    return {
      cluster,
      builds: Object.fromEntries(ofFamily(builds).map(([, build, count]) => [build, count])),
      remediation,
      devices: await this.listItems(rows.slice(0, page.limit)),
      nextCursor: rows.length > page.limit ? (rows[page.limit - 1]?.id ?? null) : null,
      series,
    };
  }

  // ---- devices --------------------------------------------------------------------------------------

  async devices(query: DeviceListQuery): Promise<{ items: DeviceListItem[]; nextCursor: string | null }> {
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.options.store.listDevices({ ...query, limit: query.limit + 1 }, after);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > query.limit && last ? encodeCursor(query.sort === 'hostname' ? last.hostname : query.sort === 'lastSeen' ? last.lastSeenAt : last.id, last.id) : null;
    return { items: await this.listItems(page), nextCursor };
  }

  private async listItems(rows: DeviceListRow[]): Promise<DeviceListItem[]> {
    const keys = await this.options.store.deviceKeys(
      rows.map((row) => row.id),
      [FLEET_SCOPES.kbState, FLEET_SCOPES.hresult, FLEET_SCOPES.family],
    );
    return rows.map((row) => {
      const facts = keys.get(row.id) ?? [];
      const of = (scope: string) => facts.filter((fact) => fact.scope === scope).map((fact) => fact.key).sort();
      return {
        id: row.id,
        hostname: row.hostname,
        osBuild: row.osBuild,
        lastSeenAt: iso(row.lastSeenAt),
        stale: row.stale,
        failedKbs: of(FLEET_SCOPES.kbState).filter((key) => key.endsWith('\tFailed')).map((key) => split2(key)[0]),
        hresults: of(FLEET_SCOPES.hresult),
        corruptFamilies: of(FLEET_SCOPES.family),
      };
    });
  }

  private factsOf(stored: StoredDeviceState): DeviceFacts {
    return new DeviceFacts(stateFromSections(stored), this.options.catalog);
  }

  /** The device with its sections, compliance, open clusters and recommended remediation. */
  async device(id: string) {
    const stored = await this.options.storage.devices.get(id);
    if (!stored) return null;
    const facts = this.factsOf(stored);
    const fleetVersions = new Map<string, string[]>();
    for (const [key] of positive(await this.options.storage.counters.scope(FLEET_SCOPES.familyVersion))) {
      const [family, version] = split2(key);
      fleetVersions.set(family, [...(fleetVersions.get(family) ?? []), version]);
    }
    const subject = deviceSubject(facts, (family) => fleetVersions.get(family) ?? []);
    const donors = new Map<string, Donor[]>();
    if (subject.sourceMissingEvidence && facts.build) {
      for (const family of subject.families) {
        donors.set(family.family, await this.findDonors(family.family, facts.build.major, subject.failedKbs.map((item) => item.kb), facts.id));
      }
    }
    const settings = await this.settings();
    const remediation: RemediationStep[] = recommendRemediation(subject, { catalog: this.options.catalog, donors, repairSource: settings.repairSource });
    const now = new Date(this.options.clock.now());
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
      compliance: this.baselineCache.flatMap((baseline) => {
        const standing = baselineStanding(baseline, facts);
        return standing ? [{ baselineId: baseline.id, kb: baseline.kb, dueDate: baseline.dueDate, status: statusAt(standing, baseline, now) }] : [];
      }),
      clusters: [...deviceClusterFacts(facts).keys()].sort(),
      remediation,
    };
  }

  /**
   * Donors for a family: candidates from the index (same build major, new enough revision, no open
   * corruption of the family, newest report first), then checked on their full state.
   */
  private async findDonors(family: string, osMajor: number, kbs: readonly string[], excludeId: string | null, limit = 3): Promise<Donor[]> {
    // A donor's build revision must reach the newest needed cumulative update of its servicing family.
    const servicing = servicingFamily(osMajor);
    const minRevision = Math.max(
      0,
      ...kbs.flatMap((kb) => this.options.catalog.entriesForKb(kb).filter((entry) => servicingFamily(entry.major) === servicing).map((entry) => entry.revision)),
    );
    const donors: Donor[] = [];
    for (const id of await this.options.store.donorCandidates({ family, osMajor, minRevision, excludeId, limit: limit * 4 })) {
      const stored = await this.options.storage.devices.get(id);
      if (!stored) continue;
      const facts = this.factsOf(stored);
      if (facts.openCorruption.some((item) => item.family === family) || !kbs.every((kb) => facts.hasInstalled(kb))) continue;
      donors.push(donorOf(facts));
      if (donors.length === limit) break;
    }
    return donors;
  }

  // ---- baselines ------------------------------------------------------------------------------------

  async createBaseline(input: BaselineInput, actor: string): Promise<Baseline> {
    const baseline = await this.options.store.createBaseline(input, actor, this.options.clock.now());
    await this.baselinesChanged();
    return baseline;
  }

  async updateBaseline(id: number, input: BaselineInput): Promise<Baseline | null> {
    const baseline = await this.options.store.updateBaseline(id, input);
    if (baseline) await this.baselinesChanged();
    return baseline;
  }

  async deleteBaseline(id: number): Promise<boolean> {
    const deleted = await this.options.store.deleteBaseline(id);
    if (deleted) await this.baselinesChanged();
    return deleted;
  }

  /** Resolves once every device has been evaluated against the current baselines. */
  whenBaselinesApplied(): Promise<void> {
    return this.reprojection ?? Promise.resolve();
  }

  /**
   * Re-projects every device in the background, in batches that yield to ingest, so the
   * per-baseline counters match the new baselines; `compliance()` reports `evaluating` meanwhile.
   * A change during a run restarts it, since devices already visited saw the old baselines.
   */
  private async baselinesChanged(): Promise<void> {
    this.baselineCache = await this.options.store.listBaselines();
    if (this.reprojection) {
      this.reprojectAgain = true;
      return;
    }
    this.reprojection = (async () => {
      do {
        this.reprojectAgain = false;
        let after: string | null = null;
        for (;;) {
          const ids = await this.options.store.deviceIds(after, REPROJECT_BATCH);
          if (ids.length === 0) break;
          const values = await this.options.store.reprojectDevices(ids, this.options.catalog, this.baselineCache, this.options.clock.now());
          this.publishCounters(values);
          after = ids[ids.length - 1] ?? null;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } while (this.reprojectAgain);
      this.reprojection = null;
      await this.evaluateAlerts();
    })().catch((err: unknown) => {
      this.reprojection = null;
      this.options.logger?.error({ err }, 'baseline re-evaluation failed');
    });
  }

  private publishCounters(values: CounterValues): void {
    if (Object.keys(values).length > 0) this.options.bus.publish('counters.changed', { values, at: this.options.clock.now() });
  }

  // ---- alerts ---------------------------------------------------------------------------------------

  /** Raises newly true cluster and compliance conditions, clears the ones no longer true. */
  async evaluateAlerts(): Promise<void> {
    const families = new Map(positive(await this.options.storage.counters.scope(FLEET_SCOPES.family)));
    const active = aggregateConditions(families, await this.compliance(), await this.settings());
    const kinds = ['cluster-new', 'cluster-threshold', 'compliance-below'] as const;
    const open = new Set<string>();
    for (const kind of kinds) for (const key of await this.options.store.openConditions(kind)) open.add(key);
    const { raise, clear } = diffConditions(active, open, kinds);
    await this.options.store.clearAlerts(clear, this.options.clock.now());
    for (const condition of raise) {
      const alert = await this.options.store.raiseAlert(condition, this.options.clock.now());
      if (alert) this.options.bus.publish('alert.raised', { id: alert.id, kind: alert.kind, message: alert.message, at: alert.raisedAt, details: alert.details });
    }
  }

  /** Publishes `cluster.changed` for every family whose device count moved. */
  clustersChanged(values: CounterValues): boolean {
    const families = values[FLEET_SCOPES.family];
    if (!families) return false;
    const at = iso(this.options.clock.now());
    for (const [family, deviceCount] of Object.entries(families)) this.options.bus.publish('cluster.changed', { family, deviceCount, at });
    return true;
  }

  // ---- jobs -----------------------------------------------------------------------------------------

  /** Marks devices not seen within the stale threshold, alerts once per device, re-arms devices that came back. */
  async markStale(): Promise<{ marked: number; cleared: number }> {
    const settings = await this.settings();
    const now = this.options.clock.now();
    const { deviceIds, counters } = await this.options.storage.devices.markStale(now - settings.staleAfterHours * 3_600_000);
    this.publishCounters(counters);
    for (const id of deviceIds) {
      const row = await this.options.storage.devices.getRow(id);
      if (!row) continue;
      const alert = await this.options.store.raiseAlert(staleCondition({ id, hostname: row.hostname, lastSeenAt: iso(row.lastSeenAt) }), now);
      if (alert) this.options.bus.publish('alert.raised', { id: alert.id, kind: alert.kind, message: alert.message, at: alert.raisedAt, details: alert.details });
    }
    const open = [...(await this.options.store.openConditions('device-stale'))];
    const stillStale = await this.options.store.staleAmong(open.map((key) => key.slice('device-stale:'.length)));
    const cleared = await this.options.store.clearAlerts(open.filter((key) => !stillStale.has(key.slice('device-stale:'.length))), now);
    return { marked: deviceIds.length, cleared };
  }

  /** Today's trend point from the counters (idempotent: a second run the same day replaces it). */
  async takeSnapshot(): Promise<TrendPoint> {
    const now = this.options.clock.now();
    const day = iso(now).slice(0, 10);
    const counters = this.options.storage.counters;
    const [summary, families, detected, repaired] = await Promise.all([
      this.summary(),
      counters.scope(FLEET_SCOPES.family),
      counters.scope(DAY_SCOPES.detected),
      counters.scope(DAY_SCOPES.repaired),
    ]);
    const perFamily: TrendPoint['families'] = {};
    const entry = (family: string) => (perFamily[family] ??= { open: 0, detected: 0, repaired: 0 });
    for (const [family, count] of positive(families)) entry(family).open = count;
    for (const [scope, field] of [[detected, 'detected'], [repaired, 'repaired']] as const) {
      for (const [key, count] of positive(scope)) {
        const [keyDay, family] = split2(key);
        if (keyDay === day) entry(family)[field] = count;
      }
    }
    const applicable = summary.compliance.reduce((sum, item) => sum + item.applicable, 0);
    const compliant = summary.compliance.reduce((sum, item) => sum + item.compliant, 0);
    const point: TrendPoint = {
      day,
      devices: summary.total,
      failingDevices: summary.failingDevices,
      devicesWithCorruption: summary.devicesWithCorruption,
      compliancePercent: applicable === 0 ? null : Math.round((compliant / applicable) * 10_000) / 100,
      families: perFamily,
      baselines: summary.compliance.map(baselineTrendEntry),
    };
    await this.options.store.putSnapshot(point, now);
    return point;
  }

  async trends(days: number): Promise<TrendPoint[]> {
    const now = this.options.clock.now();
    return this.options.store.listSnapshots(iso(now - days * DAY_MS).slice(0, 10), iso(now).slice(0, 10));
  }

  /** Drops snapshots (and their day counters) older than the trend retention. */
  async pruneTrends(): Promise<number> {
    const settings = await this.settings();
    return this.options.store.pruneSnapshots(iso(this.options.clock.now() - settings.trendRetentionDays * DAY_MS).slice(0, 10));
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
