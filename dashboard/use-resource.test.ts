// Live refresh pacing: once a second with few dashboards, the server's longer hint with many, spread at random.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveRefreshDelay } from './use-resource';

test('with no hint or a short one a page re-reads a second after its last load, without spread', () => {
  assert.equal(liveRefreshDelay(10_000, 10_200, 0, 0.9), 800);
  assert.equal(liveRefreshDelay(10_000, 10_200, 1_000, 0.9), 800);
  assert.equal(liveRefreshDelay(10_000, 12_000, 0, 0.5), 0, 'a page idle for longer re-reads at once');
});

test('a longer server hint is waited for, plus up to a quarter of it so pages do not read in step', () => {
  assert.equal(liveRefreshDelay(10_000, 10_000, 40_000, 0), 40_000);
  assert.equal(liveRefreshDelay(10_000, 10_000, 40_000, 0.999), 49_990);
  assert.equal(liveRefreshDelay(10_000, 60_000, 40_000, 0.5), 5_000);
});
