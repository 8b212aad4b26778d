// Component and package identity parsing on identities quoted verbatim from real servicing logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findComponentKey,
  normalizeArch,
  parseComponentIdentity,
  parseComponentKey,
  parseKeyWithPath,
  parsePackageIdentity,
  parseQuotedName,
  repairIdentityDamage,
} from './component-identity';

test('a WinSxS key yields the family without arch, token, version and hash', () => {
  const id = parseComponentKey('amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5');
  assert.deepEqual(id, {
    family: 'dual_wpdmtp.inf',
    arch: 'amd64',
    version: '10.0.19041.746',
    culture: null,
    publicKeyToken: '31bf3856ad364e35',
    text: 'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5',
  });
});

test('truncated names keep their .. and cultures are kept', () => {
  const truncated = parseComponentKey('amd64_microsoft-windows-a..modernappmanagement_31bf3856ad364e35_10.0.19041.3636_none_23b3b3ece690d77b');
  assert.equal(truncated?.family, 'microsoft-windows-a..modernappmanagement');
  const msil = parseComponentKey('msil_system.windows.forms.resources_b77a5c561934e089_6.1.7600.16385_pl-pl_ab5ad87ef86e3175');
  assert.equal(msil?.family, 'system.windows.forms.resources');
  assert.equal(msil?.arch, 'msil');
  assert.equal(msil?.culture, 'pl-pl');
  assert.equal(parseComponentKey('wow64_windowssearchengine_31bf3856ad364e35_7.0.14393.206_none_b351c84b3e083664')?.arch, 'wow64');
});

test('a key with a path inside the component folder keeps the path verbatim, including 26100 \\r\\', () => {
  const classic = parseKeyWithPath('amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.3636_none_1b16f5d8e4c8c7a1\\WpdMtpUS.dll');
  assert.equal(classic?.identity.family, 'dual_wpdmtp.inf');
  assert.equal(classic?.identity.version, '10.0.19041.3636');
  assert.equal(classic?.file, 'WpdMtpUS.dll');
  const w11 = parseKeyWithPath('amd64_microsoft-windows-w..ommand-line-utility_31bf3856ad364e35_10.0.26100.1150_none_3d9125d57cc0da9e\\r\\WMIC.exe');
  assert.equal(w11?.identity.family, 'microsoft-windows-w..ommand-line-utility');
  assert.equal(w11?.file, 'r\\WMIC.exe');
  assert.equal(parseKeyWithPath('Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.19041.4291'), null);
});

test('keys are found inside CheckSUR rows whose separators vanished', () => {
  const glued = findComponentKey('identityamd64_microsoft-windows-gwx-task_31bf3856ad364e35_6.1.7601.18915_none_b9eaae23db3447eb');
  assert.equal(glued?.identity.family, 'microsoft-windows-gwx-task');
  assert.equal(glued?.before, 'identity');
  const withRegistry = findComponentKey('amd64_microsoft-windows-gwx-task_31bf3856ad364e35_6.1.7601.18915_none_b9eaae23db3447ebHKLM\\Components\\DerivedData\\Components');
  assert.equal(withRegistry?.identity.version, '6.1.7601.18915');
  assert.equal(withRegistry?.after, 'HKLM\\Components\\DerivedData\\Components');
  assert.equal(findComponentKey('winsxs\\Manifests\\amd64_f060b11a85314ba4740e98f49a6'), null);
});

test('quoted names in every length-prefix spelling, including OCR damage', () => {
  assert.equal(parseQuotedName("Hashes for file member [l:12]'WpdMtpUS.dll' do not match.")?.value, 'WpdMtpUS.dll');
  assert.equal(parseQuotedName("[l:77 ml:140]'amd64_microsoft-copilot_31bf3856ad364e35_10.0.26100.712_none_70c07f1218639276'[gle=0x80004005]")?.rest, '[gle=0x80004005]');
  assert.equal(parseQuotedName('name: [l:162{81}]"Package_221_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4.3172605-377_neutral_LDR" ncdata')?.value,
    'Package_221_for_KB3172605~31bf3856ad364e35~amd64~~6.1.1.4.3172605-377_neutral_LDR');
  assert.equal(parseQuotedName('[ml:520{260},l:108{54}]"??\\E:\\Program Files\\Common Files\\Microsoft Shared\\DAO"[l:20{10}]"dao360.dll" from store')?.value,
    '??\\E:\\Program Files\\Common Files\\Microsoft Shared\\DAO');
  assert.equal(parseQuotedName("type [1:14]'dualModeDriver'")?.value, 'dualModeDriver');
  assert.equal(parseQuotedName('no quoted name here'), null);
});

