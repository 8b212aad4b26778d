// Both languages ship the same messages with the same placeholders, and the language follows the browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from './en';
import { CATALOGS, pickLocale, translator } from './index';
import { zhCN } from './zh-CN';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

test('en and zh-CN have identical keys', () => {
  assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
});

test('every translation keeps the placeholders of the English text and is translated', () => {
  for (const [key, text] of Object.entries(en)) {
    const chinese = zhCN[key as keyof typeof en];
    assert.deepEqual(placeholders(chinese), placeholders(text), `placeholders of ${key}`);
    assert.ok(chinese.trim().length > 0, `${key} is empty in zh-CN`);
  }
  const untranslated = Object.keys(en).filter((key) => zhCN[key as keyof typeof en] === en[key as keyof typeof en] && /[a-z]{3}/.test(en[key as keyof typeof en]));
  assert.deepEqual(untranslated, [], 'zh-CN strings that are still English');
});

test('the browser language decides until the user picks one', () => {
  assert.equal(pickLocale(null, ['zh-CN', 'en']), 'zh-CN');
  assert.equal(pickLocale(null, ['zh-TW']), 'zh-CN');
  assert.equal(pickLocale(null, ['en-GB']), 'en');
  assert.equal(pickLocale(null, ['fr-FR', 'de']), 'en');
  assert.equal(pickLocale('en', ['zh-CN']), 'en', 'a saved choice wins');
  assert.equal(pickLocale('xx', ['zh-CN']), 'zh-CN', 'an unknown saved value is ignored');
});

test('placeholders are filled, unknown ones left visible', () => {
  const t = translator('zh-CN');
  assert.equal(t('overview.staleAfter', { hours: 336 }), '超过 336 小时未上报');
  assert.equal(translator('en')('admin.uses', {}), '{count} uses');
  assert.equal(Object.keys(CATALOGS).length, 2);
});
