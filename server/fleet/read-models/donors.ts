// Donor search: healthy devices of the same build that can serve as a repair source for a corrupt family.
import { servicingFamily, type UpdateCatalog } from '../../../protocol/catalog';
import type { Donor } from '../../../protocol/fleet-api';
import type { DeviceRepository } from '../../storage/repository';
import { DeviceFacts, stateFromSections } from '../device-state';
import type { FleetDeviceIndex } from '../fleet-store';
import { donorOf } from '../remediation';

export class DonorSearch {
  constructor(
    private readonly index: FleetDeviceIndex,
    private readonly devices: DeviceRepository,
    private readonly catalog: UpdateCatalog,
  ) {}

  /**
   * Donors for a family: candidates from the index (same build major, new enough revision, no open
   * corruption of the family, newest report first), then checked on their full state.
   */
  async find(family: string, osMajor: number, kbs: readonly string[], excludeId: string | null, limit = 3): Promise<Donor[]> {
    // A donor's build revision must reach the newest needed cumulative update of its servicing family.
    const servicing = servicingFamily(osMajor);
    const minRevision = Math.max(
      0,
      ...kbs.flatMap((kb) => this.catalog.entriesForKb(kb).filter((entry) => servicingFamily(entry.major) === servicing).map((entry) => entry.revision)),
    );
    const donors: Donor[] = [];
    for (const id of await this.index.donorCandidates({ family, osMajor, minRevision, excludeId, limit: limit * 4 })) {
      const stored = await this.devices.get(id);
      if (!stored) continue;
      const facts = new DeviceFacts(stateFromSections(stored), this.catalog);
      if (facts.openCorruption.some((item) => item.family === family) || !kbs.every((kb) => facts.hasInstalled(kb))) continue;
      donors.push(donorOf(facts));
      if (donors.length === limit) break;
    }
    return donors;
  }
}
