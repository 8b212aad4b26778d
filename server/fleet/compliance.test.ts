// Baseline compliance on the support-case devices: supersedence, failures, due dates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateCatalog } from '../../protocol/catalog';
import type { Baseline } from '../../protocol/fleet-api';
import { loadFacts } from '../../test/server/fleet/fixtures';
import { baselineStanding, complianceSummary, statusAt } from './compliance';
import { DeviceFacts } from './device-state';

const september: Baseline = { id: 1, kb: 'KB5043064', appliesTo: 19045, dueDate: '2024-10-01', name: 'September 2024 LCU', createdAt: '2024-09-15T00:00:00Z' };

function device(osBuild: string, extra: Partial<ConstructorParameters<typeof DeviceFacts>[0]> = {}): DeviceFacts {
  return new DeviceFacts(
    { id: `d-${osBuild}`, hostname: 'H', osBuild, lastSeenAt: '2024-11-21T00:00:00Z', packages: [], failures: [], corruption: [], scans: [], hotfixes: [], ...extra },
    updateCatalog(),
  );
}

test('a device on 19045.4894 has KB5043064 and every older cumulative update of its family', () => {
  const facts = device('19045.4894');
  assert.equal(facts.hasInstalled('KB5043064'), true);
  assert.equal(facts.hasInstalled('KB5036892'), true, 'April 2024 LCU is contained in September 2024');
  assert.equal(facts.hasInstalled('KB5031445'), true, '19045.3636 preview is contained');
  assert.equal(facts.hasInstalled('KB5044273'), false, 'October 2024 is newer than the build');
  assert.equal(baselineStanding(september, facts), 'compliant');
});

test('a later cumulative update installed as a package satisfies an older baseline (supersedence)', () => {
  const facts = device('19045.4780', {
    packages: [{ identity: 'Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.5131.1.9', kb: 'KB5046613', state: 'Install Pending', lastResult: null, failureSource: null, lastChangeAt: null, client: null }],
  });
  assert.equal(baselineStanding(september, facts), 'pending', 'Install Pending is not installed yet');
  const installed = device('19045.4780', { hotfixes: [{ kb: 'KB5046613', installedOn: '2024-11-13' }] });
  assert.equal(baselineStanding(september, installed), 'compliant');
});

test('support case 1 devices failed KB5043064; the healthy donor is compliant through KB5046613', () => {
  assert.equal(baselineStanding(september, loadFacts('case1-device-a')), 'failed');
  assert.equal(baselineStanding(september, loadFacts('case1-device-b')), 'failed');
  assert.equal(baselineStanding(september, loadFacts('healthy-donor')), 'compliant');
  const april: Baseline = { ...september, id: 2, kb: 'KB5036892', dueDate: '2024-05-01' };
  assert.equal(baselineStanding(april, loadFacts('case2-device')), 'failed');
  assert.equal(baselineStanding(april, loadFacts('case1-device-a')), 'compliant', '19045.4780 contains the April update');
});

test('missing becomes overdue the day after the due date; other OS builds are not counted', () => {
  const facts = device('19045.4170');
  assert.equal(baselineStanding(september, facts), 'unsatisfied');
  assert.equal(statusAt('unsatisfied', september, new Date('2024-10-01T23:59:59Z')), 'missing');
  assert.equal(statusAt('unsatisfied', september, new Date('2024-10-02T00:00:00Z')), 'overdue');
  assert.equal(baselineStanding(september, device('22631.4169')), null);
  assert.equal(baselineStanding(september, device('19044.4170')), null, '19044 is not 19045');
  assert.equal(baselineStanding({ ...september, appliesTo: 19041 }, device('19044.4894')), 'compliant', 'family 19041 covers 19044');
});

test('fleet percentage counts compliant devices among those the baseline applies to', () => {
  const summary = complianceSummary(september, { compliant: 1, pending: 0, failed: 2, unsatisfied: 1 }, new Date('2024-11-21T00:00:00Z'));
  assert.equal(summary.applicable, 4);
  assert.equal(summary.compliancePercent, 25);
  assert.equal(summary.overdue, 1);
  assert.equal(summary.missing, 0);
});
