// Alert conditions: which are true now, as stable keys, so each fires once and re-arms when it clears.
import type { AlertKind, BaselineCompliance, FleetSettings } from '../../protocol/fleet-api';
import type { RaiseAlert } from './fleet-store';

/** A condition that holds now; `conditionKey` is stable for as long as it holds. */
export type ActiveCondition = RaiseAlert;

/**
 * Cluster and compliance conditions from the current aggregates. The threshold is part of the key,
 * so raising the threshold re-arms the alert for the new level.
 */
export function aggregateConditions(
  clusters: ReadonlyMap<string, number>,
  compliance: readonly BaselineCompliance[],
  settings: Pick<FleetSettings, 'clusterAlertThreshold' | 'complianceAlertPercent'>,
): ActiveCondition[] {
  const active: ActiveCondition[] = [];
  for (const [family, deviceCount] of clusters) {
    if (deviceCount <= 0) continue;
    active.push({
      kind: 'cluster-new',
      conditionKey: `cluster-new:${family}`,
      subject: family,
      message: `New corruption cluster: ${family} on ${deviceCount} device${deviceCount === 1 ? '' : 's'}.`,
      details: { family, deviceCount },
    });
    if (deviceCount >= settings.clusterAlertThreshold) {
      active.push({
        kind: 'cluster-threshold',
        conditionKey: `cluster-threshold:${family}:${settings.clusterAlertThreshold}`,
        subject: family,
        message: `Corruption cluster ${family} reached ${deviceCount} devices (threshold ${settings.clusterAlertThreshold}).`,
        details: { family, deviceCount, threshold: settings.clusterAlertThreshold },
      });
    }
  }
  for (const item of compliance) {
    if (item.applicable === 0 || item.compliancePercent >= settings.complianceAlertPercent) continue;
    active.push({
      kind: 'compliance-below',
      conditionKey: `compliance-below:${item.baseline.id}:${settings.complianceAlertPercent}`,
      subject: item.baseline.kb,
      message: `Compliance with ${item.baseline.name} is ${item.compliancePercent}% (threshold ${settings.complianceAlertPercent}%): ${item.compliant} of ${item.applicable} devices.`,
      details: {
        baselineId: item.baseline.id,
        name: item.baseline.name,
        kb: item.baseline.kb,
        compliancePercent: item.compliancePercent,
        compliant: item.compliant,
        applicable: item.applicable,
        threshold: settings.complianceAlertPercent,
      },
    });
  }
  return active;
}

export function staleCondition(device: { id: string; hostname: string; lastSeenAt: string }): ActiveCondition {
  return {
    kind: 'device-stale',
    conditionKey: `device-stale:${device.id}`,
    subject: device.id,
    message: `${device.hostname} has not reported since ${device.lastSeenAt}.`,
    details: { deviceId: device.id, hostname: device.hostname, lastSeenAt: device.lastSeenAt },
  };
}

/** Conditions to raise (newly true) and keys to clear (open but no longer true), for the kinds evaluated. */
export function diffConditions(active: readonly ActiveCondition[], open: ReadonlySet<string>, kinds: readonly AlertKind[]) {
  const activeKeys = new Set(active.map((item) => item.conditionKey));
  const raise = active.filter((item) => !open.has(item.conditionKey));
  const clear = [...open].filter((key) => !activeKeys.has(key) && kinds.some((kind) => key.startsWith(`${kind}:`)));
  return { raise, clear };
}
