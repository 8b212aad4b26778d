// What a device adds to the fleet counters, and the +1/-1 changes when its state moves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFacts } from '../../test/server/fleet/fixtures';
import { counterId, type CounterKey, type CounterScope } from '../storage/counter-keys';
import { contributionDelta, deviceContributions } from './contributions';

const baseline = { id: 1, kb: 'KB5036892', appliesTo: 19045, dueDate: '2024-05-01', name: 'April 2024 LCU', createdAt: '2024-04-01T00:00:00.000Z' };
const ofScope = (keys: Iterable<CounterKey>, scope: CounterScope) => [...keys].filter((key) => key.scope === scope);

test('the case 2 device counts once per fact: failed KB, codes, its cluster, and its baseline standing', () => {
  const keys = [...deviceContributions(loadFacts('case2-device'), [baseline]).values()];
  assert.deepEqual(ofScope(keys, 'fleet').map((key) => key.scope === 'fleet' && key.name).sort(), ['corrupt', 'failing']);
  assert.deepEqual(
    ofScope(keys, 'kb_state').sort((a, b) => counterId(a).localeCompare(counterId(b))),
    [
      { scope: 'kb_state', kb: 'KB5035845', state: 'Installed' },
      { scope: 'kb_state', kb: 'KB5036892', state: 'Failed' },
    ],
  );
  assert.deepEqual(ofScope(keys, 'hresult').map((key) => key.scope === 'hresult' && key.hresult).sort(), ['0x8007000d', '0x800f081f']);
  assert.deepEqual(ofScope(keys, 'family_blocked_kb'), [{ scope: 'family_blocked_kb', family: 'dual_wpdmtp.inf', value: 'KB5036892' }]);
  assert.deepEqual(ofScope(keys, 'family_component'), [
    { scope: 'family_component', family: 'dual_wpdmtp.inf', value: 'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5' },
  ]);
  assert.deepEqual(ofScope(keys, 'family_source_missing'), [{ scope: 'family_source_missing', family: 'dual_wpdmtp.inf' }]);
  assert.deepEqual(ofScope(keys, 'baseline'), [{ scope: 'baseline', baselineId: 1, standing: 'failed' }]);
});

test('installing the failed update later moves the device from Failed to compliant and out of the failing count', () => {
  const facts = loadFacts('case2-device');
  const before = deviceContributions(facts, [baseline]);
  const fixed = facts.with({ osBuild: '19045.4291', failures: facts.state.failures, corruption: [], scans: [] });
  const after = deviceContributions(fixed, [baseline]);
  const { added, removed } = contributionDelta(before, after);
  assert.ok(added.some((key) => key.scope === 'kb_state' && key.kb === 'KB5036892' && key.state === 'Superseded'), 'a failed package now contained in the build');
  assert.ok(added.some((key) => key.scope === 'baseline' && key.baselineId === 1 && key.standing === 'compliant'));
  assert.ok(removed.some((key) => key.scope === 'fleet' && key.name === 'failing'));
  assert.ok(removed.some((key) => key.scope === 'family' && key.family === 'dual_wpdmtp.inf'));
  assert.ok(!added.some((key) => key.scope === 'hresult'), 'no error code stays open');
  assert.deepEqual(contributionDelta(after, after), { added: [], removed: [] });
});
