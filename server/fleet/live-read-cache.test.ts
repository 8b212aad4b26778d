// Live refreshes share one computation per tick; other reads are always fresh; a tick or a failure ends the sharing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveReadCache } from './live-read-cache';

function counting() {
  let runs = 0;
  return { compute: async () => ++runs, runs: () => runs };
}

test('live refreshes between two ticks share one computation; the next tick makes the next refresh compute again', async () => {
  const cache = new LiveReadCache();
  const summary = counting();
  const answers = await Promise.all(Array.from({ length: 1_000 }, () => cache.shared('summary', summary.compute)));
  assert.ok(answers.every((value) => value === 1));
  assert.equal(summary.runs(), 1, '1,000 dashboards refreshing on the same tick cost one computation');
  cache.clear(); // what the next live tick does
  assert.equal(await cache.shared('summary', summary.compute), 2);
  assert.equal(summary.runs(), 2);
});

test('a read that is not a live refresh always computes, and the refreshes after it reuse that value', async () => {
  const cache = new LiveReadCache();
  const kbs = counting();
  assert.equal(await cache.shared('kbs', kbs.compute), 1);
  assert.equal(await cache.fresh('kbs', kbs.compute), 2, 'a script or a first page load sees what is stored now');
  assert.equal(await cache.shared('kbs', kbs.compute), 2);
  cache.clear();
  assert.equal(await cache.shared('kbs', kbs.compute), 3, 'a write through the API clears what was shared');
});

test('a failed computation is not shared: the next refresh tries again', async () => {
  const cache = new LiveReadCache();
  await assert.rejects(cache.shared('errors', async () => Promise.reject(new Error('database busy'))), /database busy/);
  assert.equal(await cache.shared('errors', async () => 'ok'), 'ok');
});

test('keys are separate', async () => {
  const cache = new LiveReadCache();
  assert.equal(await cache.shared('a', async () => 'a'), 'a');
  assert.equal(await cache.shared('b', async () => 'b'), 'b');
  assert.equal(await cache.shared('a', async () => 'again'), 'a');
});
