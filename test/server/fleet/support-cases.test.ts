// The two support cases plus a healthy donor, ingested over HTTP: cluster, blockedKbs, compliance, errors, donors, remediation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cluster, ErrorSummary, FleetSummary, KbSummary, RemediationStep } from '../../../protocol/fleet-api';
import { bearer, startFleetServer, type FleetTestServer } from './fleet-server';
import { EXPECTED_WPDMTP_CLUSTER } from './fixtures';

describe('support cases through the server', () => {
  let server: FleetTestServer;
  before(async () => {
    server = await startFleetServer();
    const baseline = (body: object) => server.http.post('/api/v1/baselines').set(bearer(server.admin)).send(body).expect(201);
    await baseline({ kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01', name: 'September 2024 LCU' });
    await baseline({ kb: 'KB5036892', appliesTo: 19045, dueDate: '2024-05-01', name: 'April 2024 LCU' });
    await server.fleet.baselines.whenApplied();
    for (const name of ['case2-device', 'healthy-donor', 'case1-device-a', 'case1-device-b'] as const) {
      assert.equal(await server.ingest(name), 202, name);
    }
  });
  after(() => server.close());

  const get = async <T>(path: string): Promise<T> => (await server.http.get(`/api/v1${path}`).set(bearer(server.viewer)).expect(200)).body as T;

  test('one dual_wpdmtp.inf cluster spans both cases and blocks both KBs', async () => {
    const clusters = await get<Cluster[]>('/corruption/clusters');
    assert.deepEqual(clusters[0], EXPECTED_WPDMTP_CLUSTER);
    assert.deepEqual(clusters.map((cluster) => `${cluster.family}:${cluster.deviceCount}`), ['dual_wpdmtp.inf:3', 'dual_wstorvsp.inf:2', 'dual_wvmbusr.inf:2']);
  });

  test('errors are counted per device by number, with the table name (not the name the log printed)', async () => {
    const { items } = await get<{ items: ErrorSummary[] }>('/errors');
    const invalidData = items.find((item) => item.hresult === '0x8007000d');
    assert.equal(invalidData?.deviceCount, 3);
    assert.equal(invalidData?.name, 'ERROR_INVALID_DATA');
    assert.match(invalidData?.meaning ?? '', /data is invalid/i);
    assert.match(invalidData?.typicalFix ?? '', /RestoreHealth/);
    assert.deepEqual(invalidData?.kbs, [{ kb: 'KB5043064', deviceCount: 2 }, { kb: 'KB5036892', deviceCount: 1 }]);
    const sourceMissing = items.find((item) => item.hresult === '0x800f081f');
    assert.equal(sourceMissing?.deviceCount, 3);
    assert.equal(sourceMissing?.name, 'CBS_E_SOURCE_MISSING');
  });

  test('fleet summary: totals, failing and corrupt devices, and compliance with supersedence', async () => {
    const summary = await get<FleetSummary>('/fleet/summary');
    assert.deepEqual([summary.total, summary.reporting, summary.stale], [4, 4, 0]);
    assert.equal(summary.failingDevices, 3);
    assert.equal(summary.devicesWithCorruption, 3);
    const [september, april] = summary.compliance;
    assert.deepEqual(
      { applicable: september?.applicable, compliant: september?.compliant, failed: september?.failed, overdue: september?.overdue, percent: september?.compliancePercent },
      { applicable: 4, compliant: 1, failed: 2, overdue: 1, percent: 25 },
    );
    assert.deepEqual(
      { compliant: april?.compliant, failed: april?.failed, percent: april?.compliancePercent },
      { compliant: 3, failed: 1, percent: 75 },
      '19045.4780 contains April; the donor has it through KB5046613',
    );
  });

  test('per-KB device counts by state', async () => {
    const { items } = await get<{ items: KbSummary[] }>('/kbs');
    const september = items.find((item) => item.kb === 'KB5043064');
    assert.deepEqual(september?.states, { Failed: 2, Superseded: 1 });
    assert.equal(september?.build, '19045.4894');
    assert.deepEqual(items.find((item) => item.kb === 'KB5036892')?.states, { Failed: 1 });
  });

  test('case 2 device: donor on the same build, exact WinSxS path, KB5031445 with expand + DISM', async () => {
    const detail = await get<{ remediation: RemediationStep[]; compliance: { kb: string; status: string }[]; clusters: string[] }>('/devices/bank-ws-2231');
    assert.deepEqual(detail.clusters, ['dual_wpdmtp.inf']);
    assert.deepEqual(detail.compliance.map((item) => `${item.kb}:${item.status}`), ['KB5043064:overdue', 'KB5036892:failed']);
    assert.deepEqual(detail.remediation.map((step) => step.rule), ['copy-from-donor', 'restore-health-from-donor', 'sfc-scannow', 'retry-update', 'install-shipping-update']);
    const [copy, , , , ship] = detail.remediation;
    assert.deepEqual(copy?.donors?.map((donor) => `${donor.hostname} ${donor.osBuild}`), ['BANK-WS-0101 19045.5131']);
    assert.deepEqual(copy?.paths, ['C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll']);
    assert.equal(ship?.kb, 'KB5031445');
    assert.ok(ship?.commands.some((command) => command.startsWith('expand -F:* "windows10.0-kb5031445-x64.msu"')));
    assert.ok(ship?.commands.some((command) => command.startsWith('DISM /Online /Add-Package /PackagePath:"C:\\PatchLens\\KB5031445\\')));
    for (const step of detail.remediation) assert.ok(step.why.length > 40, `step ${step.rule} says why`);
  });

  test('case 1 devices are not donors for each other; the cluster drill-down offers the donor and KB5031445', async () => {
    const detail = await get<{ remediation: RemediationStep[] }>('/devices/bank-ws-0412');
    const donors = detail.remediation.flatMap((step) => step.donors ?? []).map((donor) => donor.deviceId);
    assert.ok(donors.length > 0 && donors.every((id) => id === 'bank-ws-0101'));
    const drill = await get<{ cluster: Cluster; remediation: RemediationStep[]; devices: { id: string }[]; builds: Record<string, number> }>(
      '/corruption/clusters/dual_wpdmtp.inf',
    );
    assert.deepEqual(drill.devices.map((device) => device.id), ['bank-ws-0412', 'bank-ws-0977', 'bank-ws-2231']);
    assert.deepEqual(drill.builds, { '19045': 3 });
    const rules = drill.remediation.map((step) => `${step.rule}${step.kb ? `:${step.kb}` : ''}`);
    assert.ok(rules.includes('copy-from-donor'));
    assert.ok(rules.includes('install-shipping-update:KB5031445'));
    assert.ok(rules.includes('retry-update:KB5036892') && rules.includes('retry-update:KB5043064'));
  });

  test('device list filters by KB state, HRESULT and family, with keyset paging', async () => {
    const ids = async (query: string) => (await get<{ items: { id: string }[] }>(`/devices?${query}`)).items.map((item) => item.id);
    assert.deepEqual(await ids('kb=KB5043064&state=Failed'), ['bank-ws-0412', 'bank-ws-0977']);
    assert.deepEqual(await ids('hresult=0x8007000d'), ['bank-ws-0412', 'bank-ws-0977', 'bank-ws-2231']);
    assert.deepEqual(await ids('family=dual_wpdmtp.inf&osBuild=19045.4170'), ['bank-ws-2231']);
    const first = await get<{ items: { id: string }[]; nextCursor: string | null }>('/devices?limit=3&sort=hostname&order=desc');
    assert.deepEqual(first.items.map((item) => item.id), ['bank-ws-2231', 'bank-ws-0977', 'bank-ws-0412']);
    const second = await get<{ items: { id: string }[]; nextCursor: string | null }>(`/devices?limit=3&sort=hostname&order=desc&cursor=${first.nextCursor}`);
    assert.deepEqual(second.items.map((item) => item.id), ['bank-ws-0101']);
    assert.equal(second.nextCursor, null);
  });

  test('a repeated or unchanged report changes nothing; a repaired device leaves the cluster and the counts', async () => {
    assert.equal(await server.ingest('case2-device'), 200);
    const unchanged = await server.ingest('case1-device-b', (report) => {
      report.reportId = 'case1-bank-ws-0977-unchanged';
      report.sequence = 2;
    });
    assert.equal(unchanged, 202);
    assert.deepEqual((await get<Cluster[]>('/corruption/clusters'))[0], EXPECTED_WPDMTP_CLUSTER);
    assert.equal((await get<FleetSummary>('/fleet/summary')).failingDevices, 3);
    const status = await server.ingest('case2-device', (report) => {
      report.reportId = 'case2-bank-ws-2231-after-repair';
      report.sequence = 2;
      report.generatedAt = '2024-06-20T02:00:00Z';
      report.device.osBuild = '19045.4291';
      report.packages = report.packages.map((pkg) => (pkg.kb === 'KB5036892' ? { ...pkg, state: 'Installed', lastResult: null } : pkg));
      report.corruption = report.corruption.map((item) => ({ ...item, repaired: true }));
      report.scans = [{ ...report.scans[0]!, at: '2024-06-20T09:40:00+08:00', result: '0x00000000', detected: { total: 0, cbsManifest: 0, cbsMetadata: 0, csiManifest: 0, csiMetadata: 0, csiPayload: 0 } }];
    });
    assert.equal(status, 202);
    const cluster = (await get<Cluster[]>('/corruption/clusters'))[0];
    assert.equal(cluster?.deviceCount, 2);
    assert.deepEqual(cluster?.blockedKbs, ['KB5043064']);
    assert.deepEqual(cluster?.versions, ['10.0.19041.3636', '10.0.19041.4355']);
    const errors = await get<{ items: ErrorSummary[] }>('/errors');
    assert.equal(errors.items.find((item) => item.hresult === '0x8007000d')?.deviceCount, 2);
  });
});
