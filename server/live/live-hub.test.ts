// Live tick pacing: a dashboard sees changes at most 4 times a second, and fan-out stays bounded as dashboards multiply.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveTickMs, pageRefreshMs } from './live-hub';

test('up to 312 dashboards get the configured 250 ms tick, at most 4 deltas per second', () => {
  for (const sockets of [0, 1, 100, 312]) assert.equal(liveTickMs(250, sockets), 250);
});

test('more dashboards stretch the tick so all sockets together get about 1,250 writes per second, never past 2 s', () => {
  assert.equal(liveTickMs(250, 500), 400);
  assert.equal(liveTickMs(250, 1_000), 800);
  assert.equal(liveTickMs(250, 2_000), 1_600);
  assert.equal(liveTickMs(250, 10_000), 2_000);
  for (const sockets of [400, 1_000, 2_499]) assert.ok((sockets * 1_000) / liveTickMs(250, sockets) <= 1_250);
});

test('a configured LIVE_INTERVAL longer than the stretch is kept', () => {
  assert.equal(liveTickMs(5_000, 1_000), 5_000);
});

test('dashboards re-read pages once a second while few are open, and less often as more open, within 25 page reads per second', () => {
  for (const sockets of [0, 1, 25]) assert.equal(pageRefreshMs(sockets), 1_000);
  assert.equal(pageRefreshMs(100), 4_000);
  assert.equal(pageRefreshMs(1_000), 40_000);
  assert.equal(pageRefreshMs(100_000), 60_000, 'never slower than once a minute');
  for (const sockets of [26, 300, 1_000, 1_500]) assert.ok((sockets * 1_000) / pageRefreshMs(sockets) <= 25);
});
