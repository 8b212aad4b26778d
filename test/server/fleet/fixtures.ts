// The hand-built Report v1 documents of the two support cases and a healthy donor, as reports and device facts.
import { readFileSync } from 'node:fs';
import { updateCatalog } from '../../../protocol/catalog';
import type { Baseline, BaselineCompliance, Cluster, RemediationStep } from '../../../protocol/fleet-api';
import type { Report } from '../../../protocol/report';
import { reportSchema } from '../../../protocol/report';
import { buildClusters } from '../../../server/fleet/clusters';
import { DeviceFacts, stateFromReport } from '../../../server/fleet/device-state';
import { deviceSubject, rankDonors, recommendRemediation } from '../../../server/fleet/remediation';

export const FIXTURE_NAMES = ['case1-device-a', 'case1-device-b', 'case2-device', 'healthy-donor'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** A fixture parsed through the Report v1 schema, so a fixture that drifts from the contract fails loudly. */
export function loadReport(name: FixtureName): Report {
  const url = new URL(`../../fixtures/reports/${name}.json`, import.meta.url);
  return reportSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

/** Device facts as the server holds them after ingesting the fixture at its generation time. */
export function loadFacts(name: FixtureName): DeviceFacts {
  const report = loadReport(name);
  return new DeviceFacts(stateFromReport(report, report.generatedAt), updateCatalog());
}

/** The four fixture devices as facts: case 1 A and B, the case 2 device, the healthy donor. */
export const loadFleet = (): DeviceFacts[] => FIXTURE_NAMES.map(loadFacts);

/** The remediation the server recommends for `facts` within the fleet `all` (clusters and donors from it). */
export function remediateInFleet(facts: DeviceFacts, all: DeviceFacts[], repairSource: string | null = null): RemediationStep[] {
  const clusters = buildClusters(all);
  const subject = deviceSubject(facts, (family) => clusters.find((cluster) => cluster.family === family)?.versions ?? []);
  const needKbs = subject.failedKbs.map((item) => item.kb);
  const donors = new Map(subject.families.map((family) => [family.family, rankDonors(all, family.family, { osMajor: facts.build?.major ?? 0, kbs: needKbs, excludeId: facts.id })]));
  return recommendRemediation(subject, { catalog: updateCatalog(), donors, repairSource });
}

/** A baseline's compliance with `compliant` of `applicable` devices compliant and the rest failed. */
export function complianceOf(baseline: Baseline, compliant: number, applicable: number): BaselineCompliance {
  return {
    baseline,
    evaluating: false,
    applicable,
    compliant,
    pending: 0,
    failed: applicable - compliant,
    missing: 0,
    overdue: 0,
    compliancePercent: applicable === 0 ? 100 : Math.round((compliant / applicable) * 10_000) / 100,
  };
}

/** The one cluster both support cases must form, as every fleet view reports it. */
export const EXPECTED_WPDMTP_CLUSTER: Cluster = {
  family: 'dual_wpdmtp.inf',
  deviceCount: 3,
  versions: ['10.0.19041.746', '10.0.19041.3636', '10.0.19041.4355'],
  files: ['WpdMtpUS.dll'],
  kinds: ['binary-missing', 'hash-mismatch', 'hydration-failed', 'payload-corrupt'],
  sources: ['cbs', 'sur'],
  blockedKbs: ['KB5036892', 'KB5043064'],
  hresults: ['0x8007000d'],
  firstSeenAt: '2024-06-12T02:21:33.000Z',
  lastSeenAt: '2024-11-21T06:10:38.000Z',
};
