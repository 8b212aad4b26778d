// KB mapping of package identities (contract §2 and cbs-formats.md §2.2–2.4 identities).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateCatalog } from '../protocol/catalog';
import { cleanIdentity, kbOfPackage, kbOfUpdateName, rollupBuildOf } from './package-identity';

const catalog = updateCatalog();

test('identities that name their KB map directly', () => {
  assert.equal(kbOfPackage('Package_for_KB5036892~31bf3856ad364e35~amd64~~10.0.1.0', catalog), 'KB5036892');
  assert.equal(kbOfPackage('Package_561_for_KB4462926~31bf3856ad364e35~amd64~~6.3.1.5', catalog), 'KB4462926');
  assert.equal(kbOfPackage('Package_for_KB2079403_RTM~31bf3856ad364e35~amd64~~6.1.1.0', catalog), 'KB2079403');
});

test('RollupFix and ServicingStack identities map through the catalog', () => {
  assert.equal(kbOfPackage('Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9', catalog), 'KB5043064');
  assert.equal(kbOfPackage('Package_for_ServicingStack_4585~31bf3856ad364e35~amd64~~19041.4585.1.4', catalog), 'KB5039336');
  // Server 2022 SSU 3081 is not in the catalog: unknown, not guessed.
  assert.equal(kbOfPackage('Package_for_ServicingStack_3081~31bf3856ad364e35~amd64~~20348.3081.1.1', catalog), null);
  assert.equal(kbOfPackage('Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428', catalog), null);
});

test('Update: and Identifier: values name the KB', () => {
  assert.equal(kbOfUpdateName('4462926-917_neutral_GDR because it is already in the correct state.'), 'KB4462926');
  assert.equal(kbOfUpdateName('KB777778'), 'KB777778');
  assert.equal(kbOfUpdateName('Microsoft-Windows-Deployment-Services'), null);
});

test('identities are cleaned of quotes, trailing periods, HRESULT brackets and Markdown escapes', () => {
  assert.equal(cleanIdentity('Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4. [HRESULT = 0x800f0831 - CBS_E_STORE_CORRUPTION]'), 'Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4');
  assert.equal(cleanIdentity("'Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4'"), 'Package_2074_for_KB4088876~31bf3856ad364e35~amd64~~6.3.1.4');
  assert.equal(cleanIdentity('Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64`~~`6.3.9600.16384'), 'Microsoft-Windows-Deployment-Services-Package~31bf3856ad364e35~amd64~~6.3.9600.16384');
  assert.equal(cleanIdentity('  '), null);
});

test('the OS build of a cumulative-update package', () => {
  assert.deepEqual(rollupBuildOf('Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.4894.1.9'), { major: 19041, revision: 4894 });
  assert.deepEqual(rollupBuildOf('Package_for_RollupFix~31bf3856ad364e35~amd64~~14393.2312.1.14'), { major: 14393, revision: 2312 });
  assert.equal(rollupBuildOf('Package_for_KB4132216~31bf3856ad364e35~amd64~~10.0.1.0'), null);
});
