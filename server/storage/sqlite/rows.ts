// Row ↔ object mapping shared by the SQLite repositories.
import type { DeviceRow } from '../device-state';

export interface DeviceDbRow {
  id: string;
  hostname: string;
  os_build: string | null;
  os_major: number | null;
  os_revision: number | null;
  servicing_stack: string | null;
  product_name: string | null;
  edition: string | null;
  display_version: string | null;
  architecture: string | null;
  agent_version: string | null;
  first_seen_at: number;
  last_seen_at: number;
  last_report_id: string;
  last_generated_at: string;
  last_sequence: number | null;
  key_id: number | null;
  stale: number;
  section_hashes: string;
}

export function toDeviceRow(row: DeviceDbRow): DeviceRow {
  return {
    id: row.id,
    hostname: row.hostname,
    osBuild: row.os_build,
    osMajor: row.os_major,
    osRevision: row.os_revision,
    servicingStack: row.servicing_stack,
    productName: row.product_name,
    edition: row.edition,
    displayVersion: row.display_version,
    architecture: row.architecture,
    agentVersion: row.agent_version,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    lastReportId: row.last_report_id,
    lastGeneratedAt: row.last_generated_at,
    lastSequence: row.last_sequence,
    keyId: row.key_id,
    stale: row.stale === 1,
  };
}

/** Column list and values for writing a DeviceRow (hashes go separately). */
export function deviceColumns(device: DeviceRow): unknown[] {
  return [
    device.id,
    device.hostname,
    device.osBuild,
    device.osMajor,
    device.osRevision,
    device.servicingStack,
    device.productName,
    device.edition,
    device.displayVersion,
    device.architecture,
    device.agentVersion,
    device.firstSeenAt,
    device.lastSeenAt,
    device.lastReportId,
    device.lastGeneratedAt,
    device.lastSequence,
    device.keyId,
    device.stale ? 1 : 0,
  ];
}

export const DEVICE_COLUMN_NAMES =
  'id, hostname, os_build, os_major, os_revision, servicing_stack, product_name, edition, display_version, architecture, agent_version, first_seen_at, last_seen_at, last_report_id, last_generated_at, last_sequence, key_id, stale';
