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

/** The full current state of one device, for detail views. */
export interface DeviceState extends DeviceSections {
  device: DeviceRow;
}

/** Counters every storage keeps itself: devices known and devices marked stale. */
export const DEVICE_COUNTERS = { scope: 'devices', total: 'total', stale: 'stale' } as const;

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

/**
 * True when a report is older than the state already stored, so it must not overwrite it: by the
 * agent's `sequence` when both sides have one, otherwise by `generatedAt`. Ties count as current.
 */
export function isOlderThanStored(report: { sequence?: number | undefined; generatedAt: string }, stored: DeviceRow): boolean {
  if (report.sequence !== undefined && stored.lastSequence !== null) return report.sequence < stored.lastSequence;
  return Date.parse(report.generatedAt) < Date.parse(stored.lastGeneratedAt);
}
