// A device's stored state as the ingest transaction sees it, and the before/after change handed to projections.
import type {
  CorruptionRecord,
  FailureRecord,
  HotfixRecord,
  PackageRecord,
  ScanRecord,
  UpdateHistoryRecord,
} from '../../protocol/report';

/** The report sections stored per device, each replaced as a whole when its content hash changes. */
export const SECTIONS = ['packages', 'failures', 'corruption', 'scans', 'hotfixes', 'updateHistory'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface DeviceSections {
  packages: PackageRecord[];
  failures: FailureRecord[];
  corruption: CorruptionRecord[];
  scans: ScanRecord[];
  hotfixes: HotfixRecord[];
  updateHistory: UpdateHistoryRecord[];
}

/** The device row: identity, OS, and when and what it last reported. Times are epoch ms. */
export interface DeviceRow {
  id: string;
  hostname: string;
  osBuild: string | null;
  osMajor: number | null;
  osRevision: number | null;
  servicingStack: string | null;
  productName: string | null;
  edition: string | null;
  displayVersion: string | null;
  architecture: string | null;
  agentVersion: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  lastReportId: string;
  lastGeneratedAt: string;
  lastSequence: number | null;
  /** The device key whose report set this state (its sequence epoch); null for state set without one. */
  keyId: number | null;
  stale: boolean;
}

export type SectionChange<K extends SectionName> = { before: DeviceSections[K]; after: DeviceSections[K] };

/**
 * What one accepted report did to one device, given to every ingest projection inside the ingest
 * transaction. `sections` holds only the sections whose content changed; an unchanged report has none.
 */
export interface DeviceStateChange {
  deviceId: string;
  reportId: string;
  /** When the server received the report (epoch ms). */
  receivedAt: number;
  /** Null when the device reports for the first time. */
  before: DeviceRow | null;
  after: DeviceRow;
  sections: { [K in SectionName]?: SectionChange<K> };
}

/** One device as storage holds it: its row and every section of its newest report (detail views). */
export interface StoredDeviceState extends DeviceSections {
  device: DeviceRow;
}

/** The sections a report carries; `updateHistory` is optional on the wire and absent means "not collected". */
export function reportSections(report: {
  packages: DeviceSections['packages'];
  failures: DeviceSections['failures'];
  corruption: DeviceSections['corruption'];
  scans: DeviceSections['scans'];
  hotfixes: DeviceSections['hotfixes'];
  updateHistory?: DeviceSections['updateHistory'] | undefined;
}): Partial<DeviceSections> {
  const sections: Partial<DeviceSections> = {
    packages: report.packages,
    failures: report.failures,
    corruption: report.corruption,
    scans: report.scans,
    hotfixes: report.hotfixes,
  };
  if (report.updateHistory) sections.updateHistory = report.updateHistory;
  return sections;
}

/** A report generated further ahead of the server's clock than this is refused: agents' clocks drift, but not by a day. */
export const MAX_GENERATED_AHEAD_MS = 24 * 3_600_000;

/**
 * How far a report's sequence may run ahead of the stored one within one key's epoch: this many, plus
 * one per second since the stored report was received. An agent numbers each report it collects, at
 * most one every few seconds, so a gap beyond that is a forged or broken counter.
 */
export const SEQUENCE_SLACK = 10_000;

export function maxSequenceStep(stored: Pick<DeviceRow, 'lastSeenAt'>, receivedAt: number): number {
  return SEQUENCE_SLACK + Math.floor(Math.max(0, receivedAt - stored.lastSeenAt) / 1000);
}

/** Where a report stands against the stored state: `implausible` ones are refused and stored nowhere. */
export type ReportOrder = 'current' | 'older' | 'implausible';

/**
 * Orders a report against the stored state. A report sent with a newer device key than the one that
 * set the state starts a new epoch and is current whatever its sequence or time, so a sequence or
 * time forged under an earlier key cannot hold the device's state once it enrolled again; one sent
 * with an older key is older. Within one key (`keyId` undefined: a report not sent by a device, which
 * keeps the stored epoch): by `sequence` when both sides have one, otherwise by `generatedAt`; ties
 * count as current. A sequence further ahead than `maxSequenceStep` is implausible.
 */
export function orderReport(
  report: { sequence?: number | undefined; generatedAt: string },
  keyId: number | undefined,
  receivedAt: number,
  stored: DeviceRow,
): ReportOrder {
  if (keyId !== undefined && keyId !== stored.keyId) return stored.keyId === null || keyId > stored.keyId ? 'current' : 'older';
  if (report.sequence !== undefined && stored.lastSequence !== null) {
    if (report.sequence < stored.lastSequence) return 'older';
    return report.sequence - stored.lastSequence > maxSequenceStep(stored, receivedAt) ? 'implausible' : 'current';
  }
  return Date.parse(report.generatedAt) < Date.parse(stored.lastGeneratedAt) ? 'older' : 'current';
}
