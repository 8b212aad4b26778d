// The stale sweep: marks devices not heard from within the threshold, alerts once per device, and re-arms devices that came back.
import type { Clock } from '../clock';
import type { EventBus } from '../live/event-bus';
import type { DeviceRepository } from '../storage/repository';
import type { Alerting } from './alerting';
import { staleCondition } from './alerts';
import type { FleetSettingsService } from './fleet-settings';
import type { AlertStore, FleetDeviceIndex } from './fleet-store';

const CONDITION_PREFIX = 'device-stale:';

export class StaleDevices {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly index: FleetDeviceIndex,
    private readonly alertStore: AlertStore,
    private readonly alerting: Alerting,
    private readonly settings: FleetSettingsService,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {}

  async sweep(): Promise<{ marked: number; cleared: number }> {
    const settings = await this.settings.get();
    const now = this.clock.now();
    const { deviceIds, counters } = await this.devices.markStale(now - settings.staleAfterHours * 3_600_000);
    if (Object.keys(counters).length > 0) this.bus.publish('counters.changed', { values: counters, at: now });
    for (const id of deviceIds) {
      const row = await this.devices.getRow(id);
      if (row) await this.alerting.raise(staleCondition({ id, hostname: row.hostname, lastSeenAt: new Date(row.lastSeenAt).toISOString() }));
    }
    const open = [...(await this.alertStore.openConditions('device-stale'))];
    const stillStale = await this.index.staleAmong(open.map((key) => key.slice(CONDITION_PREFIX.length)));
    const cleared = await this.alertStore.clear(
      open.filter((key) => !stillStale.has(key.slice(CONDITION_PREFIX.length))),
      now,
    );
    return { marked: deviceIds.length, cleared };
  }
}
