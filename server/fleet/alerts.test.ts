// Alert conditions: stable keys, thresholds in the key, and raise/clear diffs that fire once per condition.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BaselineCompliance } from '../../protocol/fleet-api';
import { complianceOf } from '../../test/server/fleet/fixtures';
import { aggregateConditions, diffConditions, staleCondition } from './alerts';

const settings = { clusterAlertThreshold: 3, complianceAlertPercent: 90 };
const baseline = { id: 7, kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01', name: 'September 2024 LCU', createdAt: '2024-09-15T00:00:00.000Z' };
const compliance = (compliant: number, applicable: number): BaselineCompliance => complianceOf(baseline, compliant, applicable);

test('clusters raise cluster-new, and cluster-threshold only from the threshold on', () => {
  const active = aggregateConditions(new Map([['dual_wpdmtp.inf', 3], ['dual_wvmbusr.inf', 2], ['gone.inf', 0]]), [], settings);
  assert.deepEqual(active.map((item) => item.conditionKey), ['cluster-new:dual_wpdmtp.inf', 'cluster-threshold:dual_wpdmtp.inf:3', 'cluster-new:dual_wvmbusr.inf']);
});

test('compliance under the threshold alerts; a baseline nobody is subject to does not', () => {
  const active = aggregateConditions(new Map(), [compliance(80, 100), { ...compliance(0, 0), baseline: { ...baseline, id: 8 } }], settings);
  assert.deepEqual(active.map((item) => item.conditionKey), ['compliance-below:7:90']);
  assert.match(active[0]!.message, /80% \(threshold 90%\): 80 of 100 devices/);
  assert.deepEqual(aggregateConditions(new Map(), [compliance(95, 100)], settings), []);
});

test('an open condition is not raised again; one no longer true is cleared, only for the kinds evaluated', () => {
  const active = aggregateConditions(new Map([['dual_wpdmtp.inf', 1]]), [], settings);
  const open = new Set(['cluster-new:dual_wpdmtp.inf', 'cluster-new:repaired.inf', 'device-stale:ws-1']);
  const { raise, clear } = diffConditions(active, open, ['cluster-new', 'cluster-threshold', 'compliance-below']);
  assert.deepEqual(raise, []);
  assert.deepEqual(clear, ['cluster-new:repaired.inf']);
  const again = diffConditions(active, new Set(), ['cluster-new']);
  assert.deepEqual(again.raise.map((item) => item.conditionKey), ['cluster-new:dual_wpdmtp.inf'], 're-armed after clearing');
});

test('a stale device condition names the device and when it was last seen', () => {
  const condition = staleCondition({ id: 'ws-1', hostname: 'WS-1', lastSeenAt: '2024-11-01T00:00:00.000Z' });
  assert.equal(condition.conditionKey, 'device-stale:ws-1');
  assert.equal(condition.message, 'WS-1 has not reported since 2024-11-01T00:00:00.000Z.');
});
