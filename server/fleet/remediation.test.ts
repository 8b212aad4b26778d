// Remediation on the support cases: donors, exact WinSxS paths, the shipping update, and why each step applies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFleet, remediateInFleet } from '../../test/server/fleet/fixtures';
import { rankDonors, winsxsPaths } from './remediation';

const fleet = loadFleet;
const remediate = remediateInFleet;

test('support case 2: donor copy of the exact WinSxS file, RestoreHealth, SFC, retry, then KB5031445', () => {
  const all = fleet();
  const steps = remediate(all[2]!, all);
  assert.deepEqual(steps.map((step) => step.rule), ['copy-from-donor', 'restore-health-from-donor', 'sfc-scannow', 'retry-update', 'install-shipping-update']);
  const [copy, restore, , retry, ship] = steps;
  assert.deepEqual(copy?.donors?.map((donor) => donor.hostname), ['BANK-WS-0101']);
  assert.deepEqual(copy?.paths, ['C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll']);
  assert.ok(copy?.commands.includes(
    'copy /y "\\\\BANK-WS-0101\\C$\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll" "C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll"',
  ));
  assert.match(copy?.why ?? '', /0x800f081f \(CBS_E_SOURCE_MISSING\)/);
  assert.match(copy?.why ?? '', /BANK-WS-0101 runs build 19045\.5131.*KB5036892 installed/);
  assert.deepEqual(restore?.commands, ['DISM /Online /Cleanup-Image /RestoreHealth /Source:"\\\\BANK-WS-0101\\C$\\Windows\\WinSxS" /LimitAccess']);
  assert.equal(retry?.kb, 'KB5036892');
  assert.match(retry?.why ?? '', /0x8007000d \(ERROR_INVALID_DATA\) while dual_wpdmtp\.inf corruption was open/);
  assert.equal(ship?.kb, 'KB5031445');
  assert.deepEqual(ship?.commands, [
    'mkdir "C:\\PatchLens\\KB5031445"',
    'expand -F:* "windows10.0-kb5031445-x64.msu" "C:\\PatchLens\\KB5031445"',
    'DISM /Online /Add-Package /PackagePath:"C:\\PatchLens\\KB5031445\\Windows10.0-kb5031445-x64.cab"',
  ]);
  assert.match(ship?.why ?? '', /OS build 19045\.3636.*shipped dual_wpdmtp\.inf 10\.0\.19041\.3636.*own 10\.0\.19041\.746 is not in the update catalog/);
  assert.deepEqual(steps.map((step) => step.order), [1, 2, 3, 4, 5]);
});

test('each step carries the facts of its title and reason, language-free, so clients can word it themselves', () => {
  const all = fleet();
  const steps = remediate(all[2]!, all);
  const [copy, restore, sfc, retry, ship] = steps;
  assert.deepEqual(copy?.params, {
    scope: 'device',
    sourceMissingCode: '0x800f081f',
    sourceMissingName: 'CBS_E_SOURCE_MISSING',
    sourceMissingLogLine: 'Repair failed: Missing replacement payload.',
    sourceMissingDevices: '',
    family: 'dual_wpdmtp.inf',
    versions: '10.0.19041.746',
    donorHost: 'BANK-WS-0101',
    donorBuild: '19045.5131',
    donorKbs: 'KB5036892',
    partialKey: '',
  });
  assert.deepEqual(Object.keys(restore?.params ?? {}).sort(), ['donorHost', 'sourceMissingCode', 'sourceMissingDevices', 'sourceMissingLogLine', 'sourceMissingName']);
  assert.deepEqual(sfc?.params, { families: 'dual_wpdmtp.inf' });
  assert.deepEqual(retry?.params, { kb: 'KB5036892', hresult: '0x8007000d', hresultName: 'ERROR_INVALID_DATA', blockedBy: 'dual_wpdmtp.inf' });
  assert.equal(ship?.params.shipKb, 'KB5031445');
  assert.equal(ship?.params.shipVersion, '10.0.19041.3636');
  assert.equal(ship?.params.shipVersionFromFleet, 'true', 'the shipped version was seen on other devices, not this one');
  for (const step of steps) {
    for (const value of Object.values(step.params)) assert.doesNotMatch(value, /\b(the|unknown|while|installed)\b/i, `${step.rule}: params carry facts, not English prose`);
  }
});

