// Counter keys keep the stored and wire form of existing databases and dashboards, and read back to the same typed key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countersIn, decodeCounterKey, encodeCounterKey, setCounterValue, type CounterKey, type CounterValues } from './counter-keys';

const KEYS: [CounterKey, string, string][] = [
  [{ scope: 'devices', name: 'stale' }, 'devices', 'stale'],
  [{ scope: 'fleet', name: 'failing' }, 'fleet', 'failing'],
  [{ scope: 'os_build', osBuild: '19045.4894' }, 'os_build', '19045.4894'],
  [{ scope: 'kb_state', kb: 'KB5043064', state: 'Install Pending' }, 'kb_state', 'KB5043064\tInstall Pending'],
  [{ scope: 'hresult_kb', hresult: '0x800f081f', kb: 'KB5043064' }, 'hresult_kb', '0x800f081f\tKB5043064'],
  [{ scope: 'family_file', family: 'dual_wpdmtp.inf', value: 'C:\\Windows\\x.sys' }, 'family_file', 'dual_wpdmtp.inf\tC:\\Windows\\x.sys'],
  [{ scope: 'family_build', family: 'dual_wpdmtp.inf', major: 19045 }, 'family_build', 'dual_wpdmtp.inf\t19045'],
  [{ scope: 'baseline', baselineId: 3, standing: 'compliant' }, 'baseline', '3\tcompliant'],
  [{ scope: 'family_detected_day', day: '2024-11-21', family: 'dual_wpdmtp.inf' }, 'family_detected_day', '2024-11-21\tdual_wpdmtp.inf'],
];

test('each scope is written as before the keys were typed (TAB between fields), and reads back to the same key', () => {
  for (const [key, scope, text] of KEYS) {
    assert.deepEqual(encodeCounterKey(key), { scope, key: text });
    assert.deepEqual(decodeCounterKey(key.scope, text), key);
  }
});

test('the last field keeps any TAB it holds', () => {
  const key: CounterKey = { scope: 'family_component', family: 'pnp.inf', value: 'a\tb' };
  assert.deepEqual(decodeCounterKey('family_component', encodeCounterKey(key).key), key);
});

test('live counter values carry encoded keys and read back typed', () => {
  const values: CounterValues = {};
  setCounterValue(values, encodeCounterKey({ scope: 'family', family: 'dual_wpdmtp.inf' }), 3);
  setCounterValue(values, encodeCounterKey({ scope: 'baseline', baselineId: 1, standing: 'failed' }), 2);
  assert.deepEqual(values, { family: { 'dual_wpdmtp.inf': 3 }, baseline: { '1\tfailed': 2 } });
  assert.deepEqual(countersIn(values, 'baseline'), [{ key: { scope: 'baseline', baselineId: 1, standing: 'failed' }, value: 2 }]);
  assert.deepEqual(countersIn(values, 'kb_state'), []);
});
