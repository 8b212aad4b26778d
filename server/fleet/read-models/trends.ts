// Trends: one snapshot of the fleet per UTC day (totals, compliance, per-family open/detected/repaired), read back as series.
import type { TrendPoint } from '../../../protocol/fleet-api';
import { baselineTrendEntry } from '../../../protocol/fleet-api';
import type { Clock } from '../../clock';
import type { CounterRepository } from '../../storage/repository';
import type { TrendStore } from '../fleet-store';
import type { FleetSettingsService } from '../fleet-settings';
import type { FleetOverview } from './summary';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class Trends {
  constructor(
    private readonly store: TrendStore,
    private readonly counters: CounterRepository,
    private readonly overview: FleetOverview,
    private readonly settings: FleetSettingsService,
    private readonly clock: Clock,
  ) {}

  /** Today's point from the counters (idempotent: a second run the same day replaces it). */
  async takeSnapshot(): Promise<TrendPoint> {
    const now = this.clock.now();
    const day = dayOf(now);
    const [summary, families, detected, repaired] = await Promise.all([
      this.overview.summary(),
      this.counters.scope('family'),
      this.counters.scope('family_detected_day'),
      this.counters.scope('family_repaired_day'),
    ]);
    const perFamily: TrendPoint['families'] = {};
    const entry = (family: string) => (perFamily[family] ??= { open: 0, detected: 0, repaired: 0 });
    for (const { key, value } of families) if (value > 0) entry(key.family).open = value;
    for (const [counted, field] of [[detected, 'detected'], [repaired, 'repaired']] as const) {
      for (const { key, value } of counted) if (value > 0 && key.day === day) entry(key.family)[field] = value;
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
    await this.store.put(point, now);
    return point;
  }

  /** The points of the last `days` days. */
  list(days: number): Promise<TrendPoint[]> {
    const now = this.clock.now();
    return this.store.list(dayOf(now - days * DAY_MS), dayOf(now));
  }

  /** One family's devices, detections and repairs per day over the last `days` days. */
  async familySeries(family: string, days: number): Promise<{ day: string; devices: number; detected: number; repaired: number }[]> {
    return (await this.list(days)).map((point) => ({
      day: point.day,
      devices: point.families[family]?.open ?? 0,
      detected: point.families[family]?.detected ?? 0,
      repaired: point.families[family]?.repaired ?? 0,
    }));
  }

  /** Drops points (and their day counters) older than the trend retention. */
  async prune(): Promise<number> {
    const settings = await this.settings.get();
    return this.store.prune(dayOf(this.clock.now() - settings.trendRetentionDays * DAY_MS));
  }
}
