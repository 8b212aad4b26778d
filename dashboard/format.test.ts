// Formatting per locale: what an English and a Chinese-speaking admin see for the same numbers and times.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFormatter } from './format';

const en = createFormatter('en', 'UTC');
const zh = createFormatter('zh-CN', 'UTC');

test('numbers use the locale grouping', () => {
  assert.equal(en.number(100000), '100,000');
  assert.equal(zh.number(100000), '100,000');
  assert.equal(new Intl.NumberFormat('de').format(1000), '1.000', 'Intl has full ICU data, so locale differences are real');
});

test('percentages take 0–100 and keep one decimal', () => {
  assert.equal(en.percent(97.25), '97.3%');
  assert.equal(zh.percent(50), '50%');
});

test('dates follow the locale order and script', () => {
  assert.equal(en.date('2024-11-21T05:55:15Z'), 'Nov 21, 2024');
  assert.equal(zh.date('2024-11-21T05:55:15Z'), '2024年11月21日');
  assert.match(zh.dateTime('2024-11-21T05:55:15Z'), /^2024年11月21日 05:55$/);
  assert.equal(en.date('2024-06-12'), 'Jun 12, 2024', 'plain dates are not shifted by a time zone');
});

test('log times without an offset are shown as written', () => {
  assert.match(createFormatter('en', 'Asia/Shanghai').dateTime('2024-11-21T13:55:22'), /1:55\s?PM/);
  assert.match(createFormatter('en', 'Asia/Shanghai').dateTime('2024-11-21T05:55:22Z'), /1:55\s?PM/, 'UTC times move to the viewer zone');
});

test('ages read naturally in both languages', () => {
  const now = Date.parse('2024-11-21T12:00:00Z');
  assert.equal(en.ago('2024-11-21T09:00:00Z', now), '3 hours ago');
  assert.equal(zh.ago('2024-11-21T09:00:00Z', now), '3小时前');
  assert.equal(en.ago('2024-11-19T12:00:00Z', now), '2 days ago');
  assert.equal(en.ago(null, now), '—');
});

test('missing values show a dash, unparsable ones as given', () => {
  assert.equal(en.dateTime(null), '—');
  assert.equal(en.dateTime('not a time'), 'not a time');
  assert.equal(en.bytes(20133120), '19.2 MB');
});
