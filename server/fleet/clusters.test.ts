// Corruption clusters across the support-case devices: one dual_wpdmtp.inf cluster spanning both KBs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPECTED_WPDMTP_CLUSTER, loadFacts } from '../../test/server/fleet/fixtures';
import { buildClusters, deviceClusterFacts, isFullComponentKey, sortVersions } from './clusters';

const devices = () => [loadFacts('case1-device-a'), loadFacts('case1-device-b'), loadFacts('case2-device'), loadFacts('healthy-donor')];

test('both support cases form ONE dual_wpdmtp.inf cluster that blocks KB5036892 and KB5043064', () => {
  const clusters = buildClusters(devices());
  const wpdmtp = clusters.find((cluster) => cluster.family === 'dual_wpdmtp.inf');
  assert.ok(wpdmtp);
  assert.equal(clusters[0]?.family, 'dual_wpdmtp.inf', 'most devices first');
  assert.deepEqual(wpdmtp, EXPECTED_WPDMTP_CLUSTER);
  assert.deepEqual(
    clusters.map((cluster) => [cluster.family, cluster.deviceCount]),
    [['dual_wpdmtp.inf', 3], ['dual_wstorvsp.inf', 2], ['dual_wvmbusr.inf', 2]],
  );
});

test('repaired corruption and corruption cleared by a later clean scan are not open', () => {
  const facts = loadFacts('case2-device');
  assert.equal(deviceClusterFacts(facts).size, 1);
  const repaired = facts.with({ corruption: facts.state.corruption.map((item) => ({ ...item, repaired: true })) });
  assert.equal(deviceClusterFacts(repaired).size, 0);
  const cleanScan = facts.state.scans.map((scan) => ({
    ...scan,
    at: '2024-06-20T09:00:00+08:00',
    result: '0x00000000',
    detected: { total: 0, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 0 },
  }));
  assert.equal(deviceClusterFacts(facts.with({ scans: [...facts.state.scans, ...cleanScan] })).size, 0, 'a later clean RestoreHealth closes it');
});

test('a failure far from the corruption evidence is not counted as blocked by it', () => {
  const facts = loadFacts('case2-device');
  const old = facts.state.failures.map((failure) => ({ ...failure, at: '2023-01-10T10:00:00+08:00' }));
  const packages = facts.state.packages.map((pkg) => (pkg.state === 'Failed' ? { ...pkg, lastChangeAt: '2023-01-10T10:00:00+08:00' } : pkg));
  const moved = facts.with({ failures: old, packages });
  const entry = deviceClusterFacts(moved).get('dual_wpdmtp.inf');
  assert.ok(entry);
  assert.deepEqual([...entry.blockedKbs], []);
});

test('full component keys are told apart from shortened or truncated ones', () => {
  assert.equal(isFullComponentKey('amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5'), true);
  assert.equal(isFullComponentKey('amd64_microsoft-windows-a..modernappmanagement_31bf3856ad364e35_10.0.19041.3636_none_23b3b3ece690d77b'), false);
  assert.equal(isFullComponentKey('amd64_dual_wpdmtp.inf 81bf3856ad364e35_10.0.19041.3636_none_1b16...'), false);
  assert.deepEqual(sortVersions(['10.0.19041.4355', '10.0.19041.746', '10.0.19041.3636']), ['10.0.19041.746', '10.0.19041.3636', '10.0.19041.4355']);
});
