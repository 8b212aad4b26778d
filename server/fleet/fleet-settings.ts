// The fleet settings an admin edits (stale threshold, alert thresholds, trend retention, repair source, webhook targets), read once and cached.
import { fleetSettingsSchema, type FleetSettings } from '../../protocol/fleet-api';
import type { Clock } from '../clock';
import type { SettingsRepository } from '../storage/repository';
import type { WebhookTargetPolicy } from './webhook-targets';

const SETTINGS_KEY = 'fleet.settings';

export class FleetSettingsService {
  private cached: FleetSettings | null = null;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly clock: Clock,
    /** Defaults for settings never saved by an admin. */
    private readonly defaults: { staleAfterMs: number },
  ) {}

  async get(): Promise<FleetSettings> {
    if (this.cached) return this.cached;
    const stored = await this.settings.get<Partial<FleetSettings>>(SETTINGS_KEY);
    this.cached = fleetSettingsSchema.parse({
      staleAfterHours: this.defaults.staleAfterMs / 3_600_000,
      clusterAlertThreshold: 10,
      complianceAlertPercent: 90,
      trendRetentionDays: 800,
      repairSource: null,
      allowHttpWebhooks: false,
      allowPrivateWebhookTargets: false,
      ...stored,
    });
    return this.cached;
  }

  async update(patch: Partial<FleetSettings>): Promise<FleetSettings> {
    const next = fleetSettingsSchema.parse({ ...(await this.get()), ...patch });
    await this.settings.put(SETTINGS_KEY, next, this.clock.now());
    this.cached = next;
    return next;
  }

  /** What webhooks may post to beyond https to public addresses (checked again at every delivery). */
  async webhookTargets(): Promise<WebhookTargetPolicy> {
    const settings = await this.get();
    return { allowHttp: settings.allowHttpWebhooks, allowPrivate: settings.allowPrivateWebhookTargets };
  }
}