test('Win10+ identity strings', () => {
  const id = parseComponentIdentity('dual_wpdmtp.inf, version 10.0.19041.746, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}');
  assert.equal(id?.family, 'dual_wpdmtp.inf');
  assert.equal(id?.version, '10.0.19041.746');
  assert.equal(id?.arch, 'amd64');
  assert.equal(id?.publicKeyToken, '31bf3856ad364e35');
  const damaged = parseComponentIdentity('dual_wvmbusr.inf, version 10.0.19041.4597, arch amd64, nonSxS, pkt [1:8 b:31bf3856ad364e35]');
  assert.equal(damaged?.publicKeyToken, '31bf3856ad364e35');
});

test('Win7 and 1809 identity strings', () => {
  const win7 = parseComponentIdentity('Microsoft-Windows-IE-WinsockAutodialStub, Version = 6.0.5752.0, pA = PROCESSOR_ARCHITECTURE_INTEL (0), Culture neutral, VersionScope = 1 nonSxS, PublicKeyToken = {l:8 b:31bf3856ad364e35}, Type neutral, TypeName neutral, PublicKey neutral');
  assert.equal(win7?.family, 'Microsoft-Windows-IE-WinsockAutodialStub');
  assert.equal(win7?.version, '6.0.5752.0');
  assert.equal(win7?.arch, 'x86');
  assert.equal(win7?.culture, null);
  const rs5 = parseComponentIdentity('Microsoft-Windows-DLNA-MDEServer, Culture=neutral, Version=10.0.17763.1697, PublicKeyToken=<PublicKeyToken> , ProcessorArchitecture=amd64, versionScope=NonSxS');
  assert.equal(rs5?.version, '10.0.17763.1697');
  assert.equal(rs5?.arch, 'amd64');
  assert.equal(parseComponentIdentity('Failed to resolve package, try again'), null);
});

test('package identities give the package name as family', () => {
  const pkg = parsePackageIdentity('Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.19041.4291');
  assert.equal(pkg?.family, 'Microsoft-Windows-Client-Features-Package');
  assert.equal(pkg?.version, '10.0.19041.4291');
  assert.equal(pkg?.arch, 'amd64');
  const mum = parsePackageIdentity('servicing\\Packages\\Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum Line 1:');
  assert.equal(mum?.family, 'Package_2_for_KB2079403');
  assert.equal(mum?.text, 'Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0');
  const damagedLang = parsePackageIdentity('Microsoft-OneCore-Connectivity-Bluetooth-WOW64-Package~31bf3856ad364e35~amd64~de-@E~10.0.14393.0');
  assert.equal(damagedLang?.version, '10.0.14393.0');
  const noArch = parsePackageIdentity('Microsoft-Windows-IE-Hyphenation-Parent-Package-English~31bf3856ad364e35~~~11.2.9412.0.mum');
  assert.equal(noArch?.arch, null);
});

test('architecture words map to one spelling', () => {
  assert.equal(normalizeArch('PROCESSOR_ARCHITECTURE_AMD64 (9)'), 'amd64');
  assert.equal(normalizeArch('PROCESSOR_ARCHITECTURE_INTEL'), 'x86');
  assert.equal(normalizeArch('PROCESSOR_ARCHITECTURE_IA32_ON_WIN64 (10)'), 'wow64');
  assert.equal(normalizeArch('ARM64'), 'arm64');
  assert.equal(normalizeArch('z80'), null);
});

test('e-mail damage of identity syntax is restored', () => {
  assert.equal(repairIdentityDamage("pkt [1:8 b:31bf3856ad364e35], type [1:14]'dualModeDriver'"),
    "pkt {l:8 b:31bf3856ad364e35}, type [l:14]'dualModeDriver'");
});
