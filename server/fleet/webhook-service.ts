// Webhook administration (targets checked against the fleet settings, secrets never listed) and the delivery pass over the outbox.
import type { AlertKind, Webhook } from '../../protocol/fleet-api';
import type { Clock } from '../clock';
import type { FleetSettingsService } from './fleet-settings';
import type { WebhookStore } from './fleet-store';
import { assertWebhookTarget } from './webhook-targets';
import { deliverDue, type WebhookPoster } from './webhooks';

export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly settings: FleetSettingsService,
    private readonly poster: WebhookPoster,
    private readonly clock: Clock,
  ) {}

  list(): Promise<Webhook[]> {
    return this.store.list();
  }

  /** A URL the fleet settings do not allow (http, an internal address) is refused with 400 `webhook_target_refused`. */
  async create(input: { url: string; secret: string; kinds: AlertKind[]; enabled: boolean }, actor: string): Promise<Webhook> {
    await assertWebhookTarget(input.url, await this.settings.webhookTargets());
    return this.store.create(input, actor, this.clock.now());
  }

  async update(id: number, input: { url?: string | undefined; kinds?: AlertKind[] | undefined; enabled?: boolean | undefined; secret?: string | undefined }): Promise<Webhook | null> {
    if (input.url !== undefined) await assertWebhookTarget(input.url, await this.settings.webhookTargets());
    return this.store.update(id, input);
  }

  remove(id: number): Promise<boolean> {
    return this.store.delete(id);
  }

  /** Sends due deliveries now. */
  async deliverDue(): Promise<{ delivered: number; retried: number; failed: number }> {
    return deliverDue(this.store, this.poster, this.clock, await this.settings.webhookTargets());
  }
}
