// Builds one full-state Report v1 from parsed log facts, the inventory and the device identity.
import { hostname as osHostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { REPORT_LIMITS, REPORT_SCHEMA_VERSION, reportSchema, type Device, type Report } from '../../protocol/report';
import type { ParsedLogFacts } from '../../parser';
import type { Inventory } from '../collect/inventory';
import { AGENT_VERSION } from '../version';

export interface IdentityInput {
  /** `--device-id` / config, wins over everything. */
  deviceId: string | null;
  hostname: string | null;
  inventory: Inventory | null;
  /** Persisted random id for systems without MachineGuid. */
  generatedDeviceId: string;
}

/** Stable device id: explicit override, else MachineGuid, else the id this agent generated once. */
export function resolveIdentity(input: IdentityInput): { deviceId: string; hostname: string } {
  return {
    deviceId: input.deviceId ?? input.inventory?.device.machineGuid ?? input.generatedDeviceId,
    hostname: input.hostname ?? input.inventory?.device.hostname ?? osHostname(),
  };
}

/** `r-<uuid>`: unique per report and safe as a file name on every OS. */
export function newReportId(): string {
  return `r-${randomUUID()}`;
}

/** The parts of a report that come from the system rather than the parser. */
const systemPartSchema = reportSchema.pick({ device: true, hotfixes: true, updateHistory: true });

export interface BuildReportInput {
  reportId: string;
  sequence: number;
  generatedAt: Date;
  identity: { deviceId: string; hostname: string };
  facts: ParsedLogFacts;
  inventory: Inventory | null;
}

/**
 * The report restates everything the agent knows (all packages, open corruption, latest scans,
 * hotfixes), so any single report that arrives restores the device's truth on the server.
 * Inventory (registry) wins over the log for OS build and servicing stack: the log may be old.
 *
 * Only the parts taken from the system (device, hotfixes, update history: a few hundred records)
 * are checked against Report v1 here. The log facts, up to 20,000 packages, are not run through the
 * schema a second time (that pass cost each worker ~5 MiB of memory): the parser admits them
 * field by field, `report-builder.test.ts` holds reports built from every captured log to the
 * schema, and the server checks every report it receives.
 */
export function buildReport(input: BuildReportInput): Report {
  const { facts, inventory } = input;
  const logDevice = facts.device;
  const device: Device = {
    id: input.identity.deviceId,
    hostname: input.identity.hostname,
    osBuild: inventory?.device.osBuild ?? logDevice.osBuild,
    servicingStack: inventory?.device.servicingStack ?? logDevice.servicingStack,
    productName: inventory?.device.productName,
    edition: inventory?.device.edition,
    displayVersion: inventory?.device.displayVersion,
    architecture: inventory?.device.architecture,
    timeZone: inventory?.device.timeZone,
    agentVersion: AGENT_VERSION,
  };
  const system = systemPartSchema.safeParse({
    device: Object.fromEntries(Object.entries(device).filter(([, value]) => value !== undefined)),
    hotfixes: (inventory?.hotfixes ?? []).slice(0, REPORT_LIMITS.hotfixes),
    updateHistory: (inventory?.updateHistory ?? []).slice(0, REPORT_LIMITS.updateHistory),
  });
  if (!system.success) {
    const issue = system.error.issues[0];
    throw new Error(`built report does not match Report v1 at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: input.reportId,
    generatedAt: input.generatedAt.toISOString(),
    sequence: input.sequence,
    device: system.data.device,
    packages: facts.packages.slice(-REPORT_LIMITS.packages),
    failures: facts.failures.slice(-REPORT_LIMITS.failures),
    corruption: facts.corruption.slice(-REPORT_LIMITS.corruption),
    scans: facts.scans.slice(-REPORT_LIMITS.scans),
    hotfixes: system.data.hotfixes,
    updateHistory: system.data.updateHistory ?? [],
    parse: {
      files: facts.parse.files.slice(-REPORT_LIMITS.files),
      unrecognizedLines: facts.parse.unrecognizedLines,
      ...(facts.parse.warnings ? { warnings: facts.parse.warnings.slice(0, REPORT_LIMITS.parseWarnings) } : {}),
    },
  };
}
