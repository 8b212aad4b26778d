// A simulated device's Report v1, built by the agent's own buildReport from parsed log facts and an inventory.
import type { Report } from '../../protocol/report';
import type { Inventory } from '../../agent/collect/inventory';
import { buildReport, newReportId } from '../../agent/runtime/report-builder';
import { FleetLogFacts, logStateKey, type LogState } from './fleet-logs';
import { hotfixesOf, osBuildOf, stateAt, type DevicePlan } from './fleet-plan';

/** What the inventory script would print on one of the bank's desktops (the support cases' edition and zone). */
function inventoryFor(plan: DevicePlan, state: LogState, hotfixes: Inventory['hotfixes']): Inventory {
  return {
    device: {
      machineGuid: plan.deviceId,
      hostname: plan.hostname,
      productName: 'Windows 10 Enterprise',
      edition: 'V2022-L',
      displayVersion: '22H2',
      osBuild: osBuildOf(state),
      architecture: 'amd64',
      timeZone: 'China Standard Time',
      utcOffsetMinutes: 480,
    },
    hotfixes,
    updateHistory: [],
    problems: [],
  };
}

/** Builds reports for a whole fleet, sharing parsed facts and installed-update lists between devices in the same state. */
export class FleetReportBuilder {
  private readonly hotfixes = new Map<string, Inventory['hotfixes']>();

  constructor(readonly logs: FleetLogFacts = new FleetLogFacts()) {}

  /** The `reportNumber`-th report (1-based) of a device; `sequence` is the agent's monotonic counter. */
  build(plan: DevicePlan, reportNumber: number, sequence: number, now: Date, reportId: string = newReportId()): Report {
    const state = stateAt(plan, reportNumber);
    const key = logStateKey(state);
    let hotfixes = this.hotfixes.get(key);
    if (!hotfixes) this.hotfixes.set(key, (hotfixes = hotfixesOf(state)));
    return buildReport({
      reportId,
      sequence,
      generatedAt: now,
      identity: { deviceId: plan.deviceId, hostname: plan.hostname },
      facts: this.logs.facts(state),
      inventory: inventoryFor(plan, state, hotfixes),
    });
  }
}
