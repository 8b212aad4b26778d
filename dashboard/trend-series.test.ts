// The overview's trend: one line per baseline, kept for deleted baselines, stable keys and colours, today's point live from the summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BaselineCompliance, FleetSummary, TrendPoint } from '../protocol/fleet-api';
import { complianceOf } from '../test/server/fleet/fixtures';
import { baselineTrend } from './trend-series';

const baseline = (id: number, name: string, compliant: number, applicable: number): BaselineCompliance =>
  complianceOf({ id, kb: `KB50${id}0000`, appliesTo: 19045, dueDate: '2024-10-01', name, createdAt: '2024-09-01T00:00:00.000Z' }, compliant, applicable);
const day = (date: string, baselines: TrendPoint['baselines'], failingDevices = 1): TrendPoint => ({
  day: date,
  devices: 4,
  failingDevices,
  devicesWithCorruption: 0,
  compliancePercent: null,
  families: {},
  baselines,
});
const entry = (baselineId: number, name: string, compliancePercent: number | null) => ({ baselineId, kb: `KB50${baselineId}0000`, name, applicable: 4, compliant: 0, compliancePercent });
const summary = (compliance: BaselineCompliance[], generatedAt: string): FleetSummary => ({
  devices: { total: 4, reporting: 4, stale: 0 },
  total: 4,
  reporting: 4,
  stale: 0,
  failingDevices: 2,
  devicesWithCorruption: 0,
  openClusters: 0,
  compliance,
  staleAfterHours: 336,
  generatedAt,
});
const draw = (items: TrendPoint[], live: FleetSummary | null) => baselineTrend(items, live, (date) => date, (name) => `«${name}»`, 'failing');

test('one line per baseline: current ones in order, then deleted ones with history; days without a baseline are gaps', () => {
  const items = [day('2024-11-01', [entry(2, 'Old', 50)]), day('2024-11-02', [entry(1, 'Sep', 25), entry(2, 'Old', 75)]), day('2024-11-03', [entry(1, 'Sep', 50)])];
  const chart = draw(items, summary([baseline(1, 'Sep', 3, 4)], '2024-11-04T08:00:00.000Z'));
  assert.deepEqual(chart.labels, ['2024-11-01', '2024-11-02', '2024-11-03', '2024-11-04']);
  assert.deepEqual(
    chart.series.map((series) => [series.key, series.label, series.data]),
    [
      ['baseline:1', '«Sep»', [null, 25, 50, 75]],
      ['baseline:2', '«Old»', [50, 75, null, null]],
      ['failing', 'failing', [25, 25, 25, 50]],
    ],
  );
  assert.equal(new Set(chart.series.map((series) => series.color)).size, 3, 'each line its own colour');
});

test("today's snapshot is replaced by the live summary, so a new baseline's line appears at once with a stable key", () => {
  const items = [day('2024-11-04', [entry(1, 'Sep', 25)])];
  const before = draw(items, summary([baseline(1, 'Sep', 1, 4)], '2024-11-04T08:00:00.000Z'));
  const after = draw(items, summary([baseline(1, 'Sep', 2, 4), baseline(3, 'Dec', 0, 0)], '2024-11-04T09:00:00.000Z'));
  assert.deepEqual(after.labels, ['2024-11-04'], 'no second point for the same day');
  assert.deepEqual(after.series.map((series) => series.key), ['baseline:1', 'baseline:3', 'failing']);
  assert.deepEqual(after.series[0]?.data, [50]);
  assert.deepEqual(after.series[1]?.data, [null], 'no device is subject to the new baseline yet');
  assert.equal(after.series[0]?.color, before.series[0]?.color, 'a line keeps its colour when another is added');
});
