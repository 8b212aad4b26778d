// What a device adds to the fleet counters, and the +1/-1 changes when its state moves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFacts } from '../../test/server/fleet/fixtures';
import { contributionDelta, contributionId, deviceContributions, FLEET_SCOPES, splitContribution } from './contributions';

const baseline = { id: 1, kb: 'KB5036892', appliesTo: 19045, dueDate: '2024-05-01', name: 'April 2024 LCU', createdAt: '2024-04-01T00:00:00.000Z' };
const keysOf = (ids: Iterable<string>, scope: string) => [...ids].map(splitContribution).filter(([s]) => s === scope).map(([, key]) => key).sort();

test('the case 2 device counts once per fact: failed KB, codes, its cluster, and its baseline standing', () => {
  const ids = deviceContributions(loadFacts('case2-device'), [baseline]);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.fleet), ['corrupt', 'failing']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.kbState), ['KB5035845\tInstalled', 'KB5036892\tFailed']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.hresult), ['0x8007000d', '0x800f081f']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.familyBlockedKb), ['dual_wpdmtp.inf\tKB5036892']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.familyComponent), ['dual_wpdmtp.inf\tamd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.familySourceMissing), ['dual_wpdmtp.inf']);
  assert.deepEqual(keysOf(ids, FLEET_SCOPES.baseline), ['1\tfailed']);
});

test('installing the failed update later moves the device from Failed to compliant and out of the failing count', () => {
  const facts = loadFacts('case2-device');
  const before = deviceContributions(facts, [baseline]);
  const fixed = facts.with({ osBuild: '19045.4291', failures: facts.state.failures, corruption: [], scans: [] });
  const after = deviceContributions(fixed, [baseline]);
  const { added, removed } = contributionDelta(before, after);
  assert.ok(added.includes(contributionId(FLEET_SCOPES.kbState, 'KB5036892\tSuperseded')), 'a failed package now contained in the build');
  assert.ok(added.includes(contributionId(FLEET_SCOPES.baseline, '1\tcompliant')));
  assert.ok(removed.includes(contributionId(FLEET_SCOPES.fleet, 'failing')));
  assert.ok(removed.includes(contributionId(FLEET_SCOPES.family, 'dual_wpdmtp.inf')));
  assert.ok(!added.some((id) => id.startsWith(`${FLEET_SCOPES.hresult}\u0000`)), 'no error code stays open');
  assert.deepEqual(contributionDelta(after, after), { added: [], removed: [] });
});