test('support case 1: the SUR-reported version 10.0.19041.3636 maps to KB5031445; shortened keys get a lookup command', () => {
  const all = fleet();
  const steps = remediate(all[0]!, all);
  const ships = steps.filter((step) => step.rule === 'install-shipping-update').map((step) => `${step.family} ${step.kb}`);
  assert.ok(ships.includes('dual_wpdmtp.inf KB5031445'));
  const copy = steps.find((step) => step.rule === 'copy-from-donor' && step.family === 'dual_wpdmtp.inf');
  assert.deepEqual(copy?.paths, [
    'C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.3636_none_*\\WpdMtpUS.dll',
    'C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.4355_none_*\\WpdMtpUS.dll',
  ]);
  assert.match(copy?.commands[0] ?? '', /^dir \/b \/ad "\\\\BANK-WS-0101\\C\$\\Windows\\WinSxS\\amd64_dual_wpdmtp\.inf_31bf3856ad364e35_10\.0\.19041\.3636_none_\*"/);
  assert.equal(steps.filter((step) => step.rule === 'retry-update').map((step) => step.kb).join(), 'KB5043064');
});

test('donors: same OS build, healthy for the family, and the failing update installed; newest report first', () => {
  const all = fleet();
  const olderTwin = all[3]!.with({ id: 'bank-ws-0102', hostname: 'BANK-WS-0102', lastSeenAt: '2024-11-01T00:00:00Z' });
  const otherBuild = all[3]!.with({ id: 'bank-ws-0103', hostname: 'BANK-WS-0103', osBuild: '22631.4460' });
  const notUpdated = all[3]!.with({ id: 'bank-ws-0104', hostname: 'BANK-WS-0104', osBuild: '19045.4780', packages: [], hotfixes: [] });
  const donors = rankDonors([...all, olderTwin, otherBuild, notUpdated], 'dual_wpdmtp.inf', { osMajor: 19045, kbs: ['KB5043064'], excludeId: 'bank-ws-0412' });
  assert.deepEqual(donors.map((donor) => donor.deviceId), ['bank-ws-0101', 'bank-ws-0102']);
  assert.equal(rankDonors(all, 'dual_wpdmtp.inf', { osMajor: 19045, kbs: ['KB5120249'] }).length, 0, 'nobody has the newest update');
});

test('without DISM source-missing evidence there are no donor or shipping-update steps; a configured source is used', () => {
  const all = fleet();
  const facts = all[2]!;
  const plain = facts.with({
    scans: [],
    corruption: facts.state.corruption.map((item) => ({ ...item, evidence: ['amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll'] })),
  });
  const steps = remediate(plain, [all[0]!, plain, all[3]!], 'wim:\\\\fs01\\images\\19045\\install.wim:1');
  assert.deepEqual(steps.map((step) => step.rule), ['restore-health', 'sfc-scannow', 'retry-update']);
  assert.deepEqual(steps[0]?.commands, ['DISM /Online /Cleanup-Image /RestoreHealth /Source:"wim:\\\\fs01\\images\\19045\\install.wim:1" /LimitAccess']);
  assert.deepEqual(remediate(plain, [all[0]!, plain, all[3]!])[0]?.commands, ['DISM /Online /Cleanup-Image /RestoreHealth'], 'without a source, Windows Update');
  assert.equal(remediate(all[3]!, all).length, 0, 'a healthy device needs nothing');
});

test('paths use the full component key when the log gave it', () => {
  assert.deepEqual(
    winsxsPaths({ family: 'dual_wpdmtp.inf', arch: 'amd64', versions: ['10.0.19041.746'], files: ['WpdMtpUS.dll'], components: ['amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5'], fleetVersions: [] }),
    ['C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll'],
  );
});

test('an update waiting for a restart is the one step, naming only the update that waits', () => {
  const all = fleet();
  const donor = all[3]!;
  const pending = donor.with({
    packages: [
      ...donor.state.packages,
      { identity: 'Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.5247.1.8', kb: 'KB5048652', state: 'Install Pending', lastResult: null, failureSource: null, lastChangeAt: '2024-12-11T09:00:00+08:00', client: 'WindowsUpdateAgent' },
    ],
  });
  const steps = remediate(pending, all);
  assert.deepEqual(steps.map((step) => step.rule), ['restart-pending']);
  assert.deepEqual(steps[0]?.commands, ['shutdown /r /t 0']);
  assert.match(steps[0]?.why ?? '', /^KB5048652 installed but wait for a restart/);
});
