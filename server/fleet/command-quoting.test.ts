// cmd.exe quoting: real values are quoted whole, values no quoting can hold are refused, templates keep every value inside quotes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cmdQuotingProblem, fillCommandTemplate, quoteCmdArgument, UnsafeCommandValueError } from './command-quoting';
import { REMEDIATION_RULES } from './rules/remediation-rules';

test('real paths, hosts, sources and update names are quoted whole, unchanged', () => {
  for (const value of [
    'C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5\\WpdMtpUS.dll',
    'Windows\\WinSxS\\amd64_userexperience-oobe_31bf3856ad364e35_10.0.26100.1591_none_54983d2d7a4908c4\\r\\OOBE\\webapps\\guidedsetup\\network\\area-content\\nl-NL\\area-content.local.json',
    'C:\\Windows\\WinSxS\\amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.3636_none_*',
    'wim:\\\\fs01\\images\\19045\\install.wim:1',
    'Package_1_for_KB983590~31bf3856ad364e35~amd64~de-@E~6.1.1.0.mum',
    'BANK-WS-0101',
    'kb5031445',
  ]) {
    assert.equal(cmdQuotingProblem(value), null, value);
    assert.equal(quoteCmdArgument(value), `"${value}"`);
  }
});

test('a value that could end its quoting, expand, join commands or break the line is refused, not escaped', () => {
  const refused = ['a"b', '%COMSPEC%', '!x!', 'a&b', 'a|b', 'a<b', 'a>b', 'a^b', 'a`b', '$(iwr x)', 'a\nb', 'a\rb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\uff02b', 'a\u201cb\u201d', 'a\u2028b', 'C:\\dir\\'];
  for (const value of refused) {
    assert.notEqual(cmdQuotingProblem(value), null, JSON.stringify(value));
    assert.throws(() => quoteCmdArgument(value), UnsafeCommandValueError, JSON.stringify(value));
  }
});

test('templates: values land inside their quotes; a [part] goes when its value is empty', () => {
  assert.deepEqual(fillCommandTemplate('copy /y "{path}" "{path}.bak"', { path: 'C:\\a b\\c.dll' }), { ok: true, line: 'copy /y "C:\\a b\\c.dll" "C:\\a b\\c.dll.bak"' });
  const restore = 'DISM /Online /Cleanup-Image /RestoreHealth[ /Source:"{repairSource}" /LimitAccess]';
  assert.deepEqual(fillCommandTemplate(restore, { repairSource: '' }), { ok: true, line: 'DISM /Online /Cleanup-Image /RestoreHealth' });
  assert.deepEqual(fillCommandTemplate(restore, { repairSource: 'wim:D:\\install.wim:1' }), { ok: true, line: 'DISM /Online /Cleanup-Image /RestoreHealth /Source:"wim:D:\\install.wim:1" /LimitAccess' });
});

test('templates: an unsafe value names its placeholder; the kind-specific rule is asked too', () => {
  const filled = fillCommandTemplate('dir "\\\\{host}\\C$"', { host: 'WS" & calc & rem "' });
  assert.equal(filled.ok, false);
  assert.equal(!filled.ok && filled.variable, 'host');
  const ruled = fillCommandTemplate('dir "{host}"', { host: 'not a host' }, (name, value) => (name === 'host' && value.includes(' ') ? 'is not a host name' : null));
  assert.deepEqual(ruled, { ok: false, variable: 'host', problem: 'is not a host name' });
});

test('templates: a placeholder outside quotes or a backslash before a closing quote is a template mistake', () => {
  assert.throws(() => fillCommandTemplate('mkdir C:\\PatchLens\\{kb}', { kb: 'KB1' }), /not inside double quotes/);
  assert.throws(() => fillCommandTemplate('dir "{folder}\\"', { folder: 'x' }), /backslash before a closing quote/);
  assert.throws(() => fillCommandTemplate('dir "{folder}', { folder: 'x' }), /unbalanced/);
});

test('every remediation rule keeps each of its placeholders inside quotes', () => {
  for (const rule of REMEDIATION_RULES) {
    for (const template of rule.commands) {
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
      const filled = fillCommandTemplate(template, Object.fromEntries(names.map((name) => [name, 'x'])));
      assert.equal(filled.ok, true, `${rule.id}: ${template}`);
    }
  }
});
